"""`make bench-compare AGAINST=<commit>`: how much slower or faster a month is here than at another
commit, on this machine, now.

An issue's bound such as "a national month grows by no more than 10%" is a ratio between two
versions of the code. Two `make bench` runs hours apart cannot show it: this machine's speed moves by
more than 10% in an hour (the same commit measured 60 s and 75 s on one afternoon). This runs the
same month (bench/run.py's one_month: the three extracts and the publish DAG, from an empty
SENDBOARD_HOME, on the same cached inbox) at the other commit and here, alternately, and compares
the medians and where the time went.

    python bench/compare.py --against 9978c7b [--scale national|county] [--rounds 4]

The other commit is checked out in a git worktree under .sendboard/bench/ and runs with this
checkout's virtualenv: it must need no package this one lacks.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: the inboxes and one month's run)


def worktree(commit: str) -> Path:
    """A checkout of `commit` under the bench cache, with its dbt manifest built."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=bench.ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = bench.CACHE / f"tree_{sha}"
    if not (tree / ".git").exists():
        subprocess.run(["git", "worktree", "prune"], cwd=bench.ROOT, check=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=bench.ROOT, check=True)
    subprocess.run(
        [bench.PY, "-c", "from sendboard.warehouse import dbt_manifest; dbt_manifest.ensure()"],
        cwd=tree,
        env={**os.environ, "DO_NOT_TRACK": "1", "PYTHONPATH": str(tree / "include")},
        check=True,
    )
    return tree


def stage(task: str) -> str:
    """The part of a month a task belongs to, for the comparison table."""
    dag, _, name = task.partition(".")
    if name.startswith("dbt_build."):
        return {"dbt_build.dbt_producer_watcher": "dbt build", "dbt_build.dbt_test": "dbt tests"}.get(
            name, "dbt model sensors"
        )
    return f"{'extracts' if dag.startswith('extract_') else 'publish'}: {name}"


def summary(runs: list[dict]) -> dict:
    """The median month and the median of each stage (Airflow's own time between tasks included)."""
    stages: dict[str, list[float]] = {}
    for run in runs:
        seconds = Counter()
        for task, spent in run["tasks"].items():
            seconds[stage(task)] += spent
        seconds["Airflow between tasks"] = run["seconds"] - sum(run["tasks"].values())
        for name, spent in seconds.items():
            stages.setdefault(name, []).append(spent)
    return {
        "month_seconds": [r["seconds"] for r in runs],
        "median": round(statistics.median(r["seconds"] for r in runs), 2),
        "stages": {name: round(statistics.median(values), 2) for name, values in sorted(stages.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the commit to compare with (a sha, tag or branch)")
    parser.add_argument("--scale", choices=["national", "county"], default="national")
    parser.add_argument("--rounds", type=int, default=4, help="months at each commit, run alternately")
    arguments = parser.parse_args()
    spec = bench.NATIONAL if arguments.scale == "national" else bench.COUNTY
    bench.CACHE.mkdir(parents=True, exist_ok=True)
    folder = bench.inbox(spec)
    trees = {"before": worktree(arguments.against), "here": bench.ROOT}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    for round_number in range(arguments.rounds):
        for name, tree in trees.items():
            month = bench.one_month(spec, folder, tree)
            runs[name].append(month)
            print(f"round {round_number + 1}: {name} {month['seconds']} s", flush=True)
    result = {name: summary(month_runs) for name, month_runs in runs.items()}
    before, here = result["before"], result["here"]
    growth = here["median"] / before["median"] - 1
    print(
        f"\n{arguments.scale} month, median of {arguments.rounds}: {before['median']} s at "
        f"{arguments.against}, {here['median']} s here: {growth:+.1%}\n"
    )
    print(f"| stage | {arguments.against} | here |\n|---|---|---|")
    for name in sorted(set(before["stages"]) | set(here["stages"])):
        print(f"| {name} | {before['stages'].get(name, 0)} | {here['stages'].get(name, 0)} |")
    out = bench.ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"compare_{arguments.scale}.json").write_text(
        json.dumps({"against": arguments.against, "growth": round(growth, 4), **result}, indent=2) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
