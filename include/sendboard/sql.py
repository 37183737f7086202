"""SQL helpers: string literals where DuckDB takes no parameters (views, ATTACH, COMMENT ON), quoted
identifiers, and the one row of an aggregate query."""

from __future__ import annotations

from typing import Any


def literal(text: str | None) -> str:
    """A SQL string literal of `text` (None gives the empty string).

    >>> literal("O'Brien's file.csv")
    "'O''Brien''s file.csv'"
    """
    return "'" + (text or "").replace("'", "''") + "'"


def identifier(name: str) -> str:
    """A quoted SQL identifier (a column a query describes, whatever its name).

    >>> print(identifier('days "left" at E'))
    "days ""left"" at E"
    """
    return '"' + name.replace('"', '""') + '"'


def one(con: Any, query: str, parameters: list | None = None) -> tuple:
    """The single row of a query that always returns one (an aggregate), e.g. `select count(*) ...`."""
    row = con.execute(query, parameters or []).fetchone()
    if row is None:
        raise RuntimeError(f"expected one row from: {query[:80]}")
    return row
