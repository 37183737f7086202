"""The comparators through the real DAGs: a synthetic DfE release and neighbours workbook land with
extract_dfe_statistics, the sample's synthetic NHS England CHS workbooks with extract_nhs_statistics
(into the dbt sources), the publication of 2025-11 and 2025-12 writes board_comparators.csv and
board_health_waits.csv and shows them in the pack, and the analysts' copy has them.

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

from sendboard import periods
from sendboard.devtools import chs_sample, dfe_sample
from sendboard.devtools.generator import generate
from sendboard.devtools.world import SCALES, World, _days
from tests.support.worker import run_worker

pytestmark = pytest.mark.e2e
HEALTH_KPI = "T1_HEALTH_WAIT_18WK"
FOUR = ("SALT", "COMMUNITY_PAEDIATRICS", "OCCUPATIONAL_THERAPY", "PHYSIOTHERAPY")
SEED = 20261122
RUNS = [
    "extract_dfe_statistics:",
    "extract_nhs_statistics:",
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
    settings = {
        "SENDBOARD_LA_CODE": dfe_sample.SAMPLE_LA_CODE,
        "SENDBOARD_ICB_CODE": chs_sample.SAMPLE_ICB[0],
        "SENDBOARD_HEALTH_PROVIDERS": "RNU, Sample Shire University Hospitals",  # a code and a name
        "SENDBOARD_NHS_REGION": "south east",
    }
    before = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        code, output = run_worker(home, inbox, RUNS)
    finally:
        for name, value in before.items():
            os.environ.pop(name) if value is None else os.environ.update({name: value})
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


def comparators_csv(home: Path, month: str, kpis: str = "dfe") -> list[dict]:
    """The DfE's rows (kpis="dfe") or the health comparators' (kpis="health")."""
    text = (home / "published" / month / "board_comparators.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return [r for r in rows if (r["kpi_id"] == HEALTH_KPI) == (kpis == "health")]


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
    assert "<th>Comparators</th>" in page and "<h2>How we compare</h2>" in page
    assert f"England {england} (we are " in page
    assert f"comparator England {england} (2025)" in page  # the chart's aria-label names its line
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in page
    assert "No comparators" not in page


def test_the_analysts_copy_has_every_published_month_s_comparators(published):
    with duckdb.connect(str(published / "analytics" / "sendboard_analytics.duckdb"), read_only=True) as con:
        counts = dict(con.execute("select period, count(*) from analytics.kpi_comparators group by period").fetchall())
        value = con.execute(
            "select value from analytics.kpi_comparators where period = '2025-11' and kpi_id = 'T2_EHCP_20WK_EXCL' "
            "and comparator = 'ENGLAND'"
        ).fetchone()
    assert counts == {"2025-11": 32 + 5, "2025-12": 32 + 5}  # the DfE's and the health comparators
    assert (
        str(value[0])
        == {(r["kpi_id"], r["comparator"]): r for r in comparators_csv(published, "2025-11")}[
            ("T2_EHCP_20WK_EXCL", "ENGLAND")
        ]["value"]
    )


def waiting_at(world: World, month: str, providers: tuple[str, ...]) -> tuple[int, int]:
    """(over 18 weeks, waiting) at the month end over the four matched services, counted here from the
    sample world's referrals with pandas: NHS England's definition (more than 126 days)."""
    end = _days(periods.last_day(month))
    r = world.referrals
    waiting = r[(r.referred <= end) & (r.closed > end) & r.provider_code.isin(providers) & r.service.isin(FOUR)]
    return int(((end - waiting.referred) > 126).sum()), len(waiting)


def test_the_health_comparators_are_the_chs_figures_of_the_month_for_each_area(published):
    world = World(SCALES["county"], "2025-11", 2, SEED)
    rows = comparators_csv(published, "2025-12", "health")
    assert [(r["comparator"], r["comparator_name"]) for r in rows] == [
        ("ENGLAND", "England"),
        ("NHS_REGION", "SOUTH EAST"),
        ("ICB", chs_sample.SAMPLE_ICB[1].upper()),
        ("PROVIDER", "SAMPLE SHIRE HEALTH NHS FOUNDATION TRUST"),
        ("PROVIDER", "SAMPLE SHIRE UNIVERSITY HOSPITALS NHS FOUNDATION TRUST"),
    ]
    by = {r["comparator_name"]: r for r in rows}
    icb = by[chs_sample.SAMPLE_ICB[1].upper()]
    over, waiting = waiting_at(world, "2025-12", ("RTH", "RNU", "RWX"))
    assert (icb["comparator_period"], icb["numerator"], icb["denominator"]) == ("2025-12", str(over), str(waiting))
    assert icb["value"] == f"{Decimal(100 * over) / Decimal(waiting):.1f}"
    over, waiting = waiting_at(world, "2025-12", ("RNU",))
    rnu = by["SAMPLE SHIRE HEALTH NHS FOUNDATION TRUST"]
    assert (rnu["numerator"], rnu["denominator"]) == (str(over), str(waiting))
    assert "neurodevelopmental and CAMHS" in icb["note"] and icb["source"].startswith("NHS England")
    # November's workbook (the names-only layout) is November's comparator, its providers found by the
    # code learned from December's
    november = comparators_csv(published, "2025-11", "health")
    assert {r["comparator_period"] for r in november} == {"2025-11"} and len(november) == 5


def test_board_health_waits_has_each_service_of_each_area_and_the_pack_shows_them(published):
    text = (published / "published" / "2025-12" / "board_health_waits.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == (
        "period,chs_month,area_level,area_code,area_name,service,waiting,waiting_18_to_52_weeks,"
        "waiting_over_52_weeks,share_over_18_weeks"
    )
    latest = [r for r in rows if r["chs_month"] == "2025-12"]
    assert len(latest) == 5 * 4 and {r["service"] for r in latest} == set(FOUR)
    # the trend: November's rows too, in the same version
    assert {r["chs_month"] for r in rows} == {"2025-11", "2025-12"}
    icb_codes = {r["area_code"] for r in latest if r["area_level"] == "ICB"}
    assert icb_codes == {chs_sample.SAMPLE_ICB[0]}
    page = (published / "published" / "2025-12" / "board_pack.html").read_text(encoding="utf-8")
    assert "<h3>Community health waiting lists (NHS England)</h3>" in page
    england = next(r for r in comparators_csv(published, "2025-12", "health") if r["comparator"] == "ENGLAND")
    assert f"comparator England {england['value']} (CHS 2025-12)" in page  # a reference line on the chart
    assert "a different measure from our median wait" in page  # beside the SALT median wait
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in page


def test_the_analysts_copy_has_the_chs_waiting_lists(published):
    with duckdb.connect(str(published / "analytics" / "sendboard_analytics.duckdb"), read_only=True) as con:
        found = con.execute(
            "select chs_month, area_level, count(distinct service) from analytics.health_waits "
            "group by all order by all"
        ).fetchall()
    # each month and level; four matched lines and the synthetic files' two other CYP lines
    assert [(m, level) for m, level, _ in found] == [
        (m, level) for m in ("2025-11", "2025-12") for level in ("ENGLAND", "ICB", "NHS_REGION", "PROVIDER")
    ]
    assert {n for _, _, n in found} == {6}
