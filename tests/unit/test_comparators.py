"""The DfE comparators, on the real files a council downloads (../shared/reference_data/dfe/, which CI
always has), with figures worked out by hand from them; and the reader's checks on broken files."""

from __future__ import annotations

import io
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
