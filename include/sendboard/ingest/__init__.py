"""Ingest: an export from the inbox to landed, pseudonymised, checked Parquet, or to quarantine.

inbox (what has arrived), readers (CSV and XLSX to DuckDB), rules (exports.md's file and row rules),
pseudonymise, landing (a period landed whole or not at all), expectations (the Great Expectations
suites: generated from the contract, run on pandas), extract (the extract DAGs' tasks).
Imports only the bottom layer (config, errors, periods, contract, sql, faults).
"""
