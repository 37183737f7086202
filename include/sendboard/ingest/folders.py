"""Replacing a folder whole: landings, DfE releases and worklists are written to a hidden staging
folder beside their place, then swapped in, so a reader sees the old folder or the new one."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path


def swap_into_place(staging: Path, target: Path) -> None:
    """Put a fully written staging folder where `target` is, replacing it: readers see the old folder or
    the new one, never a mix (the old one is renamed aside, hidden, then removed)."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.{uuid.uuid4().hex}.old"
        target.rename(old)
    staging.rename(target)
    if old:
        shutil.rmtree(old)
