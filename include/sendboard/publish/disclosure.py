"""The disclosure check: no suppressed figure of a month follows from the month's published figures.

board_snapshot_candidates (dbt) decides what is published: it suppresses small figures and, where
a suppressed figure is the only unknown of a relation in the seed kpi_disclosure_relations (a
total and its parts), withholds a second figure too. This module does not decide anything; it
proves the result, as the publisher's last check: every relation is an equation between the
month's figures (total - parts = 0), the published figures are known, and a suppressed figure is
given away exactly when it is fixed by those equations whatever the unknowns are. It reads only
the rows as they would be published, so it needs no restricted value.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from fractions import Fraction

from sendboard import config

RELATIONS_FILE = config.DBT_PROJECT / "seeds" / "kpi_disclosure_relations.csv"
FIGURES = ("numerator", "denominator")

Cell = tuple[str, str]  # (kpi_id, "numerator" | "denominator")


@dataclass(frozen=True)
class Relation:
    relation_id: str
    total: Cell
    parts: tuple[Cell, ...]


def relations() -> list[Relation]:
    """The relations of the dbt seed, the same file the model reads."""
    with open(RELATIONS_FILE, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    found = []
    for relation_id in dict.fromkeys(r["relation_id"] for r in rows):
        members = [r for r in rows if r["relation_id"] == relation_id]
        [total] = [(r["kpi_id"], r["figure"]) for r in members if r["role"] == "total"]
        found.append(
            Relation(relation_id, total, tuple((r["kpi_id"], r["figure"]) for r in members if r["role"] == "part"))
        )
    return found


def _rank(matrix: list[list[Fraction]]) -> int:
    """Rank by Gaussian elimination in exact fractions (a few rows and columns)."""
    rows = [row[:] for row in matrix]
    rank = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][column] != 0:
                factor = rows[i][column] / rows[rank][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank])]
        rank += 1
    return rank


def _known(value) -> bool:
    return value is not None and value == value  # NaN from a DataFrame is unknown too


def revealed(rows: list[dict], relations: list[Relation]) -> list[tuple[Cell, list[str]]]:
    """The suppressed figures of one month's rows that the published figures fix, each with the
    relations that give it away. rows: kpi_id, suppressed, numerator, denominator as published.

    >>> plans = [Relation("plans", ("OVERDUE", "denominator"), (("AWAITING", "denominator"),))]
    >>> awaiting = {"kpi_id": "AWAITING", "suppressed": True, "numerator": None, "denominator": None}
    >>> revealed([awaiting, {"kpi_id": "OVERDUE", "suppressed": False, "numerator": 30, "denominator": 300}], plans)
    [(('AWAITING', 'denominator'), ['plans'])]
    >>> revealed([awaiting, {"kpi_id": "OVERDUE", "suppressed": False, "numerator": 30, "denominator": None}], plans)
    []
    """
    by_id = {r["kpi_id"]: r for r in rows}
    present = [rel for rel in relations if all(k in by_id for k, _ in (rel.total, *rel.parts))]
    unknown = sorted(
        {cell for rel in present for cell in (rel.total, *rel.parts) if not _known(by_id[cell[0]][cell[1]])}
    )
    column = {cell: i for i, cell in enumerate(unknown)}
    equations = []
    for rel in present:
        row = [Fraction(0)] * len(unknown)
        for cell, sign in [(rel.total, 1), *((part, -1) for part in rel.parts)]:
            if cell in column:
                row[column[cell]] += sign
        if any(row):
            equations.append((rel.relation_id, row))
    matrix = [row for _, row in equations]
    rank = _rank(matrix)
    found = []
    for cell in unknown:
        if by_id[cell[0]]["suppressed"] not in (True, "true"):
            continue
        probe = [Fraction(1 if c == cell else 0) for c in unknown]
        if _rank([*matrix, probe]) == rank:  # the cell is a combination of the equations: it is fixed
            found.append((cell, [rid for rid, row in equations if row[column[cell]] != 0]))
    return found


@dataclass
class DisclosureCheck:
    """The check's result, in the form the mart checks report (see expectations.SuiteResult)."""

    suite: str
    success: bool
    evaluated: int
    failed: list[dict]

    def describe(self) -> str:
        if self.success:
            return f"{self.suite}: no suppressed figure follows from the published ones ({self.evaluated} relations)"
        return "\n".join(
            [
                f"{self.suite}: {len(self.failed)} suppressed figure(s) would follow from published ones "
                "(fix the seed kpi_disclosure_relations or board_snapshot_candidates):"
            ]
            + [f"  - {f['column']}, by {f['type']}" for f in self.failed]
        )


def check_month(rows: list[dict], period: str) -> DisclosureCheck:
    """Check one month's rows as they would be published. The result names KPIs, never figures."""
    known_relations = relations()
    failed = [
        {
            "type": "relation " + ", ".join(ids),
            "column": f"{kpi_id} {figure}",
            "unexpected_count": 1,
            "exception": False,
        }
        for (kpi_id, figure), ids in revealed(rows, known_relations)
    ]
    return DisclosureCheck(f"disclosure_control (board_{period})", not failed, len(known_relations), failed)
