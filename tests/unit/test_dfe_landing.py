"""What the DfE landing takes from the inbox folder: a zip, an extracted folder or the CSVs dropped
loose, each looked at once (by content); on the real release (../shared/reference_data/dfe/)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sendboard.ingest import dfe_landing

DFE = Path(__file__).resolve().parents[3] / "shared" / "reference_data" / "dfe"
RELEASE = DFE / "education-health-and-care-plans_2025.zip"


@pytest.fixture(autouse=True)
def real_files():
    if not RELEASE.exists():
        pytest.skip("the DfE reference files are not beside the project (../shared/reference_data/dfe/)")


def test_the_release_csvs_dropped_loose_in_the_folder_land_as_one_release(tmp_path):
    folder = tmp_path / "inbox" / "dfe_statistics"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(RELEASE) as archive:
        for file in ("timeliness_20_week", "requests", "annual_reviews", "caseload"):
            (folder / f"{file}.csv").write_bytes(archive.read(f"data/{file}.csv"))
    home = tmp_path / "home"
    assert dfe_landing.pending(str(tmp_path / "inbox"), home) == ["extracted CSVs"]
    assert dfe_landing.land(str(tmp_path / "inbox"), home) == {"landed": ["extracted CSVs"]}
    landed = pq.read_table(
        home / "raw" / "dfe_statistics" / "release-dfe_statistics_extracted_CSVs" / "requests.parquet"
    )
    assert set(landed.column("release").to_pylist()) == {"dfe_statistics/extracted CSVs"}
    assert set(landed.column("release_latest_period").to_pylist()) == {"2024"}
    # 13,169 rows in the real requests.csv, every one landed, as published text
    assert landed.num_rows == 13169 and landed.schema.field("request_outcome_six_weeks_pc").type == "string"
    # looked at once: the same files again are not pending and land nothing
    assert dfe_landing.pending(str(tmp_path / "inbox"), home) == []
    assert dfe_landing.land(str(tmp_path / "inbox"), home) == {"landed": []}
    seen = json.loads((home / "raw" / "dfe_statistics" / "files.json").read_text())
    assert [r["status"] for r in seen.values()] == ["landed"]


def test_a_broken_release_is_recorded_and_raised_and_what_landed_before_stays(tmp_path):
    folder = tmp_path / "inbox" / "dfe_statistics"
    folder.mkdir(parents=True)
    (folder / "education-health-and-care-plans_2026.zip").write_bytes(b"<html>session expired</html>")
    home = tmp_path / "home"
    with pytest.raises(dfe_landing.ReferenceFileRejected) as rejected:
        dfe_landing.land(str(tmp_path / "inbox"), home)
    assert "education-health-and-care-plans_2026.zip: is not a zip file" in str(rejected.value)
    assert [r["name"] for r in dfe_landing.rejections_since_landing(home)] == [
        "education-health-and-care-plans_2026.zip"
    ]
    assert not list((home / "raw" / "dfe_statistics").glob("release-*"))
    # the schema files are there all the same: the dbt source builds without any DfE file
    assert sorted(p.name for p in (home / "raw" / "dfe_statistics" / "_schema").iterdir()) == [
        "annual_reviews.parquet", "caseload.parquet", "requests.parquet", "statistical_neighbours.parquet",
        "timeliness_20_week.parquet",
    ]  # fmt: skip
