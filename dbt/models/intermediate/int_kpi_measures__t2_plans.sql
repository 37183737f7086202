-- Theme 2, Right Plan, Right First Time, Every Time: numerators and denominators per month.
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
        requests.plan_issued_date,
        requests.exception_20wk,
        requests.plan_issued_date - requests.received_date as days_to_plan

    from requests
    where requests.assessment_outcome = 'PLAN' and requests.plan_issued_date is not null

),

ehcp_20wk as (

    select
        months.period,
        count(p.request_id) filter (where p.days_to_plan <= 140) as incl_numerator,
        count(p.request_id) as incl_denominator,
        count(p.request_id) filter (where p.days_to_plan <= 140 and not p.exception_20wk) as excl_numerator,
        count(p.request_id) filter (where not p.exception_20wk) as excl_denominator

    from months
    left join plans_issued as p
        on p.period = months.period
        and p.plan_issued_date between months.month_start and months.month_end
    group by months.period

),

ehcp_20wk_r12 as (

    -- twelve months: from the first day of the month eleven months before M to the end of M
    select
        months.period,
        count(p.request_id) filter (where p.days_to_plan <= 140) as numerator,
        count(p.request_id) as denominator

    from months
    left join plans_issued as p
        on p.period = months.period
        and not p.exception_20wk
        and p.plan_issued_date between (months.month_start - interval 11 month)::date and months.month_end
    group by months.period

),

advice_6wk as (

    select
        months.period,
        count(advice.advice_id) filter (where advice.received_date - advice.requested_date <= 42) as all_numerator,
        count(advice.advice_id) as all_denominator,
        count(advice.advice_id) filter (
            where advice.advice_type = 'HEALTH' and advice.received_date - advice.requested_date <= 42
        ) as health_numerator,
        count(advice.advice_id) filter (where advice.advice_type = 'HEALTH') as health_denominator

    from months
    left join advice
        on advice.period = months.period
        and advice.received_date between months.month_start and months.month_end
    group by months.period

),

audit_good as (

    select
        months.period,
        count(audits.audit_id) filter (where audits.rating in ('OUTSTANDING', 'GOOD')) as numerator,
        count(audits.audit_id) as denominator

    from months
    left join audits
        on audits.period = months.period
        and audits.audit_date between months.month_start and months.month_end
    group by months.period

),

review_decisions_4wk as (

    select
        months.period,
        count(reviews.review_id) filter (where reviews.decision_date - reviews.meeting_date <= 28) as numerator,
        count(reviews.review_id) as denominator

    from months
    left join reviews
        on reviews.period = months.period
        and reviews.decision is not null
        and reviews.decision_date between months.month_start and months.month_end
    group by months.period

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
        months.period,
        count(last_review.plan_id) filter (where last_review.month_end - last_review.last_review_or_start > 365)
            as numerator,
        count(last_review.plan_id) as denominator

    from months
    left join last_review on last_review.period = months.period
    group by months.period

),

final as (

    select period, 'T2_EHCP_20WK_INCL' as kpi_id, incl_numerator as numerator, incl_denominator as denominator
    from ehcp_20wk
    union all
    select period, 'T2_EHCP_20WK_EXCL', excl_numerator, excl_denominator from ehcp_20wk
    union all
    select period, 'T2_EHCP_20WK_EXCL_R12', numerator, denominator from ehcp_20wk_r12
    union all
    select period, 'T2_ADVICE_6WK', all_numerator, all_denominator from advice_6wk
    union all
    select period, 'T2_HEALTH_ADVICE_6WK', health_numerator, health_denominator from advice_6wk
    union all
    select period, 'T2_AUDIT_GOOD', numerator, denominator from audit_good
    union all
    select period, 'T2_AR_DECISION_4WK', numerator, denominator from review_decisions_4wk
    union all
    select period, 'T2_AR_OVERDUE', numerator, denominator from reviews_overdue

)

select *, null::bigint as median_middle_days_sum from final
