"""Keyed pseudonyms: HMAC-SHA256 of the normalised identifier, hex encoded.

The same value and key always give the same pseudonym, so a child links
across sources; without the key a pseudonym cannot be reversed or
recomputed. The HMAC is computed inside DuckDB (vectorised, no Python row
loop) from the standard construction H((K^opad) || H((K^ipad) || m)); the
pure-Python `pseudonym` below is the reference it is tested against.
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb

BLOCK = 64  # SHA-256 block size in bytes
KEY_TABLE = "pseudonymisation_pads"


def pseudonym(key: bytes, value: str) -> str:
    """Reference implementation.

    >>> pseudonym(b"k" * 32, "9434765919")[:16]
    '121ee75534cd8e8d'
    """
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def install_key(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Put the key's inner and outer pads in a temporary table (never in SQL text, which may be logged)."""
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(BLOCK, b"\0")
    con.execute(f"create or replace temp table {KEY_TABLE} (ipad blob, opad blob)")
    con.execute(
        f"insert into {KEY_TABLE} values (?, ?)", [bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)]
    )


def sql(expression: str) -> str:
    """SQL computing the pseudonym of a VARCHAR expression (NULL stays NULL)."""
    inner = f"sha256((select ipad from {KEY_TABLE}) || encode({expression}))"
    return f"sha256((select opad from {KEY_TABLE}) || unhex({inner}))"
