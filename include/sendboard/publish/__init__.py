"""Publish: from the built warehouse to the month's checked snapshot and board pack.

catalogue (the KPI list), board (the month's inputs, the build cache, the mart checks), disclosure
(the proof that no suppressed figure follows from the published ones), changes (month-on-month
warnings), snapshot (the atomic publication), board_pack and pdf, run_summary (run metadata),
analytics_copy (the analysts' read-only copy). Imports the bottom layer, ingest and warehouse.
"""
