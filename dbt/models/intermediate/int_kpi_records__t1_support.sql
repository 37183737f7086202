-- Theme 1, Right Support, Right Time: the records in each KPI's denominator for each month, and
-- whether each is in its numerator (kpis.md). int_kpi_measures__t1_support counts these rows; the
-- census KPI (T1_SEN_SUPPORT_RATE) is counted from the census in force there.
-- Ephemeral: inlined into int_kpi_records, which writes every theme's records once.
{{ config(materialized='ephemeral') }}

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

decisions as (

    -- decisions made in M, whatever month the request came in
    select
        months.period,
        'T1_DECISIONS_6WK' as kpi_id,
        'case_management.requests' as source,
        requests.request_id as record_id,
        requests.decision_date - requests.received_date <= 42 as in_numerator,
        requests.decision_date - requests.received_date as measure_days,
        requests.received_date as start_date,
        requests.decision_date as end_date

    from months
    inner join requests
        on requests.period = months.period
        and requests.decision in ('ASSESS', 'NOT_ASSESS')
        and requests.decision_date between months.month_start and months.month_end

),

waits as (

    -- referrals waiting at the month end: all services for the 18-week KPI, SALT for the median
    -- (no numerator: the median is of measure_days), neurodevelopmental for the 52-week KPI
    select
        waiting.period,
        kpis.kpi_id,
        'health_waiting_lists.referrals' as source,
        waiting.referral_id as record_id,
        case kpis.kpi_id
            when 'T1_HEALTH_WAIT_18WK' then waiting.days_waiting > 126
            when 'T1_ND_WAIT_52WK' then waiting.days_waiting > 364
        end as in_numerator,
        waiting.days_waiting as measure_days,
        waiting.referral_date as start_date,
        null::date as end_date

    from waiting
    inner join (
        values ('T1_HEALTH_WAIT_18WK', null), ('T1_SALT_MEDIAN_WAIT', 'SALT'), ('T1_ND_WAIT_52WK', 'NEURODEVELOPMENTAL')
    ) as kpis (kpi_id, service)
        on kpis.service is null or kpis.service = waiting.service

),

final as (

    select * from decisions
    union all
    select * from waits

)

select * from final
