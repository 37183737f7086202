"""The dbt docs site for analysts: generated under SENDBOARD_HOME/dbt_docs, served on localhost.

`make docs` runs `python -m sendboard.warehouse.dbt_docs`: it generates the site (models, columns,
descriptions, tests and lineage, with the warehouse's column types) and serves it on
127.0.0.1 only. Generating reads the warehouse, so it waits for no build: if a build holds the
file, the site is generated without the warehouse's catalog (no column types) and it says so.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import logging
import os
import subprocess
import sys
from pathlib import Path

from sendboard import config
from sendboard.warehouse.dbt_manifest import run_dbt

log = logging.getLogger(__name__)


def site(home: Path) -> Path:
    return home / "dbt_docs"


def _dbt(home: Path, *command: str) -> subprocess.CompletedProcess:
    return run_dbt(*command, "--quiet", home=home, target_path=site(home), log_path=home / "dbt_logs")


def generate(home: Path) -> tuple[Path, bool]:
    """Generate the site into SENDBOARD_HOME/dbt_docs; return (folder, whether the catalog is full).

    The catalog (column types, row counts) is read from the warehouse. While a pipeline run holds
    the warehouse, the site is generated from the project alone (--empty-catalog): every model,
    description, test and the lineage, without the types.
    """
    done = _dbt(home, "docs", "generate", "--static")
    if done.returncode == 0:
        return site(home), True
    output = (done.stdout + done.stderr).strip()
    if "could not set lock" not in output.lower():
        raise RuntimeError(f"dbt docs generate failed:\n{output[-2000:]}")
    log.warning(
        "a pipeline run holds the warehouse: dbt docs generated without the catalog "
        "(no column types); run `make docs` again after the run for the full site"
    )
    # parse needs no connection; generating from the parsed manifest with no catalog opens none
    done = _dbt(home, "parse")
    if done.returncode == 0:
        done = _dbt(home, "docs", "generate", "--static", "--no-compile", "--empty-catalog")
    if done.returncode != 0:
        raise RuntimeError(f"dbt docs generate --empty-catalog failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return site(home), False


def server(home: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for the site, bound to the loopback interface only."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site(home)))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=config.docs_port())
    parser.add_argument("--no-serve", action="store_true", help="generate only")
    arguments = parser.parse_args()
    config.apply_offline_environment()
    os.environ.setdefault("SENDBOARD_HOME", str(config.PROJECT_ROOT / ".sendboard"))
    home = config.home()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        generate(home)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        if not (site(home) / "index.html").exists():
            return 1
        print("Serving the site generated before.", file=sys.stderr)
    if arguments.no_serve:
        print(f"dbt docs generated in {site(home)}")
        return 0
    with server(home, arguments.port) as httpd:
        print(f"dbt docs for sendboard: http://127.0.0.1:{arguments.port}/ (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            httpd.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
