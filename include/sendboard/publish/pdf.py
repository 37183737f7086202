"""board_pack.pdf: the board pack printed to PDF by headless Chromium (Debian's chromium package).

The committee papers need a PDF; Chromium prints the same HTML the board reads, with its A4 print
CSS, so the two cannot drift. Chromium runs with every background network feature off (the pack
has no external reference, and council networks may have no internet) and a throw-away profile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from sendboard import config
from sendboard.errors import ChromiumMissing

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# --no-sandbox: the sandbox cannot start as root or in most containers; the page is our own file,
# with no script and no network reference.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-pdf-header-footer",
)


def chromium() -> str:
    """The Chromium binary: $SENDBOARD_CHROMIUM, else the first of CANDIDATES on PATH."""
    configured = config.chromium()
    found = configured or next((p for p in map(shutil.which, CANDIDATES) if p), None)
    if not found or not shutil.which(found):
        raise ChromiumMissing(
            "board_pack.pdf needs Chromium: install Debian's chromium package "
            "(`make install` does) or set SENDBOARD_CHROMIUM to its path"
        )
    return found


def html_to_pdf(html_file: Path, pdf_file: Path, timeout: float = 180) -> Path:
    if not html_file.is_file():  # Chromium would print its own error page instead
        raise FileNotFoundError(f"no board pack to print at {html_file}")
    with tempfile.TemporaryDirectory(prefix="sendboard-chromium-") as profile:
        command = [
            chromium(),
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_file}",
            html_file.resolve().as_uri(),
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env={**os.environ, "HOME": profile}
        )
    if done.returncode != 0 or not pdf_file.exists() or pdf_file.read_bytes()[:5] != b"%PDF-":
        raise RuntimeError(
            f"Chromium could not print {html_file.name} to PDF (exit {done.returncode}): {done.stderr.strip()[-500:]}"
        )
    return pdf_file
