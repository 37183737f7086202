"""The DfE comparators through the real DAGs: a synthetic DfE release and neighbours workbook land with
extract_dfe_statistics (into the dbt source), the publication of 2025-11 and 2025-12 writes
board_comparators.csv and shows them in the pack, and the analysts' copy has them.

The synthetic release covers the calendar year 2025, and the sample's own LA (990, "Sample County")
has the figures the DfE would count from the sample's records: its 2025 timeliness excluding
exceptions equals our published T2_EHCP_20WK_EXCL_R12 for December 2025, so the December check finds
them in agreement. The expected figures are read from the zip's CSV here with the csv module, not
with sendboard's reader.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sendboard.devtools import dfe_sample
from sendboard.devtools.generator import generate
from sendboard.devtools.world import SCALES, World
from tests.support.worker import run_worker

pytestmark = pytest.mark.e2e
SEED = 20261122
RUNS = [
    "extract_dfe_statistics:",
    "extract_school_census:2025-10",
    *(f"{dag}:{m}" for m in ("2025-11", "2025-12")
      for dag in ("extract_case_management", "extract_health_waiting_lists")),
    "publish_board_snapshot:2025-11",
    "publish_board_snapshot:2025-12",
    "refresh_analytics_copy:2025-12",
]  # fmt: skip


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> tuple[Path, Path]:
    """(SENDBOARD_HOME, inbox) after the runs."""
    home, inbox = tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("inbox")
    generate(inbox, start="2025-11", months=2, seed=SEED)
    # the release that covers 2025 (published June 2026), in place of the one the short sample brings
    for old in (inbox / "dfe_statistics").glob("*.zip"):
        old.unlink()
    dfe_sample.write_release(inbox / "dfe_statistics", World(SCALES["county"], "2025-11", 2, SEED), 2025, SEED)
    before = os.environ.get("SENDBOARD_LA_CODE")
    os.environ["SENDBOARD_LA_CODE"] = dfe_sample.SAMPLE_LA_CODE
    try:
        code, output = run_worker(home, inbox, RUNS)
    finally:
        os.environ.pop("SENDBOARD_LA_CODE") if before is None else os.environ.update(SENDBOARD_LA_CODE=before)
    assert code == 0, output[-4000:]
    return home, inbox


@pytest.fixture(scope="module")
def published(paths) -> Path:
    return paths[0]


def national_row(home_inbox_zip: Path, file: str, topic: str, year: str) -> dict:
    with zipfile.ZipFile(home_inbox_zip) as archive:
        text = archive.read(f"data/{file}").decode("utf-8-sig")
    return next(
        r
        for r in csv.DictReader(io.StringIO(text))
        if r["geographic_level"] == "National" and r["time_period"] == year and r["breakdown_topic"] == topic
    )


def comparators_csv(home: Path, month: str) -> list[dict]:
    text = (home / "published" / month / "board_comparators.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_board_comparators_csv_has_the_issue_columns_and_four_comparators_per_kpi(published):
    text = (published / "published" / "2025-12" / "board_comparators.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "period,kpi_id,comparator,comparator_name,comparator_period,value,numerator,denominator,"
        "neighbours_with_value,source,note"
    )
    rows = comparators_csv(published, "2025-12")
    assert len(rows) == 8 * 4 and {r["period"] for r in rows} == {"2025-12"}
    assert {r["comparator"] for r in rows} == {"ENGLAND", "REGION", "STATISTICAL_NEIGHBOURS", "LA_PUBLISHED"}
    by = {(r["kpi_id"], r["comparator"]): r for r in rows}
    assert by[("T2_EHCP_20WK_EXCL", "LA_PUBLISHED")]["comparator_name"] == "Sample County"
    assert by[("T2_EHCP_20WK_EXCL", "REGION")]["comparator_name"] == "Sample North"
    assert by[("T2_EHCP_20WK_EXCL", "ENGLAND")]["source"] == (
        "education-health-and-care-plans_2026.zip: data/timeliness_20_week.csv"
    )
    # the sample LA's neighbours are 970..979; 979's caseload is withheld (x): 9 of 10 have a value
    assert by[("T3_EHCP_MAINSTREAM", "STATISTICAL_NEIGHBOURS")]["neighbours_with_value"] == "9"
    assert by[("T2_EHCP_20WK_EXCL", "STATISTICAL_NEIGHBOURS")]["neighbours_with_value"] == "10"
    assert by[("T3_EHCP_MAINSTREAM", "ENGLAND")]["comparator_period"] == "202526"


def test_england_is_the_release_national_row_rounded_as_the_dfe_rounds(paths):
    published, inbox = paths
    rows = {(r["kpi_id"], r["comparator"]): r for r in comparators_csv(published, "2025-12")}
    inbox_zip = inbox / "dfe_statistics" / "education-health-and-care-plans_2026.zip"
    national = national_row(inbox_zip, "timeliness_20_week.csv", "All EHC plans issued", "2025")
    england = rows[("T2_EHCP_20WK_EXCL", "ENGLAND")]
    assert (england["numerator"], england["denominator"]) == (
        national["plans_issued_20_weeks_ex"],
        national["plans_issued_den_ex"],
    )
    assert england["value"] == national["pc_plans_issued_20_weeks_ex"]  # the DfE's own, one decimal
    assert Decimal(england["value"]) == round(
        Decimal(national["plans_issued_20_weeks_ex"]) * 100 / Decimal(national["plans_issued_den_ex"]), 1
    )


def test_the_december_r12_figure_agrees_with_the_la_figure_the_dfe_published(published):
    snapshot = {
        r["kpi_id"]: r
        for r in csv.DictReader(
            io.StringIO((published / "published" / "2025-12" / "board_snapshot.csv").read_text(encoding="utf-8"))
        )
    }
    theirs = {(r["kpi_id"], r["comparator"]): r for r in comparators_csv(published, "2025-12")}[
        ("T2_EHCP_20WK_EXCL_R12", "LA_PUBLISHED")
    ]
    ours = snapshot["T2_EHCP_20WK_EXCL_R12"]
    assert (ours["numerator"], ours["denominator"], ours["value"]) == (
        theirs["numerator"],
        theirs["denominator"],
        theirs["value"],
    )
    page = (published / "published" / "2025-12" / "board_pack.html").read_text(encoding="utf-8")
    assert "disagree" not in page


def test_the_pack_shows_them_beside_the_values_on_the_charts_and_with_the_ogl_line(published):
    page = (published / "published" / "2025-12" / "board_pack.html").read_text(encoding="utf-8")
    rows = {(r["kpi_id"], r["comparator"]): r for r in comparators_csv(published, "2025-12")}
    england = rows[("T1_DECISIONS_6WK", "ENGLAND")]["value"]
    assert "<th>DfE comparators</th>" in page and "<h2>How we compare</h2>" in page
    assert f"England {england} (we are " in page
    assert f"DfE comparator England {england} (2025)" in page  # the chart's aria-label names its line
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in page
    assert "No comparators" not in page


def test_the_analysts_copy_has_every_published_month_s_comparators(published):
    with duckdb.connect(str(published / "analytics" / "sendboard_analytics.duckdb"), read_only=True) as con:
        counts = dict(con.execute("select period, count(*) from analytics.kpi_comparators group by period").fetchall())
        value = con.execute(
            "select value from analytics.kpi_comparators where period = '2025-11' and kpi_id = 'T2_EHCP_20WK_EXCL' "
            "and comparator = 'ENGLAND'"
        ).fetchone()
    assert counts == {"2025-11": 32, "2025-12": 32}
    assert (
        str(value[0])
        == {(r["kpi_id"], r["comparator"]): r for r in comparators_csv(published, "2025-11")}[
            ("T2_EHCP_20WK_EXCL", "ENGLAND")
        ]["value"]
    )
