"""SQL text the pipeline builds where DuckDB takes no parameters (views, ATTACH, COMMENT ON)."""

from __future__ import annotations


def literal(text: str | None) -> str:
    """A SQL string literal of `text` (None gives the empty string).

    >>> literal("O'Brien's file.csv")
    "'O''Brien''s file.csv'"
    """
    return "'" + (text or "").replace("'", "''") + "'"
