"""Build the bad-input corpus: malformed exports, one case per folder, for tests/e2e/test_bad_inputs.py.

    python -m tests.support.corpus <folder>     writes <folder>/<case>/<source>/<period>/...
                                                   and <folder>/cases.json

Every case is a complete period of one source whose files are good (the rows of
tests/unit/rule_fixtures.GOOD, 50 per table) except for one defect. Row-rule cases break 2 of the 50
rows (4%, strictly more than 2%: the file is rejected) in data rows 2 and 3 of the spreadsheet, so
the expected rows are [2, 3]; the below-threshold case breaks 1 row (2%, accepted). Planted values
are distinctive so a test can check that no report or message quotes them. Nothing here is a real
child's data.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sendboard.contract import SOURCES
from tests.support.helpers import NHS_BAD_CHECK, csv_bytes, write, write_xlsx
from tests.support.rule_fixtures import GOOD, good_rows

ROWS = 50
MONTH = "2025-04"  # the month after the fixture's published month
CENSUS = "2025-05"  # the census after the fixture's census
BROKEN = [2, 3]  # spreadsheet rows of the two broken data rows
PLANTED = "PLANTED-VALUE-7Q"  # a value no report may quote


@dataclass
class Case:
    name: str
    source: str
    table: str  # the defective table
    outcome: str  # "rejected", "accepted" (rows left out) or "waiting" (period incomplete)
    rule: str | None = None
    column: str | None = None
    rows: list[int] = field(default_factory=list)
    file: str | None = None  # the defective file's name

    @property
    def period(self) -> str:
        return CENSUS if self.source == "school_census" else MONTH


def base_rows(table: str) -> list[dict]:
    return good_rows(table, ROWS)


def broken(table: str, count: int = 2, **values) -> list[dict]:
    rows = base_rows(table)
    for row in rows[:count]:
        row.update(values)
    return rows


def _write_source(folder: Path, source: str, overrides: dict[str, bytes | None]) -> None:
    """Every table of the source as a good CSV, except the files given (None = leave the table out)."""
    for table in SOURCES[source].tables:
        names = [n for n in overrides if n.rsplit(".", 1)[0] == table.name]
        if not names:
            write(folder / f"{table.name}.csv", csv_bytes(list(GOOD[table.name]), base_rows(table.name)))
        for name in names:
            if overrides[name] is not None:
                write(folder / name, overrides[name])


def _xlsx_bytes(tmp: Path, table: str, rows: list[dict] | None, empty_first_sheet: bool = False) -> bytes:
    from openpyxl import Workbook

    if not empty_first_sheet:
        path = write_xlsx(tmp / f"{table}.xlsx", list(GOOD[table]), [list(r.values()) for r in rows or []])
        return path.read_bytes()
    workbook = Workbook()
    workbook.active.title = "Notes"  # the first sheet is empty; the data are on the second
    data = workbook.create_sheet("Data")
    data.append(list(GOOD[table]))
    for row in rows or []:
        data.append(list(row.values()))
    path = tmp / f"{table}.empty_first.xlsx"
    workbook.save(path)
    return path.read_bytes()


def _csv(table: str, rows: list[dict], header: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    return csv_bytes(header or list(GOOD[table]), rows, encoding)


def cases(tmp: Path) -> list[tuple[Case, dict[str, bytes | None]]]:
    """(case, files that differ from the good period) for every case of the corpus."""
    cm, health, census = "case_management", "health_waiting_lists", "school_census"
    requests_header = list(GOOD["requests"])
    long_line = _csv("advice", base_rows("advice"))[:-2] + b"," + b"x" * 3_000_000 + b"\r\n"
    semicolons = _csv("requests", base_rows("requests")).replace(b",", b";")
    out: list[tuple[Case, dict[str, bytes | None]]] = []

    def add(case: Case, files: dict[str, bytes | None]) -> None:
        if case.file is None and case.outcome != "waiting":
            case.file = next(n for n, v in files.items() if v is not None)
        out.append((case, files))

    # --- file rules -------------------------------------------------------------------------
    add(Case("empty_file", cm, "requests", "rejected", "empty_file"), {"requests.csv": b""})
    add(Case("header_only", cm, "plans", "rejected", "no_data_rows"), {"plans.csv": _csv("plans", [])})
    add(
        Case("binary_junk_named_csv", health, "referrals", "rejected", "unreadable_file"),
        {"referrals.csv": bytes(range(256)) * 64},
    )
    good_plans_xlsx = _xlsx_bytes(tmp, "plans", base_rows("plans"))
    add(
        Case("truncated_xlsx", cm, "plans", "rejected", "unreadable_file"),
        {"plans.xlsx": good_plans_xlsx[: len(good_plans_xlsx) // 2]},
    )
    add(
        Case("xlsx_first_sheet_empty", cm, "plans", "rejected", "no_header"),
        {"plans.xlsx": _xlsx_bytes(tmp, "plans", base_rows("plans"), empty_first_sheet=True)},
    )
    add(
        Case("wrong_delimiter", cm, "requests", "rejected", "missing_required_column", "request_id", [1]),
        {"requests.csv": semicolons},
    )
    add(
        Case("unknown_encoding_utf16", cm, "advice", "rejected", "unreadable_file"),
        {"advice.csv": _csv("advice", base_rows("advice")).decode().encode("utf-16")},
    )
    add(Case("very_long_line", cm, "advice", "rejected", "unreadable_file"), {"advice.csv": long_line})
    add(
        Case(
            "missing_required_column", health, "referrals", "rejected", "missing_required_column", "referral_date", [1]
        ),
        {
            "referrals.csv": _csv(
                "referrals", base_rows("referrals"), [c for c in GOOD["referrals"] if c != "referral_date"]
            )
        },
    )
    add(
        Case("duplicate_column", cm, "requests", "rejected", "duplicate_column", "decision", [1]),
        {
            "requests.csv": _csv("requests", base_rows("requests"), requests_header).replace(
                b"exception_20wk\r\n", b" Decision \r\n", 1
            )
        },
    )
    add(
        Case("no_header", census, "schools", "rejected", "no_header"),
        {"schools.csv": b",,,\r\n" + _csv("schools", base_rows("schools")).split(b"\r\n", 1)[1]},
    )
    add(
        Case("sent_as_csv_and_xlsx", cm, "plans", "rejected", "sent_twice", file="plans.*"),
        {"plans.csv": _csv("plans", base_rows("plans")), "plans.xlsx": good_plans_xlsx},
    )
    add(
        Case("duplicate_primary_key", cm, "plans", "rejected", "duplicate_primary_key", "plan_id", [2, 3]),
        {"plans.csv": _csv("plans", broken("plans", plan_id="E-DUP"))},
    )
    add(
        Case("duplicate_upn_in_pupils", census, "pupils", "rejected", "duplicate_primary_key", "upn", [2, 3]),
        {"pupils.csv": _csv("pupils", broken("pupils", upn="Z12345678901Z"))},
    )

    # --- row rules, each on rows 2 and 3 of 50 (4% > 2%: rejected) ------------------------
    def row_case(name, source, table, rule, column, **values):
        add(
            Case(name, source, table, "rejected", rule, column, BROKEN),
            {f"{table}.csv": _csv(table, broken(table, **values))},
        )

    row_case("required_value_missing", cm, "requests", "required_value_missing", "person_id", person_id="")
    row_case("decision_without_date", cm, "requests", "required_value_missing", "decision_date", decision_date="")
    row_case(
        "outcome_without_date",
        cm,
        "requests",
        "required_value_missing",
        "assessment_outcome_date",
        assessment_outcome="PLAN",
        assessment_outcome_date="",
    )
    row_case(
        "ceased_without_reason",
        cm,
        "plans",
        "required_value_missing",
        "cease_reason",
        ceased_date="2025-03-01",
        cease_reason="",
    )
    row_case(
        "ehcp_pupil_without_need",
        census,
        "pupils",
        "required_value_missing",
        "primary_sen_type",
        sen_provision="E",
        primary_sen_type="",
    )
    row_case("invalid_date", cm, "requests", "invalid_date", "received_date", received_date="31/02/2025")
    row_case("invalid_number", census, "pupils", "invalid_number", "sessions_possible", sessions_possible="many")
    row_case("invalid_code", cm, "requests", "invalid_code", "request_source", request_source=PLANTED)
    row_case(
        "formula_in_code_column",
        cm,
        "requests",
        "invalid_code",
        "request_source",
        request_source='=HYPERLINK("http://example.invalid")',
    )
    row_case("invalid_flag", cm, "requests", "invalid_flag", "exception_20wk", exception_20wk="X")
    row_case("invalid_upn", cm, "plans", "invalid_upn", "upn", upn="12345")
    row_case("invalid_nhs_number", health, "referrals", "invalid_nhs_number", "nhs_number", nhs_number=NHS_BAD_CHECK)
    row_case(
        "date_after_period_end",
        health,
        "referrals",
        "date_after_period_end",
        "referral_date",
        referral_date="2025-05-01",
    )
    row_case("date_before_1990", cm, "plans", "date_before_1990", "start_date", start_date="1989-12-31")
    row_case(
        "decision_before_received", cm, "requests", "dates_out_of_order", "decision_date", decision_date="2025-01-05"
    )
    row_case(
        "advice_received_before_requested",
        cm,
        "advice",
        "dates_out_of_order",
        "received_date",
        received_date="2025-02-09",
    )
    row_case(
        "review_decision_before_meeting",
        cm,
        "annual_reviews",
        "dates_out_of_order",
        "decision_date",
        decision_date="2025-02-02",
    )
    row_case(
        "first_contact_before_referral",
        health,
        "referrals",
        "dates_out_of_order",
        "first_contact_date",
        first_contact_date="2025-01-09",
    )
    row_case(
        "sessions_missed_over_possible",
        census,
        "pupils",
        "sessions_missed_over_possible",
        "sessions_missed",
        sessions_missed="121",
    )
    row_case("negative_count", census, "pupils", "negative_count", "suspensions", suspensions="-1")
    row_case(
        "nsa_without_sen_support",
        census,
        "pupils",
        "nsa_without_sen_support",
        "primary_sen_type",
        sen_provision="E",
        primary_sen_type="NSA",
    )
    row_case("advice_to_unknown_request", cm, "advice", "unknown_parent", "request_id", request_id="R999")
    row_case("review_of_unknown_plan", cm, "annual_reviews", "unknown_parent", "plan_id", plan_id="E999")
    row_case("pupil_at_unknown_school", census, "pupils", "unknown_parent", "school_urn", school_urn="999999")

    # --- accepted, waited for --------------------------------------------------------------
    add(
        Case("one_bad_row_in_50_is_accepted", cm, "requests", "accepted", "invalid_code", "request_source", [2]),
        {"requests.csv": _csv("requests", broken("requests", 1, request_source="NOT_A_SOURCE"))},
    )
    # formula-looking text in free-text columns is data: landed as text, never evaluated
    add(
        Case("formula_strings_in_text_columns", census, "schools", "accepted"),
        {
            "schools.csv": _csv(
                "schools",
                [
                    dict(r, school_name=p)
                    for r, p in zip(base_rows("schools"), ["=1+1", "+44 1234", "-2", "@SUM(A1)"] * 13)
                ],
            )
        },
    )
    add(Case("table_missing_from_period", cm, "plan_audits", "waiting"), {"plan_audits.csv": None})
    # a pound sign and smart quotes in Windows-1252: not a defect, landed
    add(
        Case("windows_1252_text", census, "schools", "accepted"),
        {
            "schools.csv": _csv(
                "schools", [dict(r, school_name="St Mary’s £ School") for r in base_rows("schools")], encoding="cp1252"
            )
        },
    )
    return out


def build(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / ".scratch"
    scratch.mkdir(exist_ok=True)
    built = []
    for case, files in cases(scratch):
        _write_source(folder / case.name / case.source / case.period, case.source, files)
        built.append(case)
    (folder / "cases.json").write_text(json.dumps([asdict(c) for c in built], indent=2))
    return built


if __name__ == "__main__":
    made = build(Path(sys.argv[1]))
    print(f"{len(made)} cases in {sys.argv[1]}")
