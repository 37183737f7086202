-- The records behind every KPI but the census ones, for every month: one row per record in a KPI's
-- denominator (int_kpi_records__<theme> select them, by the KPI's definition). The int_kpi_measures__*
-- models count these rows; restricted.kpi_records shows them.
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
