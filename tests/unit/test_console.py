"""`make run`'s console: our lines on the terminal; Airflow's, dbt's and warnings' output in the log."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def test_the_console_keeps_only_our_lines_and_the_alerts_on_the_terminal(tmp_path):
    log = tmp_path / "run.log"
    script = textwrap.dedent(f"""
        import logging, os, subprocess, sys, warnings
        from pathlib import Path
        from sendboard.devtools.console import Console

        with Console(Path({str(log)!r})) as console:
            console.say("[1/2] extract_case_management 2025-01 ok 1.0 s")
            print("an Airflow task log line")
            warnings.warn("a deprecation warning", DeprecationWarning, stacklevel=1)
            os.write(2, b"written to fd 2\\n")
            subprocess.run([sys.executable, "-c", "print('dbt in a child process')"], check=True)
            logging.getLogger("sendboard.operations.alerts").error("ALERT %s", "[sendboard] land failed\\nRule: x")
            console.say("[2/2] " + " | ".join(console.new_alerts()))
        print("after the run")
    """)
    environment = {**os.environ, "PYTHONWARNINGS": "always"}  # the deprecation warning is shown, to the log
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True)
    assert done.stdout.splitlines() == [
        "[1/2] extract_case_management 2025-01 ok 1.0 s",
        "[2/2] [sendboard] land failed",
        "Rule: x",
        "after the run",
    ]
    assert done.stderr == ""
    written = log.read_text()
    for line in ("an Airflow task log line", "a deprecation warning", "written to fd 2", "dbt in a child process"):
        assert line in written
    assert "extract_case_management" not in written
