"""The DfE comparators, on the real files a council downloads (../shared/reference_data/dfe/, which CI
always has), with figures worked out by hand from them; and the reader's checks on broken files."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from sendboard.errors import ReferenceFileRejected
from sendboard.ingest.dfe import read_neighbours, read_release
from sendboard.publish.comparators import COMPARATORS, MEASURES, comparators

DFE = Path(__file__).resolve().parents[3] / "shared" / "reference_data" / "dfe"
RELEASE = DFE / "education-health-and-care-plans_2025.zip"
NEIGHBOURS = DFE / "statistical_neighbours_may_2025.xlsx"


@pytest.fixture(scope="module")
def oxfordshire() -> dict[tuple[str, str], dict]:
    if not RELEASE.exists():
        pytest.skip("the DfE reference files are not beside the project (../shared/reference_data/dfe/)")
    rows = comparators(read_release(RELEASE), read_neighbours(NEIGHBOURS), "931", "2025-03")
    return {(r["kpi_id"], r["comparator"]): r for r in rows}


def test_every_kpi_the_dfe_measures_has_four_comparators(oxfordshire):
    assert sorted(oxfordshire) == sorted((k, c) for k in MEASURES for c in COMPARATORS)


def test_the_20_week_figures_are_the_dfe_published_ones(oxfordshire):
    england = oxfordshire[("T2_EHCP_20WK_EXCL", "ENGLAND")]
    # 2024, excluding exceptions: 39,407 of 84,866 = 46.4%
    assert (england["comparator_period"], england["value"], england["numerator"], england["denominator"]) == (
        "2024", Decimal("46.4"), 39407, 84866)  # fmt: skip
    own = oxfordshire[("T2_EHCP_20WK_EXCL", "LA_PUBLISHED")]
    assert (own["comparator_name"], own["value"], own["numerator"], own["denominator"]) == (
        "Oxfordshire", Decimal("38.5"), 370, 961)  # fmt: skip
    assert oxfordshire[("T2_EHCP_20WK_EXCL", "REGION")]["comparator_name"] == "South East"
    assert own["source"] == "education-health-and-care-plans_2025.zip: data/timeliness_20_week.csv"
    assert own["note"] == "DfE: plans issued in the calendar year; ours: in the month"


def test_the_neighbours_are_a_simple_mean_of_those_with_a_value(oxfordshire):
    # 2024/25 mainstream share: Warwickshire 38.5, Hertfordshire 49.1, Buckinghamshire 45.8, Hampshire
    # 46.1, Bracknell Forest 49.9, West Berkshire 46.5, West Sussex 40.8, South Gloucestershire 48.5,
    # Gloucestershire 48.7; Cambridgeshire's is x. 413.9 / 9 = 45.99 -> 46.0, from 9 neighbours
    mainstream = oxfordshire[("T3_EHCP_MAINSTREAM", "STATISTICAL_NEIGHBOURS")]
    assert (mainstream["value"], mainstream["neighbours_with_value"], mainstream["comparator_period"]) == (
        Decimal("46.0"), 9, "202425")  # fmt: skip
    assert (mainstream["numerator"], mainstream["denominator"]) == (None, None)


def test_a_figure_the_dfe_does_not_publish_is_computed_from_its_counts(oxfordshire):
    # Oxfordshire's young people aged 16 to 24 (no row for 25: none): 311 NEET of 1,695 = 18.35% -> 18.3
    neet = oxfordshire[("T4_POST16_NEET", "LA_PUBLISHED")]
    assert (neet["value"], neet["numerator"], neet["denominator"]) == (Decimal("18.3"), 311, 1695)
    # independent and non-maintained special, of every plan: 434 of 7,307 = 5.94% -> 5.9
    independent = oxfordshire[("T3_INDEPENDENT_SPECIAL", "LA_PUBLISHED")]
    assert (independent["value"], independent["numerator"], independent["denominator"]) == (Decimal("5.9"), 434, 7307)


def test_nothing_withheld_is_recomputed():
    if not RELEASE.exists():
        pytest.skip("the DfE reference files are not beside the project (../shared/reference_data/dfe/)")
    # Dorset (838) classed every 2024 plan as an exception: 0 of 0, published as x: no value
    rows = comparators(read_release(RELEASE), read_neighbours(NEIGHBOURS), "838", "2025-03")
    [dorset] = [r for r in rows if r["kpi_id"] == "T2_EHCP_20WK_EXCL" and r["comparator"] == "LA_PUBLISHED"]
    assert (dorset["comparator_name"], dorset["value"]) == ("Dorset", None)


def test_the_neighbours_workbook_gives_each_la_its_ten_neighbours_closest_first():
    if not NEIGHBOURS.exists():
        pytest.skip("the DfE reference files are not beside the project (../shared/reference_data/dfe/)")
    assert read_neighbours(NEIGHBOURS)["931"] == ["873", "919", "825", "937", "916", "850", "867", "938", "869", "803"]


def zip_with(tmp_path: Path, files: dict[str, str]) -> Path:
    path = tmp_path / "release.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    path.write_bytes(buffer.getvalue())
    return path


def test_a_file_that_is_not_the_release_is_rejected_naming_file_and_column(tmp_path):
    not_a_zip = tmp_path / "release.zip"
    not_a_zip.write_text("hello")
    with pytest.raises(ReferenceFileRejected, match="release.zip: is not a zip file"):
        read_release(not_a_zip)
    with pytest.raises(ReferenceFileRejected, match=r"release.zip: has no data/timeliness_20_week.csv"):
        read_release(zip_with(tmp_path, {"data/other.csv": "a\n1\n"}))
    header = "\ufefftime_period,time_identifier,geographic_level,region_code,region_name,old_la_code,la_name,breakdown_topic,breakdown"  # noqa: E501
    with pytest.raises(ReferenceFileRejected, match=r"data/timeliness_20_week.csv: column plans_issued_den: missing"):
        read_release(zip_with(tmp_path, {"data/timeliness_20_week.csv": header + "\n"}))


def test_a_value_that_is_neither_a_number_nor_a_dfe_code_is_rejected_naming_its_row(tmp_path):
    folder = tmp_path / "release" / "data"
    folder.mkdir(parents=True)
    from sendboard.ingest.dfe import EES_COLUMNS, RELEASE_FILES

    for file, measures in RELEASE_FILES.items():
        values = ["n/a" if file == "requests.csv" and m == "request_outcome_six_weeks" else "low" for m in measures]
        ees = [
            "2024",
            "Calendar year",
            "Local authority",
            "E12000008",
            "South East",
            "931",
            '"Oxford, shire"',
            "t",
            "b",
        ]
        (folder / file).write_text(
            "\ufeff" + ",".join((*EES_COLUMNS, *measures)) + "\n" + ",".join((*ees, *values)) + "\n", encoding="utf-8"
        )
    with pytest.raises(ReferenceFileRejected, match=r"data/requests.csv: column request_outcome_six_weeks: row 2 "):
        read_release(tmp_path / "release")


def comparator_rows(kpi_id: str, england: str | None, neighbours: str | None) -> list[dict]:
    base = {"period": "2025-03", "kpi_id": kpi_id, "comparator_period": "2024", "numerator": None,
            "denominator": None, "neighbours_with_value": 9, "source": "r.zip: data/t.csv",
            "note": "DfE: a year"}  # fmt: skip
    return [
        {**base, "comparator": "ENGLAND", "comparator_name": "England", "value": england},
        {**base, "comparator": "REGION", "comparator_name": "South East", "value": Decimal("44.1")},
        {
            **base,
            "comparator": "STATISTICAL_NEIGHBOURS",
            "comparator_name": "10 statistical neighbours",
            "value": neighbours,
        },  # fmt: skip
        {**base, "comparator": "LA_PUBLISHED", "comparator_name": "Oxfordshire", "value": None},
    ]


def test_the_summary_says_which_side_of_each_comparator_a_published_value_lies():
    from sendboard.publish.comparators_pack import Comparisons, summary_cell

    found = Comparisons(comparator_rows("T2_EHCP_20WK_EXCL", Decimal("46.4"), Decimal("46.0")))
    cell = summary_cell("T2_EHCP_20WK_EXCL", {"value": "46.0", "suppressed": "false"}, found)
    assert cell == (
        "<td>England 46.4 (we are below)<br>South East 44.1 (we are above)<br>Neighbours 46.0 (we are the same)"
        '<br><span class="note">DfE 2024</span></td>'
    )
    assert summary_cell("T2_AUDIT_GOOD", {"value": "46.0", "suppressed": "false"}, found) == "<td>&ndash;</td>"


def test_of_a_suppressed_value_the_summary_says_nothing_not_even_its_side():
    from sendboard.publish.comparators_pack import Comparisons, summary_cell

    found = Comparisons(comparator_rows("T2_EHCP_20WK_EXCL", Decimal("46.4"), None))
    cell = summary_cell("T2_EHCP_20WK_EXCL", {"value": "", "suppressed": "true"}, found)
    assert "we are" not in cell
    assert cell == '<td>England 46.4<br>South East 44.1<br><span class="note">DfE 2024</span></td>'


def test_the_chart_draws_england_and_the_neighbours_as_labelled_lines_inside_its_range():
    from sendboard.publish.board_pack import trend_svg
    from sendboard.publish.comparators_pack import Comparisons, reference_marks

    found = Comparisons(comparator_rows("T2_EHCP_20WK_EXCL", Decimal("80.2"), None))
    marks = reference_marks("T2_EHCP_20WK_EXCL", found)
    assert marks == [("England 80.2 (2024)", 80.2, "#00727a")]
    kpi = {"kpi_name": "New EHC plans within 20 weeks", "unit": "%"}
    svg = trend_svg(kpi, [("2025-02", 40.0), ("2025-03", 50.0)], 60.0, None, marks)
    # values 40 and 50, target 60, England 80.2: ticks 40, 60, 80, 100 (a step of 20), so England's line
    # is at 176 - (80.2 - 40) / 60 * (176 - 14) = 67.46 -> y="67.5", inside the plot
    line = re.search(r'<line x1="48.0" y1="([\d.]+)" x2="410.0" y2="[\d.]+" stroke="#00727a"', svg)
    assert line and line.group(1) == "67.5"
    assert ">England 80.2 (2024)</text>" in svg and "comparator England 80.2 (2024)" in svg


def test_how_we_compare_names_the_source_and_carries_the_ogl_line_and_the_notices():
    from sendboard.publish.comparators_pack import OGL_LINE, Comparisons, section

    catalogue = [{"kpi_id": "T2_EHCP_20WK_EXCL", "kpi_name": "New EHC plans within 20 weeks"}]
    page = section(catalogue, Comparisons(comparator_rows("T2_EHCP_20WK_EXCL", Decimal("46.4"), None), ["a notice"]))
    assert OGL_LINE in page and "Source: Department for Education, r.zip: data/t.csv." in page
    assert '<p class="note">a notice</p>' in page and "<td>DfE: a year</td>" in page
    # no rows: the notices only, and no attribution for figures not shown
    assert section(catalogue, Comparisons([], ["why"])) == '<h2>How we compare</h2>\n<p class="note">why</p>'
