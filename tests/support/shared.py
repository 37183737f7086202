"""What several e2e modules start from, built once per test session: with pytest-xdist the first process
to ask builds it under a lock and the others wait for it and read it.

Read-only: a test that changes a home or an inbox copies it first (`copy_home`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from sendboard.devtools.generator import generate
from tests.support.worker import run_worker

# the small sample's first three months: census 2025-01, and the monthly extracts of each month
SMALL_MONTHS = ("2025-01", "2025-02", "2025-03")
SMALL_LAND = ["extract_school_census:2025-01"] + [
    f"{dag}:{month}" for month in SMALL_MONTHS for dag in ("extract_case_management", "extract_health_waiting_lists")
]


def session_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder every process of this session sees: the xdist processes' common parent, else this one's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


def built_once(folder: Path, name: str, build: Callable[[Path], None]) -> Path:
    """folder/name, built by `build` by the first process to get here; the rest wait on the lock."""
    target = folder / name
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / f"{name}.done"
        if not done.exists():
            if target.exists():  # a build that failed in another process: start again
                shutil.rmtree(target)
            target.mkdir()
            build(target)
            done.write_text(json.dumps({"pid": os.getpid()}))
    return target


def build_small_landed(target: Path) -> None:
    """The small sample 2025-01..2025-03 in target/inbox, every month landed by the extract DAGs in
    target/home (nothing published)."""
    generate(target / "inbox", start=SMALL_MONTHS[0], months=len(SMALL_MONTHS), scale="small")
    code, output = run_worker(target / "home", target / "inbox", SMALL_LAND)
    assert code == 0, output[-3000:]


def copy_home(home: Path, to: Path) -> Path:
    shutil.copytree(home, to, symlinks=True)
    return to
