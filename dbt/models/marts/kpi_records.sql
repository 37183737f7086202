-- RESTRICTED: the records behind every KPI for every month: one row per record in a KPI's
-- denominator, whether it is in the numerator, and the quantity the KPI tests (measure_days). The
-- int_kpi_measures__* models count exactly these rows, so they add up to fct_kpi_values by
-- construction (the test kpi_records_add_up_to_the_kpi_values checks it). The five census KPIs are
-- not here: their records are the census in force, one row per pupil (9M a term nationally), which
-- analytics.census_pupils_by_term already serves (docs/analysts.md, "Tracing a KPI").
-- A view over the intermediate tables: the records are written once, by the build of those.
{{ config(materialized='view') }}

with

records as (

    select * from {{ ref('int_kpi_records__t1_support') }}
    union all
    select * from {{ ref('int_kpi_records__t2_plans') }}
    union all
    select * from {{ ref('int_kpi_records__t3_provision') }}
    union all
    select * from {{ ref('int_kpi_records__t4_adulthood') }}
    union all
    select * from {{ ref('int_kpi_records__x_cross_cutting') }}

),

final as (

    select period, kpi_id, source, record_id, in_numerator, measure_days, start_date, end_date
    from records

)

select * from final
