-- The month spine: every month with both monthly extracts landed, its first and last day, and
-- the census in force (the latest landed census period at or before it; kpis.md "The census").
with

case_management_periods as (

    select distinct period from {{ ref('stg_case_management__plans') }}

),

health_periods as (

    select distinct period from {{ ref('stg_health_waiting_lists__referrals') }}

),

census_periods as (

    select distinct period as census_period from {{ ref('stg_school_census__pupils') }}

),

months as (

    select
        period,
        strptime(period || '-01', '%Y-%m-%d')::date as month_start,
        last_day(strptime(period || '-01', '%Y-%m-%d')::date) as month_end

    from case_management_periods
    inner join health_periods using (period)

),

final as (

    select
        months.*,
        (select max(census_period) from census_periods where census_period <= months.period) as census_period

    from months

)

select
    *,
    last_day(strptime(census_period || '-01', '%Y-%m-%d')::date) as census_day
from final
