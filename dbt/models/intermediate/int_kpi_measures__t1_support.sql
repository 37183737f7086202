-- Theme 1, Right Support, Right Time: numerators and denominators per month (kpis.md).
with

months as (

    select * from {{ ref('int_months') }}

),

requests as (

    select * from {{ ref('stg_case_management__requests') }}

),

waiting as (

    select * from {{ ref('int_referrals_waiting_at_month_end') }}

),

census as (

    select * from {{ ref('int_census_pupils_in_force') }}

),

decisions_6wk as (

    select
        months.period,
        'T1_DECISIONS_6WK' as kpi_id,
        count(requests.request_id) filter (where requests.decision_date - requests.received_date <= 42) as numerator,
        count(requests.request_id) as denominator

    from months
    left join requests
        on requests.period = months.period
        and requests.decision in ('ASSESS', 'NOT_ASSESS')
        and requests.decision_date between months.month_start and months.month_end
    group by months.period

),

health_wait_18wk as (

    select
        months.period,
        'T1_HEALTH_WAIT_18WK' as kpi_id,
        count(waiting.referral_id) filter (where waiting.days_waiting > 126) as numerator,
        count(waiting.referral_id) as denominator

    from months
    left join waiting on waiting.period = months.period
    group by months.period

),

salt_median_wait as (

    -- the ordinary median: the sum of the two middle waits (the middle one twice for an odd count),
    -- kept in whole days so the rounding to weeks is exact downstream
    select
        months.period,
        'T1_SALT_MEDIAN_WAIT' as kpi_id,
        null::bigint as numerator,
        count(waiting.referral_id) as denominator,
        list_sort(list(waiting.days_waiting)) as sorted_days

    from months
    left join waiting on waiting.period = months.period and waiting.service = 'SALT'
    group by months.period

),

nd_wait_52wk as (

    select
        months.period,
        'T1_ND_WAIT_52WK' as kpi_id,
        count(waiting.referral_id) filter (where waiting.days_waiting > 364) as numerator,
        count(waiting.referral_id) as denominator

    from months
    left join waiting on waiting.period = months.period and waiting.service = 'NEURODEVELOPMENTAL'
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

    select period, kpi_id, numerator, denominator, null::bigint as median_middle_days_sum from decisions_6wk
    union all
    select period, kpi_id, numerator, denominator, null from health_wait_18wk
    union all
    select
        period, kpi_id, numerator, denominator,
        case when denominator > 0
            then sorted_days[(denominator + 1) // 2] + sorted_days[denominator // 2 + 1] end
    from salt_median_wait
    union all
    select period, kpi_id, numerator, denominator, null from nd_wait_52wk
    union all
    select period, kpi_id, numerator, denominator, null from sen_support_rate

)

select * from final
