"""Nothing under published/ gives a suppressed figure away, in any file, in its month or the next.

A small generated inbox for 2025-01..03, with planted small numbers (the rest of the month as
generated). Each planted figure, worked out by hand:

    T3_AWAITING_PLACEMENT (count; 1 to 4 suppressed): January 4 (suppressed), February 7
        (published), March 1 (suppressed): a suppressed month followed by a published one, and the
        other way round. Its denominator is every plan active at the month end.
    T2_HEALTH_ADVICE_6WK (%; a denominator of 1 to 9 suppressed): January 2 of 9 within 42 days
        = 22.2 (suppressed), February 8 of 10 = 80.0 (published), March 1 of 1 = 100.0 (suppressed).

Before the fix the pack's data-quality warnings printed the restricted month-on-month changes
("T3_AWAITING_PLACEMENT moved from 4.0 to 7.0", "T2_HEALTH_ADVICE_6WK moved from 22.2 to 80.0",
"moved from 80.0 to 100.0"): every one a suppressed figure in a public paper. The scan below reads
every published file (HTML text and attributes, the PDF's text, CSV, Parquet) for each suppressed
figure of the month and of the month before, next to the KPI's id or name: the planted ones and
every other cell the snapshot flags as suppressed.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from sendboard.devtools.generator import generate
from sendboard.publish.catalogue import kpi_catalogue
from tests.support.helpers import csv_bytes, write
from tests.support.worker import run_worker

pytestmark = pytest.mark.e2e
MONTHS = ("2025-01", "2025-02", "2025-03")
MONTH_END = {"2025-01": date(2025, 1, 31), "2025-02": date(2025, 2, 28), "2025-03": date(2025, 3, 31)}
AWAITING = {"2025-01": 4, "2025-02": 7, "2025-03": 1}
HEALTH_ADVICE = {"2025-01": (2, 9), "2025-02": (8, 10), "2025-03": (1, 1)}  # (within 42 days, received)
PLANTED_SUPPRESSED = {
    ("2025-01", "T3_AWAITING_PLACEMENT"),
    ("2025-03", "T3_AWAITING_PLACEMENT"),
    ("2025-01", "T2_HEALTH_ADVICE_6WK"),
    ("2025-03", "T2_HEALTH_ADVICE_6WK"),
}
RUNS = (
    ["extract_nhs_statistics:", "extract_school_census:2025-01"]
    + [f"{dag}:{m}" for m in MONTHS for dag in ("extract_case_management", "extract_health_waiting_lists")]
    + [f"publish_board_snapshot:{m}" for m in MONTHS]
    + ["project_ehc_plans:"]  # the latest published month (what the scheduler runs on the Asset)
    + ["refresh_analytics_copy:"]  # which the projection's Asset triggers
)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(folder: Path, table: str) -> list[dict]:
    """A generated table (CSV or XLSX) as text rows."""
    if (folder / f"{table}.csv").exists():
        return list(csv.DictReader(io.StringIO((folder / f"{table}.csv").read_text(encoding="utf-8"))))
    rows = CalamineWorkbook.from_path(str(folder / f"{table}.xlsx")).get_sheet_by_index(0).to_python()
    return [dict(zip(rows[0], (_text(v) for v in r))) for r in rows[1:]]


def write_csv(folder: Path, table: str, rows: list[dict]) -> None:
    """Send the table as UTF-8 CSV (a format partners use) in place of what the generator wrote."""
    for stale in folder.glob(f"{table}.*"):
        stale.unlink()
    write(folder / f"{table}.csv", csv_bytes(list(rows[0]), rows))


def plant(inbox: Path, month: str) -> None:
    end = MONTH_END[month]
    folder = inbox / "case_management" / month
    plans = read_table(folder, "plans")
    active = [
        p
        for p in plans
        if date.fromisoformat(p["start_date"]) <= end
        and (not p["ceased_date"] or date.fromisoformat(p["ceased_date"]) > end)
    ]
    for plan in plans:
        if plan["setting_type"] == "AWAITING_PLACEMENT":
            plan["setting_type"] = "MAINSTREAM_SCHOOL"
    assert len(active) > 20, len(active)
    for plan in active[: AWAITING[month]]:
        plan["setting_type"] = "AWAITING_PLACEMENT"
    write_csv(folder, "plans", plans)

    advice = read_table(folder, "advice")
    start = end.replace(day=1)
    received = [a for a in advice if a["received_date"] and start <= date.fromisoformat(a["received_date"]) <= end]
    for row in advice:
        if row["advice_type"] == "HEALTH":
            row["advice_type"] = "EDUCATION"
    within, count = HEALTH_ADVICE[month]
    assert len(received) >= count, (month, len(received))
    for i, row in enumerate(received[:count]):
        # requested 10 days (within 42) or 50 days (not) before it arrived
        row["advice_type"] = "HEALTH"
        row["requested_date"] = (
            date.fromisoformat(row["received_date"]) - timedelta(days=10 if i < within else 50)
        ).isoformat()
    write_csv(folder, "advice", advice)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("disclosure")
    inbox, home = root / "inbox", root / "home"
    generate(inbox, start="2025-01", months=3, scale="small")
    for month in MONTHS:
        plant(inbox, month)
    code, output = run_worker(home, inbox, RUNS)
    assert code == 0, output[-3000:]
    return home


def restricted_figures(home: Path) -> dict[tuple[str, str], dict]:
    """The unsuppressed figures of every KPI (the restricted table), to search the public files for."""
    with duckdb.connect(str(home / "warehouse" / "sendboard.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select period, kpi_id, value, numerator, denominator from restricted.fct_kpi_values"
        ).fetchall()
    return {(p, k): {"value": v, "numerator": n, "denominator": d} for p, k, v, n, d in rows}


NUMBER = re.compile(r"(?<![\w.\-/:])\d+(?:\.\d+)?(?![\w\-/:]|\.\d)")


def numbers(text: str) -> set[Decimal]:
    """The numbers written in a text, dates (2025-03, 2025-03-31) and identifiers (T1_X) left aside."""
    return {Decimal(n) for n in NUMBER.findall(text)}


def html_segments(page: str) -> list[str]:
    """Each table row and each chart as text: its text nodes and attribute values (aria-label, ...),
    the SVG's drawing coordinates left out (they are positions, checked apart below)."""
    segments = re.findall(r"<tr>.*?</tr>|<div class=\"chart\">.*?</div>|<p[ >].*?</p>|<li>.*?</li>", page, re.S)
    texts = []
    for segment in segments:
        # the y axis's tick labels are scale marks, not figures (chosen from the published values)
        segment = re.sub(r'<text x="44\.0"[^>]*>[^<]*</text>', " ", segment)
        attributes = re.findall(r'\s(?:aria-label|title|alt|data-[\w-]+)="([^"]*)"', segment)
        body = re.sub(r"<[^>]+>", " ", segment)
        texts.append(html.unescape(" ".join([body, *attributes])))
    return texts


def pdf_lines(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [line for page in PdfReader(str(path)).pages for line in (page.extract_text() or "").splitlines()]


# how many months a chart has or leaves out: counts of months, not figures of the KPI
MONTH_COUNTS = re.compile(r"\d+ months? published[^.]*?\d+ left out")


def leaks(
    segments: list[str], figures: dict[str, set[Decimal]], names: dict[str, str], constants: dict[str, set[Decimal]]
) -> list[tuple[str, str]]:
    """(KPI, segment) pairs where a segment naming the KPI shows one of its hidden figures. The KPI's
    target and amber threshold (`constants`) are printed beside it whatever its value, so a hidden
    value equal to one of them (T2_EHCP_20WK_EXCL in February: 4 of 8 = 50.0, its amber threshold)
    is not a match."""
    found = []
    for kpi_id, hidden in figures.items():
        for segment in segments:
            if kpi_id not in segment and names[kpi_id] not in segment:
                continue
            # every KPI's id and name left aside: names hold numbers ("within 6 weeks", "Year 9"), and a
            # row of the Making Data Count matrix names several KPIs
            text = MONTH_COUNTS.sub(" ", segment)
            for other in sorted(names, key=len, reverse=True):
                text = text.replace(other, " ").replace(names[other], " ")
            shown = numbers(text) - constants[kpi_id]
            if shown & hidden:
                found.append((kpi_id, segment.strip()[:300]))
    return found


def suppressed_cells(home: Path) -> set[tuple[str, str]]:
    """(month, kpi_id) of every suppressed cell, as the published snapshots flag them: the planted
    ones and whatever else a small inbox makes small (several T2 KPIs have a denominator under 10)."""
    return {
        (month, row["kpi_id"])
        for month in MONTHS
        for row in csv.DictReader(io.StringIO((home / "published" / month / "board_snapshot.csv").read_text()))
        if row["suppressed"] == "true"
    }


def hidden_figures(home: Path, month: str) -> dict[str, set[Decimal]]:
    """Every suppressed figure a file of `month` must not show: the month's own and the month before's."""
    restricted = restricted_figures(home)
    before = {"2025-01": None, "2025-02": "2025-01", "2025-03": "2025-02"}[month]
    hidden: dict[str, set[Decimal]] = {}
    for period, kpi_id in suppressed_cells(home):
        if period in (month, before):
            hidden.setdefault(kpi_id, set()).update(
                Decimal(str(v)) for v in restricted[(period, kpi_id)].values() if v is not None
            )
    return hidden


def test_the_planted_figures_are_what_was_worked_out_by_hand(published):
    restricted = restricted_figures(published)
    for month in MONTHS:
        awaiting = restricted[(month, "T3_AWAITING_PLACEMENT")]
        assert (awaiting["numerator"], awaiting["value"]) == (AWAITING[month], Decimal(AWAITING[month]))
        health = restricted[(month, "T2_HEALTH_ADVICE_6WK")]
        assert (health["numerator"], health["denominator"]) == HEALTH_ADVICE[month]
    assert [restricted[(m, "T2_HEALTH_ADVICE_6WK")]["value"] for m in MONTHS] == [
        Decimal("22.2"),
        Decimal("80.0"),
        Decimal("100.0"),
    ]
    # the planted cells are suppressed in the public snapshot, their published months are not
    suppressed = suppressed_cells(published)
    assert suppressed >= PLANTED_SUPPRESSED
    assert not {("2025-02", "T3_AWAITING_PLACEMENT"), ("2025-02", "T2_HEALTH_ADVICE_6WK")} & suppressed
    # the data team still sees the restricted month-on-month warnings, with their figures
    report = json.loads((published / "data_quality" / "board" / "2025-02" / "mart_checks.json").read_text())
    assert "T3_AWAITING_PLACEMENT moved from 4.0 to 7.0 between 2025-01 and 2025-02: please check" in report["warnings"]
    assert (
        "T2_HEALTH_ADVICE_6WK moved from 22.2 to 80.0 between 2025-01 and 2025-02: please check" in report["warnings"]
    )


@pytest.mark.parametrize("month", MONTHS)
def test_no_published_file_shows_a_suppressed_figure(published, month):
    folder = published / "published" / month
    names = {k["kpi_id"]: k["kpi_name"] for k in kpi_catalogue()}
    hidden = hidden_figures(published, month)
    # what the scan looks for: the suppressed figures of the month and the month before (January's
    # planted ones: {4, plans active at 31 January} and {22.2, 2, 9}). A match can only be a leak: the
    # figures the month publishes for the KPI itself are set aside (`constants` below)
    assert hidden, month
    page = (folder / "board_pack.html").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((folder / "board_snapshot.csv").read_text(encoding="utf-8"))))
    with duckdb.connect() as con:
        cursor = con.execute(f"select * from '{folder / 'board_snapshot.parquet'}'")
        parquet = [dict(zip([d[0] for d in cursor.description], r)) for r in cursor.fetchall()]
    public_columns = [
        c for c in rows[0] if c not in ("period", "kpi_id", "theme", "kpi_name", "version", "published_at")
    ]
    by_row = [" ".join([r["kpi_id"], *(r[c] for c in public_columns)]) for r in rows]
    by_parquet_row = [
        " ".join([r["kpi_id"], *(str(r[c]) for c in public_columns if r[c] is not None)]) for r in parquet
    ]
    # the SPC summary's figures (its `points` is a count of months, not a figure of the KPI)
    spc = list(csv.DictReader(io.StringIO((folder / "board_spc.csv").read_text(encoding="utf-8"))))
    by_spc_row = [" ".join([r["kpi_id"], r["mean"], r["lower_limit"], r["upper_limit"]]) for r in spc]
    # the DfE's figures (none here: no LA code is set, so the file is its header), scanned all the same
    compared = list(csv.DictReader(io.StringIO((folder / "board_comparators.csv").read_text(encoding="utf-8"))))
    by_comparator_row = [" ".join([r["kpi_id"], r["value"], r["numerator"], r["denominator"]]) for r in compared]
    # a KPI's target and amber threshold, and the figures the month publishes for it: a month's own
    # published figure reveals nothing another month hid, even when equal (February's 7 of 14 annual
    # review decisions within 4 weeks beside January's suppressed 7 of 9)
    constants = {
        r["kpi_id"]: {Decimal(r[c]) for c in ("target", "amber_threshold", "value", "numerator", "denominator") if r[c]}
        for r in rows
    }
    # NHS England's waiting lists by service (the sample's CHS workbooks, England only: no ICB or
    # provider is set), scanned beside the health KPIs they stand beside
    waits = list(csv.DictReader(io.StringIO((folder / "board_health_waits.csv").read_text(encoding="utf-8"))))
    assert waits, "board_health_waits.csv has rows to scan"
    by_waits_row = [
        " ".join(["T1_HEALTH_WAIT_18WK", "T1_SALT_MEDIAN_WAIT" if r["service"] == "SALT" else "",
                  r["waiting"], r["waiting_18_to_52_weeks"], r["waiting_over_52_weeks"], r["share_over_18_weeks"]])
        for r in waits
    ]  # fmt: skip
    for source, segments in (
        ("board_health_waits.csv", by_waits_row),
        ("board_pack.html", html_segments(page)),
        ("board_pack.pdf", pdf_lines(folder / "board_pack.pdf")),
        ("board_snapshot.csv", by_row),
        ("board_snapshot.parquet", by_parquet_row),
        ("board_spc.csv", by_spc_row),
        ("board_comparators.csv", by_comparator_row),
    ):
        assert leaks(segments, hidden, names, constants) == [], source
    # the pack's month-on-month warnings name a suppressed KPI and say so, with no figure: one line for
    # each KPI suppressed in the month or the month before; January has no month before it, so none
    suppressed = suppressed_cells(published)
    lines = re.findall(r"\b([A-Z0-9_]+): suppressed in ([\d-]+(?: and [\d-]+)?);", page)
    previous = {"2025-01": None, "2025-02": "2025-01", "2025-03": "2025-02"}[month]
    expected = sorted(
        (k, " and ".join(m for m in (previous, month) if (m, k) in suppressed))
        for k in names
        if previous and {(previous, k), (month, k)} & suppressed
    )
    assert sorted(lines) == expected
    planted = {
        "2025-01": [],
        "2025-02": [("T2_HEALTH_ADVICE_6WK", "2025-01"), ("T3_AWAITING_PLACEMENT", "2025-01")],
        "2025-03": [("T2_HEALTH_ADVICE_6WK", "2025-03"), ("T3_AWAITING_PLACEMENT", "2025-03")],
    }
    assert set(planted[month]) <= set(lines)
    # a chart draws a point only for a published value: one tooltip per month with a value in its
    # snapshot, none for a suppressed month (the planted ones: January and March, not February)
    values = {
        (m, r["kpi_id"]): r["value"]
        for m in MONTHS
        if m <= month
        for r in csv.DictReader(
            io.StringIO((published / "published" / m / "board_snapshot.csv").read_text(encoding="utf-8"))
        )
    }
    for kpi_id in names:
        chart = re.search(
            rf"<div class=\"chart\"><h3>{re.escape(html.escape(names[kpi_id]))}</h3>(.*?)</div>", page, re.S
        )
        tooltips = re.findall(r"<title>([\d-]+): [^<]*</title>", chart.group(1))
        assert tooltips == [m for m in MONTHS if m <= month and values[(m, kpi_id)] != ""], kpi_id
        if kpi_id in ("T3_AWAITING_PLACEMENT", "T2_HEALTH_ADVICE_6WK"):
            assert tooltips == [m for m in MONTHS if m <= month and (m, kpi_id) not in PLANTED_SUPPRESSED]


def test_a_figure_that_would_follow_from_published_ones_is_withheld_too(published):
    # T2_AR_OVERDUE's denominator is the same population as T3_AWAITING_PLACEMENT's (plans active at
    # the month end). The generated inbox has 6 overdue of 200 plans in January, 5 of 204 in February
    # and 4 of 210 in March. January: AWAITING (4, planted) is suppressed and OVERDUE (6) is not, so
    # OVERDUE's denominator (200, AWAITING's too) is withheld; its value and numerator stay. February:
    # both published in full. March: OVERDUE is a count of 4, suppressed itself: nothing left to withhold.
    overdue = {
        m: next(
            r
            for r in csv.DictReader(io.StringIO((published / "published" / m / "board_snapshot.csv").read_text()))
            if r["kpi_id"] == "T2_AR_OVERDUE"
        )
        for m in MONTHS
    }
    restricted = restricted_figures(published)
    assert [restricted[(m, "T2_AR_OVERDUE")]["numerator"] for m in MONTHS] == [6, 5, 4]
    assert [restricted[(m, "T2_AR_OVERDUE")]["denominator"] for m in MONTHS] == [200, 204, 210]
    assert [overdue[m][c] for m in MONTHS for c in ("value", "numerator", "denominator", "suppressed")] == [
        "6",
        "6",
        "",
        "false",
        "5",
        "5",
        "204",
        "false",
        "",
        "",
        "",
        "true",
    ]
    # and the publisher's disclosure check ran on every month and passed
    for month in MONTHS:
        report = json.loads((published / "data_quality" / "board" / month / "mart_checks.json").read_text())
        [check] = [s for s in report["suites"] if s["suite"].startswith("disclosure_control")]
        assert check["success"] and check["evaluated"] == 4


def test_the_spc_summary_is_made_of_published_values_only(published):
    # March: T3_AWAITING_PLACEMENT and T2_HEALTH_ADVICE_6WK were published in February only (January and
    # March suppressed): one point each, the mean is February's published value (7 and 80.0), no moving
    # range yet so no limits, and nothing is said of March itself
    rows = {r["kpi_id"]: r for r in csv.DictReader(io.StringIO(
        (published / "published" / "2025-03" / "board_spc.csv").read_text(encoding="utf-8")))}  # fmt: skip
    for kpi_id, mean in (("T3_AWAITING_PLACEMENT", "7.00"), ("T2_HEALTH_ADVICE_6WK", "80.00")):
        row = rows[kpi_id]
        assert (row["points"], row["mean"], row["lower_limit"], row["upper_limit"]) == ("1", mean, "", ""), kpi_id
        assert (row["rule"], row["point_type"], row["variation_icon"], row["short_group"]) == ("", "", "", "true")
    assert len(rows) == 23 and {r["period"] for r in rows.values()} == {"2025-03"}


def test_the_projection_publishes_model_counts_rounded_to_5_and_no_actual_count_of_1_to_4(published):
    """The projection's files (published/projection/<M>/), scanned as the snapshot's are: every
    projected figure a multiple of 5, no actual count of 1 to 4, and the month's snapshot untouched."""
    folder = published / "published" / "projection" / "2025-03"
    rows = list(csv.DictReader(io.StringIO((folder / "board_projection.csv").read_text(encoding="utf-8"))))
    figures = [int(r[c]) for r in rows for c in ("median", "lower_80", "upper_80", "lower_95", "upper_95")]
    assert figures and all(f % 5 == 0 for f in figures)
    # 36 months, each: the total, 8 categories, 5 age groups, 13 needs and 8 x 5 categories by age group;
    # and each of the sample's two scenarios in total and by category
    assert len(rows) == 36 * (1 + 8 + 5 + 13 + 40) + 2 * 36 * (1 + 8)
    assert {r["scenario"] for r in rows} == {"baseline", "fewer_new_plans", "new_special_school"}
    assert {r["projected_month"] for r in rows if r["breakdown"] == "total"} == {
        f"{2025 + (3 + m) // 12}-{(3 + m) % 12 + 1:02d}"
        for m in range(36)  # 2025-04 .. 2028-03
    }
    record = list(csv.DictReader(io.StringIO((folder / "projection_backtest.csv").read_text(encoding="utf-8"))))
    assert all(r["actual"] == "" or not 1 <= int(r["actual"]) <= 4 for r in record)
    # its pack: self-contained (nothing fetched, no script), and its PDF printed
    page = (folder / "projection_pack.html").read_text(encoding="utf-8")
    assert "Where we are heading" in page and "<script" not in page and not re.findall(r"(?:src|href)=", page)
    assert (folder / "projection_pack.pdf").read_bytes().startswith(b"%PDF")
    costs = list(csv.DictReader(io.StringIO((folder / "projection_costs.csv").read_text(encoding="utf-8"))))
    assert {r["financial_year"] for r in costs} == {"2025-26", "2026-27", "2027-28"}
    assert len(costs) == 3 * 3 * (1 + 8)  # three scenarios (with the baseline), three years, total and categories
    assert all(int(r["median"]) % 1000 == 0 for r in costs)
    # the analysts' copy has it unrounded, and the record
    with duckdb.connect(str(published / "analytics" / "sendboard_analytics.duckdb"), read_only=True) as con:
        total = con.execute(
            "select median from analytics.plan_projection where breakdown = 'total' and projected_month = '2025-04' "
            "and scenario = 'baseline'"
        ).fetchall()
        assert con.execute("select count(*) from analytics.projection_backtest").fetchone() == (0,)  # 3 months
    [(median,)] = total
    first = next(
        r
        for r in rows
        if r["breakdown"] == "total" and r["scenario"] == "baseline" and r["projected_month"] == "2025-04"
    )
    assert int(first["median"]) == int(median / 5 + 0.5) * 5
    # a projection never writes into a month's published folder (decision 0007)
    month = published / "published" / "2025-03"
    assert sorted(p.name for p in month.iterdir()) == sorted(
        ["board_snapshot.csv", "board_snapshot.parquet", "board_spc.csv", "board_comparators.csv",
         "board_health_waits.csv", "board_pack.html", "board_pack.pdf"]
    )  # fmt: skip
