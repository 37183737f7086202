"""Publish: from the built warehouse to the month's checked snapshot and board pack.

catalogue (the KPI list), inputs (the month's landed inputs and their fingerprint), build_cache
(whether dbt can be skipped), mart_checks (GX on the marts, the disclosure check, the data team's
warnings), disclosure (the proof that no suppressed figure follows from the published ones),
changes (month-on-month warnings), snapshot (the atomic publication), board_pack and pdf,
run_summary (run metadata), board (the publish run's steps), analytics_copy (the analysts'
read-only copy). Imports the bottom layer, ingest and warehouse.
"""
