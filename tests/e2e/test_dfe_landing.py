"""Landing the DfE's files, then the dbt source's staging views over them, on the real release and
workbook (../shared/reference_data/dfe/, which CI always has): a broken file is recorded and raised
while the good ones land, and a newer release replaces an older one for the years it covers only."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sendboard.config import DBT_PROJECT
from sendboard.errors import ReferenceFileRejected
from sendboard.ingest import dfe_landing
from sendboard.ingest.landing import write_schema_files
from sendboard.publish.comparators import NO_RELEASE, comparators, for_month, landed_release

pytestmark = pytest.mark.e2e
DFE = Path(__file__).resolve().parents[3] / "shared" / "reference_data" / "dfe"
RELEASE = DFE / "education-health-and-care-plans_2025.zip"
NEIGHBOURS = DFE / "statistical_neighbours_may_2025.xlsx"


@pytest.fixture(scope="module", autouse=True)
def real_files():
    if not RELEASE.exists():
        pytest.skip("the DfE reference files are not beside the project (../shared/reference_data/dfe/)")


def older_release(target: Path) -> Path:
    """The real release as if a year older: 2024 dropped, England's 2023 20-week denominator changed to
    999999 (the newer release must win 2023), and a year 2018 the newer one does not have (it must stay)."""
    with zipfile.ZipFile(RELEASE) as real, zipfile.ZipFile(target, "w") as older:
        for file in ("timeliness_20_week", "requests", "annual_reviews", "caseload"):
            text = real.read(f"data/{file}.csv").decode("utf-8-sig")
            reader = csv.DictReader(io.StringIO(text))
            rows = [r for r in reader if r["time_period"] not in ("2024", "202425")]
            if file == "timeliness_20_week":
                for r in rows:
                    if r["time_period"] == "2023" and r["geographic_level"] == "National":
                        r["plans_issued_den_ex"] = "999999"
                rows += [{**r, "time_period": "2018"} for r in rows if r["time_period"] == "2019"]
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [], lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
            older.writestr(f"data/{file}.csv", "\ufeff" + out.getvalue())
    return target


def dbt_build_staging(home: Path) -> None:
    write_schema_files(home)  # the exports' sources, which the project also declares, and the DfE's
    (home / "warehouse").mkdir(exist_ok=True)
    env = {**os.environ, "SENDBOARD_HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--select", "staging.dfe_statistics",
         "--profiles-dir", str(DBT_PROJECT), "--project-dir", str(DBT_PROJECT),
         "--target-path", str(home / "dbt_target"), "--log-path", str(home / "dbt_logs")],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> Path:
    home, inbox = tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("inbox")
    folder = inbox / "dfe_statistics"
    folder.mkdir()
    shutil.copy(RELEASE, folder)
    shutil.copy(NEIGHBOURS, folder)
    (folder / "board_minutes.docx").write_bytes(b"not a DfE file")
    with pytest.raises(ReferenceFileRejected) as rejected:
        dfe_landing.land(str(inbox), home)
    assert "board_minutes.docx: is neither a DfE release" in str(rejected.value)
    assert dfe_landing.pending(str(inbox), home) == []  # every file was looked at
    # the older release arrives after the newer one: landing order does not decide which wins a year
    older_release(folder / "education-health-and-care-plans_2024.zip")
    assert dfe_landing.pending(str(inbox), home) == ["education-health-and-care-plans_2024.zip"]
    assert dfe_landing.land(str(inbox), home) == {"landed": ["education-health-and-care-plans_2024.zip"]}
    dbt_build_staging(home)
    return home


def test_every_file_seen_is_recorded_landed_or_rejected_with_why(landed):
    seen = {r["name"]: r for r in dfe_landing.files_seen(dfe_landing.raw_folder(landed)).values()}
    assert {n: r["status"] for n, r in seen.items()} == {
        "education-health-and-care-plans_2025.zip": "landed",
        "education-health-and-care-plans_2024.zip": "landed",
        "statistical_neighbours_may_2025.xlsx": "landed",
        "board_minutes.docx": "rejected",
    }
    assert seen["education-health-and-care-plans_2025.zip"]["detail"]["latest_periods"]["caseload.csv"] == "202425"
    assert [r["name"] for r in dfe_landing.rejections_since_landing(landed)] == ["board_minutes.docx"]


def test_a_newer_release_replaces_an_older_one_for_the_years_it_covers_only(landed):
    with duckdb.connect(str(landed / "warehouse" / "sendboard.duckdb"), read_only=True) as con:
        years = con.execute(
            "select time_period, release, plans_issued_den_ex from staging.stg_dfe_statistics__timeliness_20_week "
            "where geographic_level = 'National' and breakdown_topic = 'All EHC plans issued' order by time_period"
        ).fetchall()
    newer, older = "education-health-and-care-plans_2025.zip", "education-health-and-care-plans_2024.zip"
    assert [(y, r) for y, r, _ in years] == [("2018", older)] + [(str(y), newer) for y in range(2019, 2025)]
    assert dict((y, d) for y, _, d in years)["2023"] != "999999"


def test_the_comparators_from_the_dbt_source_are_the_dfe_published_figures(landed):
    with duckdb.connect(str(landed / "warehouse" / "sendboard.duckdb"), read_only=True) as con:
        release, neighbours = landed_release(con)
        rows, notices = for_month(con, landed, "931", "2025-03")
        assert for_month(con, landed, None, "2025-03")[0] == []
        unknown_rows, unknown_notices = for_month(con, landed, "999", "2025-03")
    # a code that is no LA: England only, and the pack says to check the setting
    assert {r["comparator"] for r in unknown_rows if r["value"] is not None} == {"ENGLAND"}
    assert unknown_notices[0].startswith("The DfE number 999 (sendboard_la_code) is not a local authority")
    assert release is not None
    by = {(r["kpi_id"], r["comparator"]): r for r in comparators(release, neighbours, "931", "2025-03")}
    assert by == {(r["kpi_id"], r["comparator"]): r for r in rows}
    own = by[("T2_EHCP_20WK_EXCL", "LA_PUBLISHED")]
    # Oxfordshire 2024, excluding exceptions: 370 of 961 = 38.5%, from the newer release
    assert (own["value"], own["numerator"], own["denominator"]) == (Decimal("38.5"), 370, 961)
    assert own["source"] == "education-health-and-care-plans_2025.zip: data/timeliness_20_week.csv"
    assert by[("T3_EHCP_MAINSTREAM", "STATISTICAL_NEIGHBOURS")]["value"] == Decimal("46.0")
    # the rejected file is named in the pack's notices
    assert any(n.startswith("The DfE file board_minutes.docx") for n in notices)


def test_without_a_landed_release_or_la_code_the_pack_says_why(tmp_path):
    dbt_build_staging(tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse" / "sendboard.duckdb"), read_only=True) as con:
        assert for_month(con, tmp_path, "931", "2025-03") == ([], [NO_RELEASE])
        rows, notices = for_month(con, tmp_path, None, "2025-03")
    assert rows == [] and notices[0].startswith("No comparators: the local authority's DfE number is not set")
