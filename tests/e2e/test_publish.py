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

from sendboard.devtools.generator import generate
from sendboard.orchestration import airflow_env
from sendboard.publish.snapshot import COLUMNS, PUBLISHED_FILES
from sendboard.warehouse import connection as warehouse
from tests.support.helpers import asset_events

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

    from sendboard.warehouse import dbt_manifest

    dbt_manifest.ensure()
    dags = DagBag(str(Path(__file__).resolve().parents[2] / "dags")).dags
    for dag_id, period in (
        ("extract_school_census", "2025-01"),
        ("extract_case_management", "2025-01"),
        ("extract_health_waiting_lists", "2025-01"),
        ("extract_case_management", "2025-02"),
        ("extract_health_waiting_lists", "2025-02"),
    ):
        assert dags[dag_id].test(run_conf={"period": period}).state == "success", (dag_id, period)
    yield dags, inbox, home
    patch.undo()


def publish(dags, period: str):
    return dags["publish_board_snapshot"].test(run_conf={"period": period})


def refresh_analytics_copy(dags):
    """What the scheduler runs on each `published_board_snapshot` event (dag.test() does not follow Assets)."""
    return dags["refresh_analytics_copy"].test()


def published_events() -> list[dict]:
    return asset_events("published_board_snapshot")


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
    school = active[
        active.setting_type.isin(
            [
                "MAINSTREAM_SCHOOL",
                "RESOURCED_PROVISION",
                "STATE_SPECIAL",
                "INDEPENDENT_SPECIAL",
                "ALTERNATIVE_PROVISION",
            ]
        )
    ]
    return int(school.setting_type.isin(["MAINSTREAM_SCHOOL", "RESOURCED_PROVISION"]).sum()), len(school)


def test_publishes_every_kpi_in_order_with_the_right_figures(pipeline):
    dags, _, home = pipeline
    assert publish(dags, "2025-01").state == "success"
    # the publication's Asset event, which triggers the analysts' copy
    assert published_events()[-1] == {"period": "2025-01", "status": "published", "version": 1}
    rows = published_rows(home, "2025-01")
    assert list(rows[0]) == COLUMNS
    from sendboard.publish.catalogue import kpi_catalogue

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
    parquet = duckdb.sql(f"select * from '{home / 'published' / '2025-01' / 'board_snapshot.parquet'}'")
    assert parquet.columns == COLUMNS and [k for (k,) in parquet.select("kpi_id").fetchall()] == [
        r["kpi_id"] for r in rows
    ]
    assert not any(r["suppressed"] == "true" and (r["value"] or r["numerator"] or r["denominator"]) for r in rows)
    # the board pack beside them: every KPI, and nothing that would make a reader's browser go online
    pack = (home / "published" / "2025-01" / "board_pack.html").read_text()
    assert all(r["kpi_id"] in pack for r in rows)
    assert re.findall(r"(?:src|href)=[\"'](?!#)", pack) == [] and "@import" not in pack and "<script" not in pack


ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_the_board_pack_reads_well_in_chromium_and_prints_to_an_a4_pdf(pipeline):
    """Open the published pack in headless Chromium as a reader would: no console error, no
    request beyond the file itself, every KPI's title on the page; keep a screenshot."""
    from playwright.sync_api import sync_playwright

    from sendboard.publish.catalogue import kpi_catalogue
    from sendboard.publish.pdf import FLAGS, chromium

    _, _, home = pipeline
    pack = (home / "published" / "2025-01" / "board_pack.html").resolve()
    errors, requests = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=[f for f in FLAGS if f != "--headless"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(pack.as_uri(), wait_until="load")
        text = page.inner_text("body")
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "board_pack_2025-01.png"), full_page=True)
        browser.close()
    assert errors == []
    assert requests == [pack.as_uri()]
    assert "2025-01" in text
    for kpi in kpi_catalogue():
        assert kpi["kpi_name"] in text, kpi["kpi_id"]
    assert (ARTEFACTS / "board_pack_2025-01.png").stat().st_size > 10_000
    pdf = (home / "published" / "2025-01" / "board_pack.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    # A4 is 595 x 842 points; the pack is several pages (grid, trends, data quality, definitions)
    boxes = re.findall(rb"/MediaBox \[0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)\]", pdf)
    assert len(boxes) >= 3
    assert all(abs(float(w) - 595) < 1.5 and abs(float(h) - 842) < 1.5 for w, h in boxes)


def test_analysts_get_a_documented_pseudonymised_read_only_copy(pipeline):
    from sendboard.publish.analytics_copy import VIEWS, path

    dags, _, home = pipeline
    copy = path(home)
    # the publication did not wait for the copy: its own DAG makes it, on the publication's event
    assert not copy.exists()
    run = refresh_analytics_copy(dags)
    assert run.state == "success"
    [task] = run.get_task_instances()
    assert str(task.state).endswith("success")
    assert copy.exists() and not copy.stat().st_mode & 0o222  # nobody writes to it
    con = duckdb.connect(str(copy), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute("select table_name from duckdb_tables() where schema_name = 'analytics'").fetchall()
        }
        assert tables == {*VIEWS, "kpi_spc", "kpi_comparators", "copy_info"} and "kpi_records" in VIEWS
        assert con.execute("select count(*) from duckdb_tables() where schema_name <> 'analytics'").fetchone() == (0,)
        # the board's figures, as published
        published = {r["kpi_id"]: r for r in published_rows(home, "2025-01")}
        kpis = con.execute(
            "select kpi_id, value, rag, version from analytics.kpi_by_month "
            "where period = '2025-01' order by sort_order"
        ).fetchall()
        assert [k for k, *_ in kpis] == list(published)
        for kpi_id, value, rag, version in kpis:
            row = published[kpi_id]
            assert (rag or "", version) == (row["rag"], 1), kpi_id
            assert ("" if value is None else (f"{value:.0f}" if row["unit"] == "count" else f"{value:.1f}")) == row[
                "value"
            ], kpi_id
        # SPC: one point per KPI with a published value in 2025-01, its value the published one
        spc = dict(con.execute("select kpi_id, value from analytics.kpi_spc where period = '2025-01'").fetchall())
        assert spc == {k: float(v) for k, _, _, _ in kpis for v in [published[k]["value"]] if v != ""}
        # the populations, counted independently from the landed Parquet with pandas
        _, waiting = independent_health_wait(home, "2025-01", "2025-01-31")
        assert con.execute(
            "select count(*) from analytics.referrals_waiting_by_month where period = '2025-01'"
        ).fetchone() == (waiting,)
        plans = pd.read_parquet(home / "raw" / "case_management" / "period=2025-01" / "plans.parquet")
        started, ceased = pd.to_datetime(plans.start_date), pd.to_datetime(plans.ceased_date)
        end = pd.Timestamp("2025-01-31")
        active = int(((started <= end) & (ceased.isna() | (ceased > end))).sum())
        assert con.execute(
            "select count(*) from analytics.plans_active_by_month where period = '2025-01'"
        ).fetchone() == (active,)
        pupils = pd.read_parquet(home / "raw" / "school_census" / "period=2025-01" / "pupils.parquet")
        assert con.execute(
            "select count(*) from analytics.census_pupils_by_term where census_period = '2025-01'"
        ).fetchone() == (len(pupils),)
        # pseudonyms only: no identifier column and no date of birth
        columns = [r[0] for r in con.execute("select column_name from duckdb_columns()").fetchall()]
        assert not [c for c in columns if re.search(r"upn|nhs|person", c) and not c.endswith("_pseudonym")]
        assert not [c for c in columns if "birth" in c]
        # dbt's descriptions came along
        comment = con.execute("select comment from duckdb_tables() where table_name = 'kpi_by_month'").fetchone()[0]
        assert comment.startswith("Grain: one row per published month and KPI.")
    finally:
        con.close()


def test_the_dbt_docs_site_is_generated_under_sendboard_home_and_served_on_loopback(pipeline):
    import threading
    import urllib.request

    from sendboard.warehouse import dbt_docs

    _, _, home = pipeline
    # dbt ran in this process (dag.test) and still holds the warehouse, as a running pipeline
    # would: the site is generated without the catalog rather than failing or waiting
    site, full_catalog = dbt_docs.generate(home)
    assert site == home / "dbt_docs" and full_catalog is False
    static = (site / "static_index.html").read_text()
    assert "Grain: one row per published month and KPI." in static
    with dbt_docs.server(home, 0) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        host, port = httpd.server_address
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as response:
            assert response.status == 200 and b"dbt" in response.read()
        httpd.shutdown()


def test_next_month_carries_the_previous_value_and_a_rerun_publishes_nothing_new(pipeline):
    from sendboard.publish.analytics_copy import path

    dags, _, home = pipeline
    # an analyst holds the copy open through the run: it neither blocks the publication nor sees
    # it half-done; a new connection sees the new month
    analyst = duckdb.connect(str(path(home)), read_only=True)
    latest = "select max(period) from analytics.kpi_by_month"
    assert analyst.execute(latest).fetchone() == ("2025-01",)
    run = publish(dags, "2025-02")
    assert run.state == "success"
    # January's run built the warehouse from every landed month and its tests and checks passed:
    # February's run has nothing for dbt to do (board_snapshot_candidates is a view, so February's
    # previous value is January's publication, checked below)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["dbt_build.dbt_producer_watcher"].endswith("skipped")
    assert states["dbt_build.dbt_test"].endswith("skipped") and states["check_marts"].endswith("success")
    assert published_events()[-1] == {"period": "2025-02", "status": "published", "version": 1}
    with duckdb.connect(str(path(home)), read_only=True) as fresh:  # the copy follows in its own run
        assert fresh.execute(latest).fetchone() == ("2025-01",)
    assert refresh_analytics_copy(dags).state == "success"
    assert analyst.execute(latest).fetchone() == ("2025-01",)
    analyst.close()
    with duckdb.connect(str(path(home)), read_only=True) as fresh:
        assert fresh.execute(latest).fetchone() == ("2025-02",)
    january = {r["kpi_id"]: r for r in published_rows(home, "2025-01")}
    february = {r["kpi_id"]: r for r in published_rows(home, "2025-02")}
    for kpi_id, row in february.items():
        assert row["previous_value"] == january[kpi_id]["value"], kpi_id
    before = snapshot_bytes(home, "2025-02")
    assert publish(dags, "2025-02").state == "success"
    assert snapshot_bytes(home, "2025-02") == before
    # an unchanged re-run is a publication too: the copy is refreshed after it (a failed refresh's cure)
    assert published_events()[-1] == {"period": "2025-02", "status": "unchanged", "version": 1}
    assert {r["version"] for r in published_rows(home, "2025-02")} == {"1"}


def test_a_corrected_extract_publishes_version_2_and_keeps_version_1(pipeline):
    dags, inbox, home = pipeline
    version_1 = snapshot_bytes(home, "2025-02")
    # the trust re-sends February without its last 50 referrals
    path = inbox / "health_waiting_lists" / "2025-02" / "referrals.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-50]))
    assert dags["extract_health_waiting_lists"].test(run_conf={"period": "2025-02"}).state == "success"
    run = publish(dags, "2025-02")
    assert run.state == "success"
    # a re-landed extract is new input: dbt builds again
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["dbt_build.dbt_producer_watcher"].endswith("success") and states["dbt_build.dbt_test"].endswith(
        "success"
    )
    assert {r["version"] for r in published_rows(home, "2025-02")} == {"2"}
    kept = home / "published" / ".versions" / "2025-02" / "v1"
    assert {n: (kept / n).read_bytes() for n in version_1} == version_1
    con = warehouse.connect(home)  # dbt ran in this process: same connection configuration
    versions = con.execute(
        "select version, count(*) from publication.board_snapshot_history "
        "where period = '2025-02' group by 1 order by 1"
    ).fetchall()
    con.close()
    assert versions == [(1, 23), (2, 23)]


def test_a_failing_check_publishes_nothing_and_leaves_the_snapshot_byte_identical(pipeline):
    dags, _, home = pipeline
    before = snapshot_bytes(home, "2025-01")
    # a fault in the marts that the checks must catch: a percentage of 150 (denominator >= 10: not
    # suppressed, so it reaches the board snapshot's value)
    con = warehouse.connect(home)
    con.execute(
        "update restricted.fct_kpi_values set value = 150.0, denominator = greatest(denominator, 10) "
        "where period = '2025-01' and kpi_id = 'T1_HEALTH_WAIT_18WK'"
    )
    con.close()
    # keep the corrupted marts: mark the dbt tasks done instead of rebuilding them
    run = dags["publish_board_snapshot"].test(run_conf={"period": "2025-01"}, mark_success_pattern=r"dbt_build\..*")
    assert run.state == "failed"
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states["check_marts"].endswith("failed") and states["publish"].endswith("upstream_failed")
    assert snapshot_bytes(home, "2025-01") == before
    # a failed check means the warehouse is not trusted any more: the next run builds it again
    con = warehouse.connect(home)
    assert con.execute("select count(*) from publication.warehouse_build").fetchone() == (0,)
    con.close()
    report = (home / "data_quality" / "board" / "2025-01" / "mart_checks.json").read_text()
    assert '"success": false' in report
    # nor is it copied for the analysts: the refresh is skipped and their copy stays as it was
    from sendboard.publish.analytics_copy import path

    copy_before = path(home).read_bytes()
    run = refresh_analytics_copy(dags)
    [task] = run.get_task_instances()
    assert str(task.state).endswith("skipped")
    assert path(home).read_bytes() == copy_before


def test_a_failing_dbt_test_stops_the_build_and_publishes_nothing(pipeline):
    dags, _, home = pipeline
    before = snapshot_bytes(home, "2025-01")
    # a landed file whose key is no longer unique (the landing rules would have rejected it; here the
    # Parquet is damaged after landing), so stg_health_waiting_lists__referrals' uniqueness test fails
    landed = home / "raw" / "health_waiting_lists" / "period=2025-01" / "referrals.parquet"
    original = landed.read_bytes()
    damaged = landed.with_name("damaged.parquet")
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * from read_parquet('{landed}') union all "
            f"(select * from read_parquet('{landed}') limit 1)) to '{damaged}' (format parquet)"
        )
    damaged.replace(landed)
    try:
        run = publish(dags, "2025-01")
    finally:
        landed.write_bytes(original)
    assert run.state == "failed"
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    # the models build; the test task (every dbt test, after the build) fails and stops the run
    assert states["dbt_build.dbt_producer_watcher"].endswith("success")
    assert states["dbt_build.dbt_test"].endswith("failed")
    assert states["check_marts"].endswith("upstream_failed") and states["publish"].endswith("upstream_failed")
    assert snapshot_bytes(home, "2025-01") == before


def test_make_run_knows_a_month_is_published_from_its_current_inputs(pipeline):
    from sendboard.publish.inputs import published_from_same_inputs

    assert published_from_same_inputs("2025-02") is True
    assert published_from_same_inputs("2025-03") is False  # never landed


def test_an_unchanged_rerun_records_the_inputs_it_confirmed(pipeline):
    from sendboard.publish.inputs import published_from_same_inputs
    from sendboard.publish.snapshot import inputs_of_last_run

    dags, _, home = pipeline
    con = warehouse.connect(home)
    con.execute("delete from publication.publish_runs where period = '2025-02'")
    con.close()
    assert inputs_of_last_run(home, "2025-02") is None and published_from_same_inputs("2025-02") is False
    assert publish(dags, "2025-02").state == "success"  # nothing new: still version 2
    assert {r["version"] for r in published_rows(home, "2025-02")} == {"2"}
    assert published_from_same_inputs("2025-02") is True
