"""The whole pipeline through the real DAGs (dag.test) on a small generated inbox: publication,
trend, idempotent re-runs, version 2 from a corrected extract, and a failing check that publishes
nothing and leaves the earlier snapshot byte-identical."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sendboard import airflow_env, warehouse
from sendboard.generator import generate
from sendboard.publish import COLUMNS, PUBLISHED_FILES

pytestmark = pytest.mark.e2e


def snapshot_bytes(home: Path, period: str) -> dict[str, bytes]:
    folder = home / "published" / period
    return {name: (folder / name).read_bytes() for name in PUBLISHED_FILES}


def published_rows(home: Path, period: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((home / "published" / period / "board_snapshot.csv").read_text())))


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Land 2025-01 and 2025-02 of a small inbox through the extract DAGs; return (dags, inbox, home)."""
    root = tmp_path_factory.mktemp("publish")
    inbox, home = root / "inbox", root / "home"
    generate(inbox, start="2025-01", months=2, scale="small")
    patch = pytest.MonkeyPatch()
    patch.setenv("SENDBOARD_INBOX", str(inbox))
    patch.setenv("SENDBOARD_HOME", str(home))
    airflow_env.migrate_metadata_db()
    from airflow.dag_processing.dagbag import DagBag

    from sendboard import dbt_manifest

    dbt_manifest.ensure()
    dags = DagBag(str(Path(__file__).resolve().parents[2] / "dags")).dags
    for dag_id, period in (("extract_school_census", "2025-01"), ("extract_case_management", "2025-01"),
                           ("extract_health_waiting_lists", "2025-01"), ("extract_case_management", "2025-02"),
                           ("extract_health_waiting_lists", "2025-02")):
        assert dags[dag_id].test(run_conf={"period": period}).state == "success", (dag_id, period)
    yield dags, inbox, home
    patch.undo()


def publish(dags, period: str):
    return dags["publish_board_snapshot"].test(run_conf={"period": period})


def independent_health_wait(home: Path, period: str, month_end: str) -> tuple[int, int]:
    """T1_HEALTH_WAIT_18WK computed with pandas from the landed Parquet, not with the dbt models."""
    frame = pd.read_parquet(home / "raw" / "health_waiting_lists" / f"period={period}" / "referrals.parquet")
    end = pd.Timestamp(month_end)
    referred = pd.to_datetime(frame.referral_date)
    contact, removed = pd.to_datetime(frame.first_contact_date), pd.to_datetime(frame.removed_date)
    waiting = (referred <= end) & (contact.isna() | (contact > end)) & (removed.isna() | (removed > end))
    return int(((end - referred[waiting]).dt.days > 126).sum()), int(waiting.sum())


def independent_mainstream_share(home: Path, period: str, month_end: str) -> tuple[int, int]:
    """T3_EHCP_MAINSTREAM with pandas from the landed Parquet: plans active at E in a school setting."""
    plans = pd.read_parquet(home / "raw" / "case_management" / f"period={period}" / "plans.parquet")
    end = pd.Timestamp(month_end)
    started, ceased = pd.to_datetime(plans.start_date), pd.to_datetime(plans.ceased_date)
    active = plans[(started <= end) & (ceased.isna() | (ceased > end))]
    school = active[active.setting_type.isin(["MAINSTREAM_SCHOOL", "RESOURCED_PROVISION", "STATE_SPECIAL",
                                              "INDEPENDENT_SPECIAL", "ALTERNATIVE_PROVISION"])]
    return int(school.setting_type.isin(["MAINSTREAM_SCHOOL", "RESOURCED_PROVISION"]).sum()), len(school)


def test_publishes_every_kpi_in_order_with_the_right_figures(pipeline):
    dags, _, home = pipeline
    assert publish(dags, "2025-01").state == "success"
    rows = published_rows(home, "2025-01")
    assert list(rows[0]) == COLUMNS
    from sendboard.board import kpi_catalogue

    assert [r["kpi_id"] for r in rows] == [k["kpi_id"] for k in kpi_catalogue()]
    assert {r["period"] for r in rows} == {"2025-01"} and {r["version"] for r in rows} == {"1"}
    by_id = {r["kpi_id"]: r for r in rows}
    numerator, denominator = independent_health_wait(home, "2025-01", "2025-01-31")
    assert denominator >= 10
    health = by_id["T1_HEALTH_WAIT_18WK"]
    assert (int(health["numerator"]), int(health["denominator"])) == (numerator, denominator)
    expected = (2000 * numerator + denominator) // (2 * denominator) / 10  # half away from zero, 1 dp
    assert health["value"] == f"{expected:.1f}"
    numerator, denominator = independent_mainstream_share(home, "2025-01", "2025-01-31")
    mainstream = by_id["T3_EHCP_MAINSTREAM"]
    assert denominator >= 10
    assert (int(mainstream["numerator"]), int(mainstream["denominator"])) == (numerator, denominator)
    assert mainstream["value"] == f"{(2000 * numerator + denominator) // (2 * denominator) / 10:.1f}"
    # the Parquet holds the same rows as the CSV
    parquet = duckdb.sql(f"select * from '{home / 'published' / '2025-01' / 'board_snapshot.parquet'}'").df()
    assert list(parquet.columns) == COLUMNS and list(parquet.kpi_id) == [r["kpi_id"] for r in rows]
    assert not any(r["suppressed"] == "true" and (r["value"] or r["numerator"] or r["denominator"]) for r in rows)
    # the board pack beside them: every KPI, and nothing that would make a reader's browser go online
    pack = (home / "published" / "2025-01" / "board_pack.html").read_text()
    assert all(r["kpi_id"] in pack for r in rows)
    assert re.findall(r"(?:src|href)=[\"'](?!#)", pack) == [] and "@import" not in pack and "<script" not in pack


def test_next_month_carries_the_previous_value_and_a_rerun_publishes_nothing_new(pipeline):
    dags, _, home = pipeline
    assert publish(dags, "2025-02").state == "success"
    january = {r["kpi_id"]: r for r in published_rows(home, "2025-01")}
    february = {r["kpi_id"]: r for r in published_rows(home, "2025-02")}
    for kpi_id, row in february.items():
        assert row["previous_value"] == january[kpi_id]["value"], kpi_id
    before = snapshot_bytes(home, "2025-02")
    assert publish(dags, "2025-02").state == "success"
    assert snapshot_bytes(home, "2025-02") == before
    assert {r["version"] for r in published_rows(home, "2025-02")} == {"1"}


def test_a_corrected_extract_publishes_version_2_and_keeps_version_1(pipeline):
    dags, inbox, home = pipeline
    version_1 = snapshot_bytes(home, "2025-02")
    # the trust re-sends February without its last 50 referrals
    path = inbox / "health_waiting_lists" / "2025-02" / "referrals.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-50]))
    assert dags["extract_health_waiting_lists"].test(run_conf={"period": "2025-02"}).state == "success"
    assert publish(dags, "2025-02").state == "success"
    assert {r["version"] for r in published_rows(home, "2025-02")} == {"2"}
    kept = home / "published" / ".versions" / "2025-02" / "v1"
    assert {n: (kept / n).read_bytes() for n in version_1} == version_1
    con = warehouse.connect(home)  # dbt ran in this process: same connection configuration
    versions = con.execute("select version, count(*) from publication.board_snapshot_history "
                           "where period = '2025-02' group by 1 order by 1").fetchall()
    con.close()
    assert versions == [(1, 23), (2, 23)]


def test_a_failing_check_publishes_nothing_and_leaves_the_snapshot_byte_identical(pipeline):
    dags, _, home = pipeline
    before = snapshot_bytes(home, "2025-01")
    # a fault in the marts that the checks must catch: a percentage of 150
    con = warehouse.connect(home)
    con.execute("update board.board_snapshot_candidates set value = 150.0, suppressed = false "
                "where period = '2025-01' and kpi_id = 'T1_HEALTH_WAIT_18WK'")
    con.close()
    # keep the corrupted marts: mark the dbt tasks done instead of rebuilding them
    run = dags["publish_board_snapshot"].test(run_conf={"period": "2025-01"}, mark_success_pattern=r"dbt_build\..*")
    assert run.state == "failed"
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["check_marts"].endswith("failed") and states["publish"].endswith("upstream_failed")
    assert snapshot_bytes(home, "2025-01") == before
    report = (home / "data_quality" / "board" / "2025-01" / "mart_checks.json").read_text()
    assert '"success": false' in report


def test_make_run_knows_a_month_is_published_from_its_current_inputs(pipeline):
    from sendboard.board import published_from_same_inputs

    assert published_from_same_inputs("2025-02") is True
    assert published_from_same_inputs("2025-03") is False  # never landed


def test_an_unchanged_rerun_records_the_inputs_it_confirmed(pipeline):
    from sendboard.board import published_from_same_inputs
    from sendboard.publish import inputs_of_last_run

    dags, _, home = pipeline
    con = warehouse.connect(home)
    con.execute("delete from publication.publish_runs where period = '2025-02'")
    con.close()
    assert inputs_of_last_run(home, "2025-02") is None and published_from_same_inputs("2025-02") is False
    assert publish(dags, "2025-02").state == "success"  # nothing new: still version 2
    assert {r["version"] for r in published_rows(home, "2025-02")} == {"2"}
    assert published_from_same_inputs("2025-02") is True
