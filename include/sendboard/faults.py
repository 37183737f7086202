"""Named crash points for the fault tests (tests/e2e/test_faults.py).

A test sets SENDBOARD_FAULT_AT=<point> in a worker's environment; when the worker reaches that
point it kills itself with SIGKILL, exactly as `kill -9` would: no exception handler, no finally
block, no flush. Unset (always, outside those tests), a point does nothing.
"""

from __future__ import annotations

import os
import signal

from sendboard import config

POINTS = ("landing_before_swap", "checks_between_suites", "publish_before_commit", "publish_before_link")


def point(name: str) -> None:
    assert name in POINTS, name
    if config.fault_at() == name:
        os.kill(os.getpid(), signal.SIGKILL)
