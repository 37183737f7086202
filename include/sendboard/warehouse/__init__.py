"""The warehouse: the one DuckDB file dbt builds, and what guards it.

connection (its path, its one writer, its schemas), integrity (the warehouse agrees with what was
published), dbt_manifest (dbt's manifest for Cosmos, and running dbt), dbt_docs (`make docs`).
Imports only the bottom layer and ingest.
"""
