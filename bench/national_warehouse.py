"""A national warehouse of 24 months for the projection's bound (issue 31: 720k plans, 120 s, 2 GB).

Landing and publishing 24 national months through the pipeline would take the bench an hour, and the
projection reads only three relations of the warehouse. This writes those three straight from the
synthetic world, with the columns and rules of the dbt models they stand for:

- `intermediate.int_plans_active_at_month_end`: each month's extract's plans in force at its month
  end (start on or before it, ceased after it or not), the birth month and the age in whole years;
- `staging.stg_case_management__requests`: each month's extract's requests, empty codes as null;
- `staging.stg_dfe_statistics__caseload`: England's plans in force each January, from the sample's
  synthetic release.

Identifiers are the world's own (no pseudonymisation: nothing here leaves the bench's cache).
"""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd

from sendboard import periods
from sendboard.devtools import dfe_sample
from sendboard.devtools.world import SCALES, World

SEED = 20261122
START, MONTHS = "2024-11", 24


def build(home: Path) -> Path:
    """The warehouse under home/warehouse/ (once: kept with a marker beside it)."""
    target = home / "warehouse" / "sendboard.duckdb"
    marker = target.with_suffix(".complete")
    if marker.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    world = World(SCALES["national"], START, MONTHS, SEED)
    con = duckdb.connect(str(target))
    con.execute("create schema intermediate")
    con.execute("create schema staging")
    for number, period in enumerate(periods.span(START, periods.shift(START, MONTHS - 1))):
        extract = world.case_management(period)
        plan_columns = ["plan_id", "date_of_birth", "start_date", "ceased_date", "setting_type", "primary_need"]
        request_columns = ["request_id", "received_date", "decision", "assessment_outcome", "plan_issued_date"]
        con.register("plans", extract["plans"][plan_columns])
        con.register("requests", extract["requests"][request_columns])
        end = periods.last_day(period)
        verb = "create table {} as" if number == 0 else "insert into {}"
        con.execute(
            verb.format("intermediate.int_plans_active_at_month_end")
            + """ select ? as period, ?::date as month_end, plan_id,
                     date_trunc('month', date_of_birth::date)::date as birth_month, setting_type, primary_need,
                     date_sub('year', date_trunc('month', date_of_birth::date), ?::date) as age_at_month_end
                 from plans
                 where start_date::date <= ?::date and (ceased_date = '' or ceased_date::date > ?::date)""",
            [period, end, end, end, end],
        )
        con.execute(
            verb.format("staging.stg_case_management__requests")
            + """ select ? as period, request_id, received_date::date as received_date,
                     nullif(decision, '') as decision, nullif(assessment_outcome, '') as assessment_outcome,
                     nullif(plan_issued_date, '')::date as plan_issued_date
                 from requests""",
            [period],
        )
        print(f"  national warehouse: {period}", flush=True)
    last_year = periods.parse(periods.shift(START, MONTHS - 1))[0]
    release = dfe_sample.release_files(world, last_year - 1, SEED)
    caseload = pd.read_csv(io.BytesIO(release["data/caseload.csv"]), dtype=str, encoding="utf-8-sig")
    con.register("caseload", caseload)
    con.execute(
        """create table staging.stg_dfe_statistics__caseload as
           select time_period, geographic_level, breakdown_topic, ehcplans from caseload"""
    )
    con.close()
    marker.write_text("built by bench/national_warehouse.py\n")
    return target


def plans_in_force(target: Path, period: str) -> int:
    with duckdb.connect(str(target), read_only=True) as con:
        (count,) = con.execute(
            "select count(*) from intermediate.int_plans_active_at_month_end where period = ?", [period]
        ).fetchone()
    return int(count)


if __name__ == "__main__":
    import sys

    home = Path(sys.argv[1])
    built = build(home)
    print(built, plans_in_force(built, periods.shift(START, MONTHS - 1)))
