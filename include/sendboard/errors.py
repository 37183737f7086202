"""Every exception of sendboard, in one hierarchy under SendboardError.

Messages name the file, the rule, the column and spreadsheet row numbers (header = row 1), never a
value from the file: values may be identifiers. That is why an alert quotes a SendboardError's
message in full and names any other exception by its type only (alerts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


def format_rows(rows: list[int], limit: int = 20) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    more = len(rows) - limit
    return f"{shown} and {more} more" if more > 0 else shown


@dataclass
class Problem:
    """One broken rule in one file: which rule, which column, which rows."""

    rule: str
    detail: str
    column: str | None = None
    rows: list[int] = field(default_factory=list)

    def describe(self) -> str:
        text = f"rule {self.rule}"
        if self.column:
            text += f", column {self.column}"
        if self.rows:
            text += f", row{'s' if len(self.rows) > 1 else ''} {format_rows(self.rows)}"
        return f"{text}: {self.detail}"


class SendboardError(Exception):
    """Every error of our own. Its message is safe to quote in an alert: it names months, files, rules,
    columns and rows, never a value from a file. `rule` is what the alert reports as the rule or
    check that failed."""

    rule = "none (an operational error, not a data rule)"


class FileRejected(SendboardError):
    """A file broke a file rule; it is quarantined and its period is not landed."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__(f"{file} rejected: " + "; ".join(p.describe() for p in problems))

    @property
    def rule(self) -> str:  # type: ignore[override]
        return ", ".join(sorted({p.rule for p in self.problems}))


class InputRefused(SendboardError):
    """A file from outside broke one of the bounds or safety rules every input meets (ingest/bounds.py):
    too large, a zip bomb, a DOCTYPE, a link out of the inbox, not the kind it claims to be. The reader
    of each kind turns it into that kind's rejection (FileRejected, ReferenceFileRejected)."""

    def __init__(self, rule: str, detail: str, column: str | None = None, rows: list[int] | None = None):
        self.problem = Problem(rule, detail, column, rows or [])
        super().__init__(self.problem.describe())

    @property
    def rule(self) -> str:  # type: ignore[override]
        return self.problem.rule


class PeriodRejected(SendboardError):
    """One or more files of a period were rejected; nothing of the period was landed."""

    def __init__(self, source: str, period: str, rejections: list[FileRejected], quarantine: str):
        self.source, self.period, self.rejections, self.quarantine = source, period, rejections, quarantine
        lines = [f"{source} {period}: {len(rejections)} file(s) rejected, nothing landed; reports in {quarantine}"]
        lines += [f"  - {r}" for r in rejections]
        super().__init__("\n".join(lines))

    @property
    def rule(self) -> str:  # type: ignore[override]
        return ", ".join(sorted({p.rule for r in self.rejections for p in r.problems}))


class PeriodIncomplete(SendboardError):
    """A period folder does not yet hold every table of its source."""

    rule = "period incomplete in the inbox"


class ConfigurationError(SendboardError):
    """The pipeline is not configured to run safely (e.g. no pseudonymisation key)."""

    rule = "configuration"


class DataQualityFailed(SendboardError):
    """Landed data broke a Great Expectations suite."""

    rule = "raw-layer Great Expectations suite"


class NotReady(SendboardError):
    """Month M cannot be built yet: an input is missing or was rejected."""

    rule = "inputs of the month not landed"


class ChecksFailed(SendboardError):
    """The marts broke a Great Expectations check; nothing is published."""

    rule = "mart Great Expectations checks"


class WarehouseDamaged(SendboardError):
    """The warehouse cannot be read, or lacks publication history that the published files show."""

    rule = "warehouse integrity (docs/operations.md 'Restoring the warehouse')"


class WarehouseNotChecked(SendboardError):
    """The warehouse is not in a checked state: nothing to copy, the previous analysts' copy stays."""

    rule = "warehouse not built and checked"


class ChromiumMissing(SendboardError):
    """board_pack.pdf cannot be printed: no Chromium binary."""

    rule = "Chromium for board_pack.pdf"


class ProjectionInputError(SendboardError):
    """A row of an annual projection input file breaks its format (sendboard.projection's command)."""

    rule = "projection input"


class SeriesInputError(SendboardError):
    """A row of a statistical process control input file breaks its format (sendboard.spc's command)."""

    rule = "statistical process control input"


class ReferenceFileRejected(SendboardError):
    """A DfE reference file is not what it claims to be, or lacks a column the comparators read."""

    rule = "DfE reference file"

    def __init__(self, file: str, detail: str, column: str | None = None):
        self.file, self.column = file, column
        super().__init__(f"{file}: " + (f"column {column}: " if column else "") + detail)


class PublicationLate(SendboardError):
    """A month's board snapshot was not published by the configured day of the following month."""

    rule = "publication deadline"

    def __init__(self, period: str, deadline: date, reason: str):
        self.period, self.deadline, self.reason = period, deadline.isoformat(), reason
        super().__init__(f"The board snapshot for {period} was not published by {self.deadline}: {reason}")
