"""The floor: one bare DuckDB SQL script computing the 23 KPIs of one month straight from the
partners' files. No rules, no pseudonyms, no landing, no checks, no Airflow: the least any pipeline
must spend to read these files and compute these figures.

The script is written, not hand-copied: one table per CSV file the KPIs read, holding only the
columns the KPI models name, then dbt's own compiled SQL for the intermediate KPI models (the
records behind the KPIs, then fct_kpi_values counting them), so the floor computes exactly our
definitions. Files are read as they are (UTF-8, or Latin-1 for a Windows-1252 file), never
transcoded in Python. XLSX (which DuckDB cannot read offline) is read with calamine first; that time
counts too.

    python bench/floor.py --inbox DIR --period YYYY-MM [--out DIR]
prints {"seconds": ..., "peak_rss_mib": ..., "kpis": {...}} as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from sendboard.contract import CODE, DATE, FLAG, INTEGER, NHS_NUMBER, SOURCES, UPN  # noqa: E402
from sendboard.ingest.readers import detect_encoding  # noqa: E402

MODELS = [
    "int_months",
    "int_plans_active_at_month_end",
    "int_referrals_waiting_at_month_end",
    "int_census_pupils_in_force",
    # every non-census KPI's records (the ephemeral int_kpi_records__<theme> inlined), which the
    # measures count; the measures are ephemeral, inlined into fct_kpi_values
    "int_kpi_records",
    "fct_kpi_values",
]


def compiled_models(scratch: Path) -> list[tuple[str, str, str]]:
    """(schema, name, compiled SQL) of the KPI models, from `dbt compile` on an empty warehouse."""
    from sendboard.warehouse.dbt_manifest import run_dbt

    (scratch / "warehouse").mkdir(parents=True, exist_ok=True)
    done = run_dbt(
        "compile",
        "--quiet",
        "--select",
        " ".join(MODELS),
        home=scratch,
        target_path=scratch / "target",
        log_path=scratch / "logs",
    )
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-3000:] + done.stderr[-3000:])
    nodes = json.loads((scratch / "target" / "manifest.json").read_text())["nodes"]
    return [
        (nodes[f"model.sendboard.{m}"]["schema"], m, nodes[f"model.sendboard.{m}"]["compiled_code"]) for m in MODELS
    ]


def _expression(column) -> str:
    text = f"nullif(trim(\"{column.name}\"), '')"
    if column.kind == DATE:
        value = f"coalesce(try_strptime({text}, '%Y-%m-%d'), try_strptime({text}, '%d/%m/%Y'))::date"
        return f"date_trunc('month', {value})::date" if column.name == "date_of_birth" else value
    if column.kind == INTEGER:
        return f"try_cast({text} as bigint)"
    if column.kind == FLAG:
        return f"coalesce(upper({text}) = 'Y', false)"
    if column.kind in (CODE, UPN):
        return f"upper({text})"
    if column.kind == NHS_NUMBER:
        return f"replace({text}, ' ', '')"
    return text


def _xlsx_as_csv(path: Path, target: Path) -> None:
    import csv

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(
                ["" if v is None else v.isoformat()[:10] if isinstance(v, (date, datetime)) else v for v in row]
            )


def floor_script(inbox: Path, period: str, census: str | None, models, work: Path) -> str:
    used = {word for _, _, sql in models for word in re.findall(r"[a-z_][a-z0-9_]*", sql.lower())}
    lines = ["attach ':memory:' as sendboard;", "use sendboard;"]
    for schema in {"staging", "reference", "intermediate", "restricted", "publication"}:
        lines.append(f"create schema if not exists {schema};")
    lines.append(
        f"create table reference.kpi_catalogue as select * from read_csv('{ROOT / 'dbt/seeds/kpi_catalogue.csv'}');"
    )
    for source in SOURCES.values():
        source_period = census if source.census_months else period
        if source_period is None:
            continue
        for table in source.tables:
            # only the columns a KPI model names are loaded (the same as views with projection pushdown,
            # read once): the floor of reading these files
            wanted = [c for c in table.columns if c.landed_name in used]
            if not wanted or f"stg_{source.name}__{table.name}" not in used:
                continue  # no KPI reads this table
            folder = inbox / source.name / source_period
            file = next(p for p in folder.iterdir() if p.stem.lower() == table.name)
            if file.suffix.lower() == ".xlsx":
                converted = work / f"{source.name}__{table.name}.csv"
                _xlsx_as_csv(file, converted)
                file, encoding = converted, "utf-8"
            else:
                # a bare script knows its files: DuckDB reads UTF-8 (and ASCII) as they are, and a
                # Windows-1252 file as Latin-1, which differs only in 0x80-0x9F: punctuation in free
                # text, never in a column a KPI reads
                encoding = "utf-8" if detect_encoding(file) == "utf-8-sig" else "latin-1"
            columns = [f"{_expression(c)} as {c.landed_name}" for c in wanted]
            lines.append(
                f"create table staging.stg_{source.name}__{table.name} as select '{source_period}' as period, "
                f"{', '.join(columns)}, 0::bigint as source_row, now() as loaded_at "
                f"from read_csv('{file}', header=true, all_varchar=true, encoding='{encoding}');"
            )
    for schema, name, sql in models:
        lines.append(f"create table {schema}.{name} as {sql.strip().rstrip(';')};")
    return "\n".join(lines) + "\n"


def run(inbox: Path, period: str, out: Path) -> dict:
    census_periods = sorted(p.name for p in (inbox / "school_census").iterdir() if p.name <= period)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sendboard-floor-") as scratch:
        models = compiled_models(Path(scratch))  # code generation: not part of the timed floor
        started = time.perf_counter()
        import duckdb

        script = floor_script(inbox, period, census_periods[-1] if census_periods else None, models, Path(scratch))
        con = duckdb.connect()
        con.execute(script)
        kpis = {
            k: {"numerator": n, "denominator": d, "value": None if v is None else float(v)}
            for k, n, d, v in con.execute(
                "select kpi_id, numerator, denominator, value from "
                "restricted.fct_kpi_values where period = ? order by sort_order",
                [period],
            ).fetchall()
        }
        seconds = time.perf_counter() - started
    (out / f"floor_{period}.sql").write_text(script)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(peak), "kpis": kpis}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--period", required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    arguments = parser.parse_args()
    print(json.dumps(run(arguments.inbox, arguments.period, arguments.out)))
