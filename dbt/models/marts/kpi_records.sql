-- RESTRICTED: the records behind every KPI for every month: one row per record in a KPI's
-- denominator, whether it is in the numerator, and the quantity the KPI tests (measure_days). The
-- int_kpi_measures__* models count exactly these rows (int_kpi_records), so they add up to
-- fct_kpi_values by construction (the test kpi_records_add_up_to_the_kpi_values checks it). The five
-- census KPIs are not here: their records are the census in force, one row per pupil (9M a term
-- nationally), which analytics.census_pupils_by_term already serves (docs/analysts.md).
-- A view: the records are written once, as int_kpi_records.
{{ config(materialized='view') }}

select * from {{ ref('int_kpi_records') }}
