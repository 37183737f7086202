-- Cross-cutting measures for the inspection's areas for priority action: numerators and denominators,
-- counted from the KPIs' records (int_kpi_records__x_cross_cutting) but for the census KPI.
-- Ephemeral: a step of fct_kpi_values, its one reader, inlined there.
{{ config(materialized='ephemeral') }}

with

months as (

    select * from {{ ref('int_months') }}

),

records as (

    select * from {{ ref('int_kpi_records') }}

),

plans as (

    select * from {{ ref('stg_case_management__plans') }}

),

census as (

    select * from {{ ref('int_census_pupils_in_force') }}

),

child_voice as (

    {{ measures_from_records("records", ["X_CHILD_VOICE"]) }}

),

plans_active_on_census_day as (

    -- plans in the extract of month M active on the last day of the census month in force
    select distinct months.period, plans.upn_pseudonym

    from months
    inner join plans on plans.period = months.period
    where months.census_day is not null
      and plans.upn_pseudonym is not null
      and plans.start_date <= months.census_day
      and (plans.ceased_date is null or plans.ceased_date > months.census_day)

),

census_matched as (

    select
        months.period,
        case when months.census_period is not null
            then count(census.upn_pseudonym) filter (where matched.upn_pseudonym is not null) end as numerator,
        case when months.census_period is not null then count(census.upn_pseudonym) end as denominator

    from months
    left join census on census.period = months.period and census.sen_provision = 'E'
    left join plans_active_on_census_day as matched
        on matched.period = census.period and matched.upn_pseudonym = census.upn_pseudonym
    group by months.period, months.census_period

),

final as (

    select period, kpi_id, numerator, denominator from child_voice
    union all
    select period, 'X_CENSUS_EHCP_MATCHED', numerator, denominator from census_matched

)

select *, null::bigint as median_middle_days_sum from final
