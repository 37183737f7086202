-- Theme 1, Right Support, Right Time: numerators and denominators per month (kpis.md), counted from
-- the KPIs' records (int_kpi_records__t1_support) but for the census KPI.
-- Ephemeral: a step of fct_kpi_values, its one reader, inlined there.
{{ config(materialized='ephemeral') }}

with

months as (

    select * from {{ ref('int_months') }}

),

records as (

    select * from {{ ref('int_kpi_records') }}

),

census as (

    select * from {{ ref('int_census_pupils_in_force') }}

),

counted as (

    {{ measures_from_records("records", ["T1_DECISIONS_6WK", "T1_HEALTH_WAIT_18WK", "T1_ND_WAIT_52WK"]) }}

),

salt_median_wait as (

    -- the ordinary median: the sum of the two middle waits (the middle one twice for an odd count),
    -- kept in whole days so the rounding to weeks is exact downstream
    select
        months.period,
        'T1_SALT_MEDIAN_WAIT' as kpi_id,
        null::bigint as numerator,
        count(records.record_id) as denominator,
        list_sort(list(records.measure_days)) as sorted_days

    from months
    left join records on records.period = months.period and records.kpi_id = 'T1_SALT_MEDIAN_WAIT'
    group by months.period

),

sen_support_rate as (

    -- no census in force: no value (numerator and denominator empty)
    select
        months.period,
        'T1_SEN_SUPPORT_RATE' as kpi_id,
        case when months.census_period is not null
            then count(census.upn_pseudonym) filter (where census.sen_provision = 'K') end as numerator,
        case when months.census_period is not null then count(census.upn_pseudonym) end as denominator

    from months
    left join census on census.period = months.period
    group by months.period, months.census_period

),

final as (

    select period, kpi_id, numerator, denominator, null::bigint as median_middle_days_sum from counted
    union all
    select
        period, kpi_id, numerator, denominator,
        case when denominator > 0
            then sorted_days[(denominator + 1) // 2] + sorted_days[denominator // 2 + 1] end
    from salt_median_wait
    union all
    select period, kpi_id, numerator, denominator, null from sen_support_rate

)

select * from final
