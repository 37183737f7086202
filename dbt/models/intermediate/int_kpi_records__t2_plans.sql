-- Theme 2, Right Plan, Right First Time, Every Time: the records in each KPI's denominator for each
-- month, and whether each is in its numerator (kpis.md). int_kpi_measures__t2_plans counts these rows.
-- Ephemeral: inlined into int_kpi_records, which writes every theme's records once.
{{ config(materialized='ephemeral') }}

with

months as (

    select * from {{ ref('int_months') }}

),

requests as (

    select * from {{ ref('stg_case_management__requests') }}

),

advice as (

    select * from {{ ref('stg_case_management__advice') }}

),

audits as (

    select * from {{ ref('stg_case_management__plan_audits') }}

),

reviews as (

    select * from {{ ref('stg_case_management__annual_reviews') }}

),

active_plans as (

    select * from {{ ref('int_plans_active_at_month_end') }}

),

plans_issued as (

    -- requests whose assessment ended in a plan, with the day count from request to final plan
    select
        requests.period,
        requests.request_id,
        requests.received_date,
        requests.plan_issued_date,
        requests.exception_20wk,
        requests.plan_issued_date - requests.received_date as days_to_plan

    from requests
    where requests.assessment_outcome = 'PLAN' and requests.plan_issued_date is not null

),

ehcp_20wk as (

    -- plans issued in M (INCL), leaving out exceptions from both counts (EXCL); and over the twelve
    -- months from the first day of the month eleven months before M to the end of M (R12)
    select
        months.period,
        kpis.kpi_id,
        'case_management.requests' as source,
        p.request_id as record_id,
        p.days_to_plan <= 140 as in_numerator,
        p.days_to_plan as measure_days,
        p.received_date as start_date,
        p.plan_issued_date as end_date

    from months
    inner join (
        values ('T2_EHCP_20WK_INCL', true, 0), ('T2_EHCP_20WK_EXCL', false, 0), ('T2_EHCP_20WK_EXCL_R12', false, 11)
    ) as kpis (kpi_id, with_exceptions, months_before)
        on true
    inner join plans_issued as p
        on p.period = months.period
        and (kpis.with_exceptions or not p.exception_20wk)
        and p.plan_issued_date between (months.month_start - to_months(kpis.months_before))::date and months.month_end

),

advice_6wk as (

    select
        months.period,
        kpis.kpi_id,
        'case_management.advice' as source,
        advice.advice_id as record_id,
        advice.received_date - advice.requested_date <= 42 as in_numerator,
        advice.received_date - advice.requested_date as measure_days,
        advice.requested_date as start_date,
        advice.received_date as end_date

    from months
    inner join (values ('T2_ADVICE_6WK', null), ('T2_HEALTH_ADVICE_6WK', 'HEALTH')) as kpis (kpi_id, advice_type) on true
    inner join advice
        on advice.period = months.period
        and advice.received_date between months.month_start and months.month_end
        and (kpis.advice_type is null or advice.advice_type = kpis.advice_type)

),

audit_good as (

    select
        months.period,
        'T2_AUDIT_GOOD' as kpi_id,
        'case_management.plan_audits' as source,
        audits.audit_id as record_id,
        audits.rating in ('OUTSTANDING', 'GOOD') as in_numerator,
        null::bigint as measure_days,
        audits.audit_date as start_date,
        audits.audit_date as end_date

    from months
    inner join audits
        on audits.period = months.period
        and audits.audit_date between months.month_start and months.month_end

),

review_decisions_4wk as (

    -- decisions made in M, whatever month the meeting was in
    select
        months.period,
        'T2_AR_DECISION_4WK' as kpi_id,
        'case_management.annual_reviews' as source,
        reviews.review_id as record_id,
        reviews.decision_date - reviews.meeting_date <= 28 as in_numerator,
        reviews.decision_date - reviews.meeting_date as measure_days,
        reviews.meeting_date as start_date,
        reviews.decision_date as end_date

    from months
    inner join reviews
        on reviews.period = months.period
        and reviews.decision is not null
        and reviews.decision_date between months.month_start and months.month_end

),

last_review as (

    -- L: the latest review meeting on or before the month end, or the plan's start if none
    select
        active_plans.period,
        active_plans.plan_id,
        active_plans.month_end,
        coalesce(max(reviews.meeting_date), active_plans.start_date) as last_review_or_start

    from active_plans
    left join reviews
        on reviews.period = active_plans.period
        and reviews.plan_id = active_plans.plan_id
        and reviews.meeting_date <= active_plans.month_end
    group by active_plans.period, active_plans.plan_id, active_plans.month_end, active_plans.start_date

),

reviews_overdue as (

    select
        period,
        'T2_AR_OVERDUE' as kpi_id,
        'case_management.plans' as source,
        plan_id as record_id,
        month_end - last_review_or_start > 365 as in_numerator,
        month_end - last_review_or_start as measure_days,
        last_review_or_start as start_date,
        null::date as end_date

    from last_review

),

final as (

    select * from ehcp_20wk
    union all
    select * from advice_6wk
    union all
    select * from audit_good
    union all
    select * from review_decisions_4wk
    union all
    select * from reviews_overdue

)

select * from final
