"""Exceptions whose messages a council analyst can act on.

Messages name the file, the rule, the column and spreadsheet row numbers
(header = row 1), never a value from the file: values may be identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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


class FileRejected(Exception):
    """A file broke a file rule; it is quarantined and its period is not landed."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__(f"{file} rejected: " + "; ".join(p.describe() for p in problems))


class PeriodRejected(Exception):
    """One or more files of a period were rejected; nothing of the period was landed."""

    def __init__(self, source: str, period: str, rejections: list[FileRejected], quarantine: str):
        self.source, self.period, self.rejections, self.quarantine = source, period, rejections, quarantine
        lines = [f"{source} {period}: {len(rejections)} file(s) rejected, nothing landed; "
                 f"reports in {quarantine}"]
        lines += [f"  - {r}" for r in rejections]
        super().__init__("\n".join(lines))


class PeriodIncomplete(Exception):
    """A period folder does not yet hold every table of its source."""


class ConfigurationError(Exception):
    """The pipeline is not configured to run safely (e.g. no pseudonymisation key)."""
