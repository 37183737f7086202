"""The inputs of month M: both monthly extracts landed, and the census in force landed too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sendboard.errors import NotReady
from sendboard.publish.inputs import choose_period, resolve_inputs
from tests.support.helpers import write


def land_manifest(home: Path, source: str, period: str, sha: str = "a" * 64) -> None:
    folder = home / "raw" / source / f"period={period}"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "source": source,
                "period": period,
                "loaded_at": "2025-07-01T06:00:00+00:00",
                "tables": {"t": {"sha256": sha}},
            }
        )
    )


def census_in_inbox(inbox: Path, period: str) -> None:
    for table in ("schools", "pupils"):
        write(inbox / "school_census" / period / f"{table}.csv", b"x\n1\n")


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("SENDBOARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SENDBOARD_INBOX", str(tmp_path / "inbox"))
    (tmp_path / "inbox").mkdir()
    for source in ("case_management", "health_waiting_lists"):
        land_manifest(tmp_path / "home", source, "2025-06")
    return tmp_path / "home", tmp_path / "inbox"


def test_the_latest_census_at_or_before_the_month_is_used(dirs):
    home, inbox = dirs
    for period in ("2025-01", "2025-05", "2025-10"):
        census_in_inbox(inbox, period)
        land_manifest(home, "school_census", period)
    assert resolve_inputs("2025-06")["census_period"] == "2025-05"


def test_a_rejected_census_holds_the_month_back_with_no_fall_back(dirs):
    home, inbox = dirs
    census_in_inbox(inbox, "2025-01")
    land_manifest(home, "school_census", "2025-01")
    census_in_inbox(inbox, "2025-05")  # sent, but rejected: never landed
    with pytest.raises(NotReady, match="census in force is 2025-05, which has not landed"):
        resolve_inputs("2025-06")


def test_no_census_at_all_is_not_an_error(dirs):
    assert resolve_inputs("2025-06")["census_period"] is None


def test_a_missing_monthly_extract_holds_the_month_back(dirs):
    with pytest.raises(NotReady, match="2025-07: the case_management extract has not landed"):
        resolve_inputs("2025-07")


def test_the_fingerprint_changes_with_any_input_file(dirs):
    home, _ = dirs
    before = resolve_inputs("2025-06")["fingerprint"]
    assert resolve_inputs("2025-06")["fingerprint"] == before
    manifest = home / "raw" / "health_waiting_lists" / "period=2025-06" / "manifest.json"
    content = json.loads(manifest.read_text())
    content["tables"]["t"]["sha256"] = "b" * 64
    manifest.write_text(json.dumps(content))
    assert resolve_inputs("2025-06")["fingerprint"] != before


def test_the_month_built_is_the_latest_event_period_with_both_extracts(dirs):
    assert choose_period(None, ["2025-06", "2025-07"]) == "2025-06"  # 2025-07 has only events, no landing
    assert choose_period("2025-03", ["2025-06"]) == "2025-03"  # asked for explicitly
    with pytest.raises(NotReady):
        choose_period(None, ["2025-07"])


def test_the_warehouse_fingerprint_covers_every_landed_period_and_its_files_on_disk(dirs):
    import os

    from sendboard.publish.build_cache import warehouse_fingerprint

    home, _ = dirs
    parquet = home / "raw" / "case_management" / "period=2025-06" / "plans.parquet"
    parquet.write_bytes(b"landed")
    first = warehouse_fingerprint(home)
    assert warehouse_fingerprint(home) == first  # nothing changed
    # a landing in progress (hidden staging folder) and the zero-row schema files are not inputs
    (home / "raw" / "case_management" / ".period=2025-07.tmp").mkdir()
    land_manifest(home / "raw" / "case_management" / ".period=2025-07.tmp" / "x", "case_management", "2025-07")
    (home / "raw" / "case_management" / "_schema").mkdir()
    (home / "raw" / "case_management" / "_schema" / "plans.parquet").write_bytes(b"schema")
    assert warehouse_fingerprint(home) == first
    # a file changed after landing (same manifest), even to the same size: a new time stamp
    stat = parquet.stat()
    parquet.write_bytes(b"LANDED")
    os.utime(parquet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = warehouse_fingerprint(home)
    assert second != first
    # a newly landed period of any source, e.g. a census
    land_manifest(home, "school_census", "2025-05")
    assert warehouse_fingerprint(home) not in (first, second)


def test_a_build_is_trusted_only_once_the_run_that_claimed_it_last_has_passed_its_checks(tmp_path):
    from sendboard.publish.build_cache import build_checked, claim_build
    from sendboard.warehouse import connection as warehouse

    home = tmp_path
    with warehouse.connect(home) as con:
        warehouse.ensure_publication_tables(con)

    def claim(fingerprint: str, run_id: str) -> str | None:
        with warehouse.connect(home) as con:
            return claim_build(con, fingerprint, run_id)

    assert claim("F1", "run_a") is None  # nothing built yet: run_a builds
    assert claim("F1", "run_b") is None  # run_a has not passed its checks: run_b builds too
    build_checked(home, {"warehouse_fingerprint": "F1"}, "run_a", passed=True)
    assert claim("F1", "run_c") is None  # run_b's claim came later: run_a's pass proves nothing
    build_checked(home, {"warehouse_fingerprint": "F1"}, "run_c", passed=True)
    assert claim("F1", "run_d") == "run_c"  # built and checked from F1 by run_c: run_d skips dbt
    assert claim("F1", "run_e") == "run_c"  # and a run that skips dbt leaves the record as it was
    assert claim("F2", "run_f") is None  # new landed inputs: build
    build_checked(home, {"warehouse_fingerprint": "F2"}, "run_f", passed=True)
    build_checked(home, {"warehouse_fingerprint": "F2"}, "run_g", passed=False)  # a later run's checks failed
    assert claim("F2", "run_h") is None  # so the warehouse is built again
