"""No child can be identified from anything the pipeline writes.

A generated inbox (every UPN, NHS number, person id and date of birth in it is "known"), plus
planted values (a rejected NHS number in a row that is left out, a distinctive person id and UPN),
goes through the real DAGs in a worker process. Then every file under SENDBOARD_HOME (warehouse,
analytics copy, landed Parquet, manifests, reports, Great Expectations and dbt artefacts, published
files, the Airflow metadata DB), the dbt logs and the workers' task logs are scanned: no identifier in
clear and no full date of birth. Quarantined partner files are the one exception by design: they are
the files as sent, kept so nothing is lost (none arise here).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zlib
from datetime import date
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from sendboard.devtools.generator import generate
from tests.e2e.test_faults import LAND, PUBLISH
from tests.support.worker import run_worker

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
PLANTED_BAD_NHS = "9434765918"  # fails the modulus-11 check: the row is left out
PLANTED_PERSON = "PLANTEDPERSON42"
IDENTIFIER_COLUMNS = {"person_id", "upn", "nhs_number"}


def read_rows(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw[:3] == b"\xef\xbb\xbf" else raw.decode("utf-8", errors="replace")
        return list(csv.DictReader(io.StringIO(text)))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [dict(zip([str(h).strip().lower() for h in rows[0]], r)) for r in rows[1:]]


def plant(inbox: Path) -> None:
    """Give the first request a rejected NHS number and the first referral's child a new person id."""
    path = inbox / "case_management" / "2025-01" / "requests.csv"
    rows = read_rows(path)
    rows[0]["nhs_number"] = PLANTED_BAD_NHS
    rows[1]["person_id"] = PLANTED_PERSON
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def known_identifiers(inbox: Path) -> tuple[set[str], set[str]]:
    """(identifier values, full dates of birth in both written forms) found in the inbox."""
    identifiers, births = set(), set()
    for path in inbox.rglob("*.*"):
        if "dfe_statistics" in path.parts:  # the DfE's published statistics: no child in them
            continue
        for row in read_rows(path):
            for column, value in row.items():
                text = "" if value is None else str(value).strip()
                if column in IDENTIFIER_COLUMNS and text:
                    identifiers.add(text)
                    identifiers.add(text.replace(" ", ""))
                elif column == "date_of_birth" and text:
                    day = value if isinstance(value, date) else None
                    if day is None:
                        d, m, y = text.split("/") if "/" in text else reversed(text[:10].split("-"))
                        day = date(int(y), int(m), int(d))
                    if day.day != 1:  # the first of a month is what landing keeps, by design
                        births |= {day.isoformat(), day.strftime("%d/%m/%Y")}
    return identifiers, births


def texts_of(path: Path) -> list[str]:
    """What a reader of the file could see: every text cell of a Parquet or DuckDB file, else the
    file's text and every decompressed stream (PDF). Date columns are not text: any date can equal
    some child's birthday by chance, so birth columns are checked by name instead (months only)."""
    data = path.read_bytes()
    if path.suffix == ".parquet" or data[:4] == b"PAR1":
        with duckdb.connect() as con:
            cursor = con.execute(f"select * from read_parquet('{path}', hive_partitioning = false)")
            text_columns = [i for i, d in enumerate(cursor.description) if d[1] == "STRING"]
            rows = cursor.fetchall()
        return [str(row[i]) for row in rows for i in text_columns if row[i] is not None]
    if data[16:20] == b"DUCK" or path.suffix == ".duckdb":
        found = []
        with duckdb.connect(str(path), read_only=True) as con:
            columns = con.execute(
                "select schema_name, table_name, column_name from duckdb_columns() "
                "where database_name = current_database() and schema_name <> 'information_schema' "
                "and data_type = 'VARCHAR'"
            ).fetchall()
            for schema, table, column in columns:
                found += [
                    str(v)
                    for (v,) in con.execute(f'select distinct "{column}" from "{schema}"."{table}"').fetchall()
                    if v is not None
                ]
        return found
    texts = [data.decode("latin-1")]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):  # PDF
        with contextlib.suppress(zlib.error):  # not every stream is deflated
            texts.append(zlib.decompress(stream).decode("latin-1"))
    return texts


ALPHANUMERIC = re.compile(r"[0-9A-Za-z]+")
DATE = re.compile(r"(?<![0-9A-Za-z])(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})(?![0-9A-Za-z])")


def pattern(values: set[str]) -> re.Pattern:
    alternatives = "|".join(map(re.escape, sorted(values, key=len, reverse=True)))
    return re.compile(r"(?<![0-9A-Za-z])(" + alternatives + r")(?![0-9A-Za-z])")


def finder(values: set[str]):
    """A function giving the values that stand in a text on their own (no letter or digit either
    side), as pattern(values).findall would. An alphanumeric value stands on its own exactly when it
    is a whole run of letters and digits, so those are found by looking each run up in a set (one
    regex alternating thousands of values cost minutes over the warehouse's cells); dates by their
    two shapes; anything else (a value with a space) by the pattern.

    >>> sorted(finder({"A1", "2015-05-12", "12 3"})("xA1 A1, 2015-05-12T9 (12 3) 2015-05-12."))
    ['12 3', '2015-05-12', 'A1']
    """
    plain = {v for v in values if ALPHANUMERIC.fullmatch(v)}
    dates = {v for v in values if DATE.fullmatch(v)}
    rest = pattern(values - plain - dates) if values - plain - dates else None

    def find(text: str) -> set[str]:
        found = {run for run in ALPHANUMERIC.findall(text) if run in plain}
        found |= {d for d in DATE.findall(text) if d in dates}
        return found | (set(rest.findall(text)) if rest else set())

    return find


@pytest.fixture(scope="module")
def pipeline_outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("identifiers")
    inbox, home = root / "inbox", root / "home"
    generate(inbox, start="2025-01", months=1, scale="small")
    plant(inbox)
    # and the analysts' copy, which its own DAG makes after the publication
    code, output = run_worker(home, inbox, LAND + PUBLISH + ["refresh_analytics_copy:2025-01"])
    assert code == 0, output[-3000:]
    task_logs = root / "task_logs.txt"  # dag.test prints the task logs
    task_logs.write_text(output)
    return inbox, home, task_logs


def test_the_planted_row_was_left_out_and_everything_published(pipeline_outputs):
    _, home, task_logs = pipeline_outputs
    assert (home / "published" / "2025-01" / "board_snapshot.csv").exists()
    assert (home / "analytics" / "sendboard_analytics.duckdb").exists()  # scanned below with the rest
    errors = duckdb.sql(
        "select table_name, source_row, rule, column_name from "
        f"'{home / 'raw' / 'case_management' / 'period=2025-01' / 'row_errors.parquet'}'"
    ).fetchall()
    assert ("requests", 2, "invalid_nhs_number", "nhs_number") in errors
    assert "rule invalid_nhs_number on column nhs_number (rows 2)" in task_logs.read_text()


def test_no_identifier_or_date_of_birth_in_anything_written(pipeline_outputs):
    inbox, home, task_logs = pipeline_outputs
    identifiers, births = known_identifiers(inbox)
    assert PLANTED_BAD_NHS in identifiers and PLANTED_PERSON in identifiers
    assert len(identifiers) > 1000 and len(births) > 500  # the scan looks for a real population
    files = [p for p in home.rglob("*") if p.is_file() and "quarantine" not in p.parts]
    files += [task_logs, *[p for p in (ROOT / "dbt" / "logs").rglob("*") if p.is_file()]]
    kinds = {p.suffix for p in files}
    assert {".parquet", ".duckdb", ".json", ".html", ".pdf", ".csv", ".db", ".txt"} <= kinds

    find, find_identifiers = finder(identifiers | births), finder(identifiers)
    leaks = {}
    for path in files:
        # the casework worklists (restricted) are lists of events by design: a received, start or referral
        # date there is some other child's birthday by chance. They carry no date-of-birth column (their
        # headers are checked in test_worklists.py); every identifier is looked for there all the same.
        worklist = "worklists" in path.parts
        if worklist:
            assert "birth" not in path.read_bytes()[:400].decode("latin-1"), path
        for text in texts_of(path):
            found = (find_identifiers if worklist else find)(text)
            if found:
                leaks.setdefault(str(path.relative_to(home) if home in path.parents else path), set()).update(found)
    assert leaks == {}
    # dates of birth are kept as months only
    with duckdb.connect(str(home / "warehouse" / "sendboard.duckdb"), read_only=True) as con:
        birth_columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() where column_name like '%birth%'"
        ).fetchall()
        assert birth_columns
        for schema, table, column in birth_columns:
            assert con.execute(f'select count(*) from "{schema}"."{table}" where day("{column}") <> 1').fetchone() == (
                0,
            ), (schema, table, column)
