"""Each extract DAG, run with dag.test() on a small generated inbox, lands its periods and emits the
Asset event that carries the period; a bad file fails the run at `land` with no retry and is quarantined."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sendboard.devtools.generator import generate
from sendboard.orchestration import airflow_env
from tests.support.helpers import asset_events

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def dag_bag():
    airflow_env.migrate_metadata_db()
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(str(Path(__file__).resolve().parents[2] / "dags"))


@pytest.fixture
def inbox(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "inbox"
    generate(folder, start="2025-01", months=1, scale="small")
    monkeypatch.setenv("SENDBOARD_INBOX", str(folder))
    monkeypatch.setenv("SENDBOARD_HOME", str(tmp_path / "home"))
    return folder


@pytest.mark.parametrize(
    "source, period, tables",
    [
        ("case_management", "2025-01", {"requests", "advice", "plans", "annual_reviews", "plan_audits"}),
        ("health_waiting_lists", "2025-01", {"referrals"}),
        ("school_census", "2025-01", {"schools", "pupils"}),
    ],
)
def test_extract_dag_lands_the_period_and_emits_its_asset_event(dag_bag, inbox, tmp_path, source, period, tables):
    run = dag_bag.dags[f"extract_{source}"].test(run_conf={"period": period})
    assert run.state == "success"
    landed = tmp_path / "home" / "raw" / source / f"period={period}"
    assert {p.stem for p in landed.glob("*.parquet")} == tables | {"row_errors"}
    manifest = json.loads((landed / "manifest.json").read_text())
    assert set(manifest["tables"]) == tables
    assert all(t["rows_landed"] == t["rows_read"] > 0 for t in manifest["tables"].values())
    checks = json.loads((tmp_path / "home" / "data_quality" / source / period / "raw_checks.json").read_text())
    assert all(s["success"] for s in checks["suites"]) and len(checks["suites"]) == len(tables)
    event = asset_events(f"landed_{source}")[-1]
    assert event["period"] == period and event["status"] == "landed"


def test_a_bad_file_fails_the_run_at_land_without_retry_and_is_quarantined(dag_bag, inbox, tmp_path):
    period_folder = inbox / "health_waiting_lists" / "2025-01"
    (period_folder / "referrals.csv").write_bytes(b"referral_id,nhs_number\nF1,123\n")
    run = dag_bag.dags["extract_health_waiting_lists"].test(run_conf={"period": "2025-01"})
    assert run.state == "failed"
    states = {ti.task_id: (ti.state, ti.try_number) for ti in run.get_task_instances()}
    assert states["land"] == ("failed", 1)
    quarantine = tmp_path / "home" / "quarantine" / "health_waiting_lists" / "2025-01"
    report = json.loads((quarantine / "referrals.csv.report.json").read_text())
    assert {p["column"] for p in report["problems"]} == {
        "date_of_birth",
        "provider_code",
        "service",
        "priority",
        "referral_date",
    }
    assert not (tmp_path / "home" / "raw" / "health_waiting_lists" / "period=2025-01").exists()


def test_an_incomplete_period_is_waited_for_not_failed(dag_bag, inbox, tmp_path):
    from sendboard.ingest.extract import period_is_complete

    shutil.move(inbox / "school_census" / "2025-01" / "pupils.csv", tmp_path / "pupils.csv")
    assert period_is_complete("school_census", "2025-01") is False
    shutil.move(tmp_path / "pupils.csv", inbox / "school_census" / "2025-01" / "pupils.csv")
    assert period_is_complete("school_census", "2025-01") is True
