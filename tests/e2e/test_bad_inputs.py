"""The bad-input corpus (tests/support/corpus.py, 42 cases) through the real landing, after a good
month has been published through the real DAGs.

Each rejected case: the error names the file, the rule, the column and the rows (and quotes no
value); the file is quarantined unchanged with its report; nothing of the period lands; the month
cannot be published; the earlier publication stays byte-identical. Below the 2% threshold a file is
accepted with the bad row left out and counted. A period missing a table is waited for.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from sendboard import config
from sendboard.errors import PeriodRejected
from sendboard.ingest.inbox import Inbox
from sendboard.ingest.landing import land_period, quarantine_folder, raw_folder
from sendboard.orchestration import airflow_env
from sendboard.publish.snapshot import PUBLISHED_FILES
from tests.support import corpus
from tests.support.helpers import NHS_A, UPN_A, csv_bytes, write
from tests.support.rule_fixtures import GOOD, good_rows

pytestmark = pytest.mark.e2e
PUBLISHED_MONTH = "2025-03"


def published(home: Path, period: str) -> dict[str, bytes]:
    return {n: (home / "published" / period / n).read_bytes() for n in PUBLISHED_FILES}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A good 2025-03 (GOOD rows, 50 per table) and census 2025-01, landed and published by the DAGs."""
    root = tmp_path_factory.mktemp("bad_inputs")
    inbox, home = root / "inbox", root / "home"
    for source, period in (
        ("case_management", PUBLISHED_MONTH),
        ("health_waiting_lists", PUBLISHED_MONTH),
        ("school_census", "2025-01"),
    ):
        for table in corpus.SOURCES[source].tables:
            write(
                inbox / source / period / f"{table.name}.csv",
                csv_bytes(list(GOOD[table.name]), good_rows(table.name, corpus.ROWS)),
            )
    patch = pytest.MonkeyPatch()
    patch.setenv("SENDBOARD_INBOX", str(inbox))
    patch.setenv("SENDBOARD_HOME", str(home))
    airflow_env.migrate_metadata_db()
    from airflow.dag_processing.dagbag import DagBag

    dags = DagBag(str(Path(__file__).resolve().parents[2] / "dags")).dags
    for dag_id, period in (
        ("extract_school_census", "2025-01"),
        ("extract_case_management", PUBLISHED_MONTH),
        ("extract_health_waiting_lists", PUBLISHED_MONTH),
        ("publish_board_snapshot", PUBLISHED_MONTH),
    ):
        assert dags[dag_id].test(run_conf={"period": period}).state == "success", dag_id
    cases = corpus.build(root / "corpus")
    yield {
        "dags": dags,
        "inbox": inbox,
        "home": home,
        "corpus": root / "corpus",
        "cases": cases,
        "published": published(home, PUBLISHED_MONTH),
    }
    patch.undo()


def test_the_corpus_covers_every_rule_with_at_least_30_cases(world):
    cases = world["cases"]
    assert len(cases) >= 30
    file_rules = {
        "empty_file",
        "no_data_rows",
        "unreadable_file",
        "no_header",
        "missing_required_column",
        "duplicate_column",
        "sent_twice",
        "duplicate_primary_key",
    }
    row_rules = {
        "required_value_missing",
        "invalid_date",
        "invalid_number",
        "invalid_code",
        "invalid_flag",
        "invalid_upn",
        "invalid_nhs_number",
        "date_after_period_end",
        "date_before_1990",
        "dates_out_of_order",
        "sessions_missed_over_possible",
        "negative_count",
        "nsa_without_sen_support",
        "unknown_parent",
    }
    assert {c.rule for c in cases if c.outcome == "rejected"} == file_rules | row_rules
    assert {c.outcome for c in cases} == {"rejected", "accepted", "waiting"}


def _put_case_in_inbox(world, case) -> Path:
    folder = world["inbox"] / case.source / case.period
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(world["corpus"] / case.name / case.source / case.period, folder)
    shutil.rmtree(quarantine_folder(world["home"], case.source, case.period), ignore_errors=True)
    shutil.rmtree(raw_folder(world["home"], case.source, case.period), ignore_errors=True)
    return folder


def rejected_case_names() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        return [c.name for c, _ in corpus.cases(Path(scratch)) if c.outcome == "rejected"]


@pytest.mark.parametrize("name", rejected_case_names())
def test_a_rejected_file_is_named_quarantined_and_nothing_is_published(world, name):
    case = next(c for c in world["cases"] if c.name == name)
    folder = _put_case_in_inbox(world, case)
    home = world["home"]
    with pytest.raises(PeriodRejected) as raised:
        land_period(Inbox(str(world["inbox"])), case.source, case.period, home, config.pseudonymisation_key())
    message = str(raised.value)
    # the message names file, rule, column and rows; it quotes no value from the file
    assert f"{case.file} rejected" in message and f"rule {case.rule}" in message
    if case.column:
        assert f"column {case.column}" in message
    if case.rows:
        rows = ", ".join(map(str, case.rows))
        assert f"row{'s' if len(case.rows) > 1 else ''} {rows}" in message
    for value in (corpus.PLANTED, UPN_A, NHS_A, "HYPERLINK", "E-DUP", "Z12345678901Z"):
        assert value not in message
    # quarantined unchanged, with a report that says the same and quotes nothing
    quarantine = quarantine_folder(home, case.source, case.period)
    for sent in folder.iterdir():
        if sent.name == case.file or (case.file == f"{case.table}.*" and sent.stem == case.table):
            assert (quarantine / sent.name).read_bytes() == sent.read_bytes()
            report = json.loads((quarantine / f"{sent.name}.report.json").read_text())
            assert any(
                p["rule"] == case.rule and p["column"] == case.column and (not case.rows or p["rows"] == case.rows)
                for p in report["problems"]
            ), report
            text = (quarantine / f"{sent.name}.report.txt").read_text()
            assert corpus.PLANTED not in text and UPN_A not in text and NHS_A not in text
    # nothing of the period landed, the month cannot be built, what was published is untouched
    assert not raw_folder(home, case.source, case.period).exists()
    from sendboard.errors import NotReady
    from sendboard.publish.inputs import resolve_inputs

    with pytest.raises(NotReady):
        resolve_inputs(corpus.MONTH)
    assert not (home / "published" / corpus.MONTH).exists()
    assert published(home, PUBLISHED_MONTH) == world["published"]


def test_one_bad_row_in_50_is_left_out_and_counted(world):
    case = next(c for c in world["cases"] if c.name == "one_bad_row_in_50_is_accepted")
    _put_case_in_inbox(world, case)
    result = land_period(
        Inbox(str(world["inbox"])), case.source, case.period, world["home"], config.pseudonymisation_key()
    )
    requests = result.manifest["tables"]["requests"]
    # 50 rows read, 1 (2.0%, not more than 2%) left out, 49 landed
    assert (requests["rows_read"], requests["rows_left_out"], requests["rows_landed"]) == (50, 1, 49)
    assert requests["left_out_by_rule"] == [
        {"rule": "invalid_code", "column": "request_source", "rows": 1, "row_numbers": [2]}
    ]
    errors = duckdb.sql(
        f"select table_name, source_row, rule, column_name from '{result.folder / 'row_errors.parquet'}'"
    ).fetchall()
    assert errors == [("requests", 2, "invalid_code", "request_source")]


def test_formula_looking_text_and_windows_1252_text_land_as_plain_text(world):
    for name, expected in (
        ("formula_strings_in_text_columns", {"=1+1", "+44 1234", "-2", "@SUM(A1)"}),
        ("windows_1252_text", {"St Mary’s £ School"}),
    ):
        case = next(c for c in world["cases"] if c.name == name)
        _put_case_in_inbox(world, case)
        result = land_period(
            Inbox(str(world["inbox"])), case.source, case.period, world["home"], config.pseudonymisation_key()
        )
        assert result.manifest["tables"]["schools"]["rows_left_out"] == 0
        names = {r[0] for r in duckdb.sql(f"select school_name from '{result.folder / 'schools.parquet'}'").fetchall()}
        assert names == expected, name


def test_a_period_missing_a_table_is_waited_for_not_failed(world):
    from sendboard.ingest.extract import period_is_complete

    case = next(c for c in world["cases"] if c.name == "table_missing_from_period")
    _put_case_in_inbox(world, case)
    inbox = Inbox(str(world["inbox"]))
    assert inbox.missing_tables(case.source, case.period) == ["plan_audits"]
    assert case.period not in inbox.complete_periods(case.source)
    assert period_is_complete(case.source, case.period) is False  # the sensor keeps waiting
    assert not quarantine_folder(world["home"], case.source, case.period).exists()


def test_the_publish_dag_refuses_a_month_whose_extract_was_rejected(world):
    case = next(c for c in world["cases"] if c.name == "invalid_nhs_number")
    _put_case_in_inbox(world, case)  # health 2025-04 rejected; case management 2025-04 not landed
    with pytest.raises(PeriodRejected):
        land_period(Inbox(str(world["inbox"])), case.source, case.period, world["home"], config.pseudonymisation_key())
    run = world["dags"]["publish_board_snapshot"].test(run_conf={"period": corpus.MONTH})
    assert run.state == "failed"
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["select_inputs"].endswith("failed") and states["publish"].endswith("upstream_failed")
    assert not (world["home"] / "published" / corpus.MONTH).exists()
    assert published(world["home"], PUBLISHED_MONTH) == world["published"]
