"""The row rules and key rules of exports.md, computed in DuckDB.

`check_table` turns what readers.py read into `checked_<table>` (a view of
normalised text and typed values side by side, over `checked_<table>_rows`)
and `violations_<table>`
(one row per broken rule: spreadsheet row, rule, column). Work is set-based
SQL so a national file of millions of rows never loops in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from sendboard import sql
from sendboard.contract import (
    CODE,
    DATE,
    EARLIEST_DATE,
    FLAG,
    INTEGER,
    NHS_NUMBER,
    ROW_ERROR_THRESHOLD,
    UPN,
    Column,
    Table,
)
from sendboard.errors import FileRejected, Problem
from sendboard.ingest.readers import RawTable, discard, read_into

UPN_PATTERN = r"[A-Z][0-9]{11}[0-9A-Z]"


def _quote(values: tuple[str, ...]) -> str:
    return ", ".join(sql.literal(v) for v in values)


def _clean(column: Column) -> str:
    """Normalised text of a cell: trimmed, empty -> NULL, codes/flags/UPNs upper-cased, NHS spaces removed."""
    raw = f"nullif(trim({column.name}), '')"
    if column.kind in (CODE, FLAG, UPN):
        return f"upper({raw})"
    if column.kind == NHS_NUMBER:
        return f"nullif(replace(trim({column.name}), ' ', ''), '')"
    return raw


TYPED_KINDS = (DATE, INTEGER, FLAG)  # the kinds whose value is not their normalised text


def _typed(column: Column) -> str:
    """The value of a column of a TYPED_KINDS kind, from its normalised text (NULL when invalid)."""
    text = f"t_{column.name}"
    if column.kind == DATE:
        return (
            f"(case when regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}') "
            f"then try_strptime({text}, '%Y-%m-%d') "
            f"when regexp_full_match({text}, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}') "
            f"then try_strptime({text}, '%d/%m/%Y') end)::date"
        )
    if column.kind == INTEGER:
        return f"(case when regexp_full_match({text}, '-?[0-9]{{1,15}}') then {text}::bigint end)"
    return f"coalesce({text} = 'Y', false)"  # FLAG


def _nhs_valid(text: str) -> str:
    """Modulus 11: weights 10..2 on the first nine digits; check = (11 - sum mod 11) mod 11; 10 is invalid."""
    total = " + ".join(f"{11 - i}*cast(substr({text}, {i}, 1) as integer)" for i in range(1, 10))
    # CASE, not AND: SQL does not short-circuit, and the casts need ten digits
    return (
        f"(case when regexp_full_match({text}, '[0-9]{{10}}') "
        f"then (11 - ({total}) % 11) % 11 = cast(substr({text}, 10, 1) as integer) else false end)"
    )


def _column_checks(column: Column) -> list[tuple[str, str]]:
    """(rule, SQL true when the row breaks it) for one column."""
    name, text = column.name, f"t_{column.name}"
    checks = []
    if column.required:
        checks.append(("required_value_missing", f"{text} is null"))
    elif column.required_when:
        checks.append(("required_value_missing", f"{text} is null and ({column.required_when})"))
    if column.kind == DATE:
        checks += [
            ("invalid_date", f"{text} is not null and {name} is null"),
            ("date_after_period_end", f"{name} > $period_end"),
            ("date_before_1990", f"{name} < DATE '{EARLIEST_DATE}'"),
        ]
    elif column.kind == INTEGER:
        checks += [("invalid_number", f"{text} is not null and {name} is null"), ("negative_count", f"{name} < 0")]
    elif column.kind == CODE:
        checks.append(("invalid_code", f"{text} is not null and {text} not in ({_quote(column.codes)})"))
    elif column.kind == FLAG:
        checks.append(("invalid_flag", f"{text} is not null and {text} not in ('Y', 'N')"))
    elif column.kind == UPN:
        checks.append(("invalid_upn", f"{text} is not null and not regexp_full_match({text}, '{UPN_PATTERN}')"))
    elif column.kind == NHS_NUMBER:
        checks.append(("invalid_nhs_number", f"{text} is not null and not {_nhs_valid(text)}"))
    return checks


@dataclass
class CheckedTable:
    table: Table
    rows: int
    bad_rows: int
    # (rule, column) -> spreadsheet rows, for the data-quality report
    violations: dict[tuple[str, str], list[int]]

    @property
    def checked_relation(self) -> str:
        return f"checked_{self.table.name}"

    @property
    def violations_relation(self) -> str:
        return f"violations_{self.table.name}"


def check_table(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    table: Table,
    period_end: date,
    label: str,
    parent_relation: str | None = None,
) -> CheckedTable:
    """Apply every file-level key rule and row rule; raise FileRejected when the file must be rejected."""
    # a conditional or optional column absent from the file is empty (exports.md)
    text_cols = [
        f"{_clean(c)} as t_{c.name}" if c.name in raw.columns else f"null::varchar as t_{c.name}" for c in table.columns
    ]
    # a text column's value is its normalised text: stored once, named twice by the view read_into makes
    typed_cols = "".join(f", {_typed(c)} as {c.name}" for c in table.columns if c.kind in TYPED_KINDS)
    same_cols = "".join(f", t_{c.name} as {c.name}" for c in table.columns if c.kind not in TYPED_KINDS)
    checked = f"checked_{table.name}"
    # one pass, one copy: the cleaned text and the typed values side by side. A deferred CSV is
    # parsed by this very statement, and its rows are numbered by the order they are stored in
    row = "_row, " if raw.numbered else ""
    rows = read_into(
        con,
        raw,
        label,
        checked,
        f"select *{typed_cols} from (select {row}{', '.join(text_cols)} from {raw.relation})",
        same_cols,
    )
    discard(con, raw.relation)

    _reject_duplicate_keys(con, checked, table, label)

    selects = []
    for column in table.columns:
        for rule, bad in _column_checks(column):
            selects.append(f"select _row, '{rule}' as rule, '{column.name}' as column_name from {checked} where {bad}")
    for earlier, later in table.date_order:
        selects.append(
            f"select _row, 'dates_out_of_order' as rule, '{later}' as column_name "
            f"from {checked} where {later} < {earlier}"
        )
    for check in table.checks:
        selects.append(
            f"select _row, '{check.rule}' as rule, '{check.column}' as column_name "
            f"from {checked} where {check.bad_when}"
        )
    if table.parent and parent_relation:
        child_column, _, parent_key = table.parent
        selects.append(
            f"select c._row, 'unknown_parent' as rule, '{child_column}' as column_name from {checked} c "
            f"where c.t_{child_column} is not null and not exists "
            f"(select 1 from {parent_relation} p where p.t_{parent_key} = c.t_{child_column})"
        )
    violations = f"violations_{table.name}"
    union = " union all ".join(selects)
    con.execute(
        f"create or replace temp table {violations} as select distinct * from ({union})",
        {"period_end": period_end} if "$period_end" in union else None,
    )

    grouped = con.execute(
        f"select rule, column_name, list(_row order by _row) from {violations} "
        f"group by all order by min(_row), rule, column_name"
    ).fetchall()
    found = {(rule, column): list(row_list) for rule, column, row_list in grouped}
    bad_rows = sql.one(con, f"select count(distinct _row) from {violations}")[0]
    if bad_rows > ROW_ERROR_THRESHOLD * rows:
        problems = [
            Problem(
                "too_many_row_errors",
                f"{bad_rows} of {rows} data rows ({100 * bad_rows / rows:.1f}%) break row rules; "
                f"more than {ROW_ERROR_THRESHOLD:.0%} rejects the file",
            )
        ]
        problems += [
            Problem(rule, f"{len(r)} row(s) break this rule", column, r) for (rule, column), r in found.items()
        ]
        raise FileRejected(label, problems)
    return CheckedTable(table, rows, bad_rows, found)


def _reject_duplicate_keys(con: duckdb.DuckDBPyConnection, checked: str, table: Table, label: str) -> None:
    key = f"t_{table.primary_key}"
    # find the repeated keys first, then list rows for them only: a list per key for all of a
    # national census's 9M keys took 3.5 s, this takes 1 s
    duplicates = con.execute(
        f"with repeated as (select {key} as repeated_key from {checked} where {key} is not null "
        f"group by {key} having count(*) > 1) "
        f"select list(_row order by _row) from {checked} join repeated on {key} = repeated_key "
        f"group by repeated_key order by min(_row)"
    ).fetchall()
    if duplicates:
        rows = sorted(r for (group,) in duplicates for r in group)
        raise FileRejected(
            label,
            [
                Problem(
                    "duplicate_primary_key",
                    f"{len(duplicates)} value(s) of the primary key appear more than once; each must be unique",
                    table.primary_key,
                    rows,
                )
            ],
        )
