"""Faults: `kill -9` of the worker during each step, a failed write during publication, a damaged or
replaced warehouse, and two workers triggering the same month at once.

Workers are separate processes (sendboard.devtools.worker) running the real DAGs. After a kill, a
re-run must give the snapshot an undisturbed run gives: the same rows (published_at aside), one
version, and nothing half-written that a reader or dbt could pick up.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import signal
import time
from pathlib import Path

import duckdb
import pytest

from tests.support.shared import build_small_landed, built_once, copy_home, session_folder
from tests.support.worker import run_worker, start_worker

pytestmark = pytest.mark.e2e
MONTH = "2025-01"
LAND = ["extract_school_census:2025-01", "extract_case_management:2025-01", "extract_health_waiting_lists:2025-01"]
PUBLISH = [f"publish_board_snapshot:{MONTH}"]


def content(home: Path) -> list[dict]:
    """The published CSV rows without published_at (the only column a re-run may change)."""
    rows = csv.DictReader(io.StringIO((home / "published" / MONTH / "board_snapshot.csv").read_text()))
    return [{k: v for k, v in r.items() if k != "published_at"} for r in rows]


def history(home: Path) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse" / "sendboard.duckdb"), read_only=True) as con:
        return con.execute(
            "select period, version, count(*) from publication.board_snapshot_history group by all order by all"
        ).fetchall()


@pytest.fixture(scope="module")
def world(tmp_path_factory, worker_id):
    """The small sample landed (shared with other modules); an undisturbed run's snapshot of its first month."""
    shared = built_once(session_folder(tmp_path_factory, worker_id), "small_landed", build_small_landed)
    root = tmp_path_factory.mktemp("faults")
    undisturbed = copy_home(shared / "home", root / "undisturbed")
    code, output = run_worker(undisturbed, shared / "inbox", PUBLISH)
    assert code == 0, output[-3000:]
    return {"root": root, "inbox": shared / "inbox", "landed": shared / "home", "expected": content(undisturbed)}


def fresh_home(world, name: str, landed: bool = True) -> Path:
    home = world["root"] / name
    return copy_home(world["landed"], home) if landed else home


def assert_as_undisturbed(world, home: Path) -> None:
    assert content(home) == world["expected"]
    assert history(home) == [(MONTH, 1, 23)]
    assert (home / "published" / MONTH).resolve() == home / "published" / ".versions" / MONTH / "v1"
    stray = [p for p in (home / "published" / ".versions" / MONTH).iterdir() if p.name != "v1"]
    assert stray == []


def test_kill_9_while_landing_then_rerun(world):
    home = fresh_home(world, "kill_landing", landed=False)
    code, output = run_worker(home, world["inbox"], LAND, fault="landing_before_swap")
    assert code == -signal.SIGKILL, output[-2000:]
    # the census was being landed: its Parquet is written, but only in a hidden staging folder
    assert not (home / "raw" / "school_census" / "period=2025-01").exists()
    assert list((home / "raw" / "school_census").glob(".period=2025-01.*.tmp"))
    code, output = run_worker(home, world["inbox"], LAND + PUBLISH)
    assert code == 0, output[-3000:]
    assert_as_undisturbed(world, home)
    # the re-run cleared what the crash left, so no reader can take it for a landed period
    assert [p for p in (home / "raw").rglob(".period=*") if p.is_dir()] == []


def test_kill_9_during_the_dbt_build_then_rerun(world):
    home = fresh_home(world, "kill_dbt")
    worker = start_worker(home, world["inbox"], PUBLISH)
    seen = []
    for line in worker.stdout:  # dbt's own progress lines, as the task log shows them
        seen.append(line)
        if "START sql table model restricted.fct_kpi_values" in line:
            os.killpg(worker.pid, signal.SIGKILL)
            break
    worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL, "".join(seen[-40:])
    assert not (home / "published" / MONTH).exists()
    code, output = run_worker(home, world["inbox"], PUBLISH)
    assert code == 0, output[-3000:]
    assert_as_undisturbed(world, home)


@pytest.mark.parametrize("fault", ["checks_between_suites", "publish_before_commit", "publish_before_link"])
def test_kill_9_during_checks_or_publication_then_rerun(world, fault):
    home = fresh_home(world, f"kill_{fault}")
    code, output = run_worker(home, world["inbox"], PUBLISH, fault=fault)
    assert code == -signal.SIGKILL, output[-2000:]
    # a reader never sees a half-published month: no link yet, or (after the commit) none either
    assert not (home / "published" / MONTH).exists()
    code, output = run_worker(home, world["inbox"], PUBLISH)
    assert code == 0, output[-3000:]
    assert_as_undisturbed(world, home)


def test_two_workers_triggering_the_same_month_at_once_corrupt_nothing(world):
    home = fresh_home(world, "two_workers")
    # each worker has its own Airflow metadata DB (as two schedulers would) and the same
    # SENDBOARD_HOME: only DuckDB's single-writer lock and the publisher stand between them
    first = start_worker(home, world["inbox"], PUBLISH)
    time.sleep(0.5)
    second = start_worker(home, world["inbox"], PUBLISH, airflow_home=world["root"] / "second_scheduler")
    outputs = [w.communicate(timeout=600)[0] for w in (first, second)]
    codes = [first.returncode, second.returncode]
    assert 0 in codes, outputs[0][-2000:] + outputs[1][-2000:]
    if codes != [0, 0]:  # the loser failed cleanly on the warehouse lock
        loser = outputs[codes.index(1)]
        assert "lock" in loser.lower()
    assert_as_undisturbed(world, home)


def test_a_failed_write_during_publication_leaves_the_previous_snapshot_intact(world, monkeypatch):
    """Disk full while writing version 2: version 1 stays published, nothing of version 2 remains."""
    from sendboard.publish import snapshot as publish

    home = fresh_home(world, "disk_full")
    code, output = run_worker(home, world["inbox"], PUBLISH)
    assert code == 0, output[-3000:]
    before = {p.name: p.read_bytes() for p in (home / "published" / MONTH).iterdir()}
    # a new target makes a version 2 due (board_snapshot_candidates is a view over the targets seed)
    with duckdb.connect(str(home / "warehouse" / "sendboard.duckdb")) as con:
        con.execute("update reference.kpi_targets set target = target + 1 where target is not null")
    real_write = Path.write_bytes

    def disk_full(self, data):
        if self.name == "board_snapshot.csv":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    monkeypatch.setenv("SENDBOARD_HOME", str(home))
    with pytest.raises(OSError, match="No space left"):
        publish.publish_month(home, MONTH, "fingerprint-after-target-change")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in (home / "published" / MONTH).iterdir()} == before
    assert history(home) == [(MONTH, 1, 23)]
    assert [p.name for p in (home / "published" / ".versions" / MONTH).iterdir()] == ["v1"]
    # with space again, version 2 is published and version 1 kept
    result = publish.publish_month(home, MONTH, "fingerprint-after-target-change")
    assert (result.status, result.version) == ("published", 2)
    assert history(home) == [(MONTH, 1, 23), (MONTH, 2, 23)]


def test_a_damaged_warehouse_is_reported_not_rebuilt_over_published_history(world):
    from sendboard.warehouse.integrity import WarehouseDamaged, check_warehouse, restore_history

    home = fresh_home(world, "damaged")
    code, output = run_worker(home, world["inbox"], PUBLISH)
    assert code == 0, output[-3000:]
    published = {p.name: p.read_bytes() for p in (home / "published" / MONTH).iterdir()}
    database = home / "warehouse" / "sendboard.duckdb"
    check_warehouse(home)  # healthy

    # 1. damaged: garbage over the file's headers
    good = database.read_bytes()
    with open(database, "r+b") as handle:
        handle.write(os.urandom(64 * 1024))
    with pytest.raises(WarehouseDamaged, match="cannot be read"):
        check_warehouse(home)
    code, output = run_worker(home, world["inbox"], PUBLISH)
    assert code == 1 and "cannot be read" in output and "Restoring the warehouse" in output
    assert {p.name: p.read_bytes() for p in (home / "published" / MONTH).iterdir()} == published

    # 2. replaced: an empty warehouse where the history was
    database.unlink()
    with duckdb.connect(str(database)) as con:
        con.execute("create table t (x int)")
    with pytest.raises(WarehouseDamaged, match="lacks the publication history of 2025-01 v1"):
        check_warehouse(home)
    code, output = run_worker(home, world["inbox"], PUBLISH)
    assert code == 1 and "lacks the publication history" in output
    assert {p.name: p.read_bytes() for p in (home / "published" / MONTH).iterdir()} == published

    # 3. restored from the published files: the old file is kept, the next run confirms version 1
    database.write_bytes(good)  # (the damaged copy this time; restore keeps whatever is there)
    with open(database, "r+b") as handle:
        handle.write(os.urandom(64 * 1024))
    kept = restore_history(home)
    assert kept.exists() and kept.name.startswith("sendboard.duckdb.damaged-")
    check_warehouse(home)
    code, output = run_worker(home, world["inbox"], PUBLISH)
    assert code == 0, output[-3000:]
    assert history(home) == [(MONTH, 1, 23)]
    assert {p.name: p.read_bytes() for p in (home / "published" / MONTH).iterdir()} == published
