"""Keyed pseudonyms: the DuckDB HMAC equals Python's hmac, keys matter, normalisation links sources."""

from __future__ import annotations

import hashlib
import hmac

import duckdb

from sendboard.config import key_fingerprint
from sendboard.ingest import pseudonymise
from tests.support.helpers import NHS_A, UPN_A


def duckdb_pseudonyms(key: bytes, values: list[str]) -> list[str]:
    con = duckdb.connect()
    pseudonymise.install_key(con, key)
    con.execute("create table v as select unnest(?::varchar[]) as x", [values])
    return [r[0] for r in con.execute(f"select {pseudonymise.sql('x')} from v").fetchall()]


def test_duckdb_hmac_equals_the_python_standard_library(key):
    values = [NHS_A, UPN_A, "P00000001", "£ and ü"]
    assert duckdb_pseudonyms(key, values) == [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values]


def test_keys_longer_than_a_block_are_hashed_first_as_hmac_requires():
    long_key = b"x" * 100
    assert duckdb_pseudonyms(long_key, [NHS_A]) == [hmac.new(long_key, NHS_A.encode(), hashlib.sha256).hexdigest()]


def test_same_value_and_key_give_the_same_pseudonym_another_key_another(key):
    first = duckdb_pseudonyms(key, [NHS_A, NHS_A])
    other = duckdb_pseudonyms(b"another-key-of-sufficient-length-000000", [NHS_A])
    assert first[0] == first[1]
    assert other[0] != first[0]
    assert len(first[0]) == 64 and NHS_A not in first[0]


def test_null_stays_null(key):
    con = duckdb.connect()
    pseudonymise.install_key(con, key)
    assert con.execute(f"select {pseudonymise.sql('null::varchar')}").fetchone() == (None,)


def test_fingerprint_names_the_key_without_revealing_it(key):
    assert key_fingerprint(key) == key_fingerprint(key)
    assert key_fingerprint(key) != key_fingerprint(key + b"!")
    assert len(key_fingerprint(key)) == 12
