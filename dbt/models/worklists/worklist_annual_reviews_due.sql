-- Plans active at the month end E whose annual review is due within 8 weeks or overdue: the latest
-- review meeting on or before E (or the plan's start, if none) is 365 - 56 = 309 days or more before
-- E, so the review's due date (that day + 365) is on or before E + 56.
with

active_plans as (

    select * from {{ ref('int_plans_active_at_month_end') }}

),

reviews as (

    select * from {{ ref('stg_case_management__annual_reviews') }}

),

last_review as (

    select
        active_plans.period,
        active_plans.month_end,
        active_plans.plan_id,
        active_plans.person_pseudonym,
        max(reviews.meeting_date) as last_meeting_date,
        active_plans.start_date

    from active_plans
    left join reviews
        on reviews.period = active_plans.period
        and reviews.plan_id = active_plans.plan_id
        and reviews.meeting_date <= active_plans.month_end
    group by all

),

final as (

    select
        period,
        plan_id,
        person_pseudonym,
        last_meeting_date,
        start_date,
        coalesce(last_meeting_date, start_date) + 365 as review_due_date,
        month_end - coalesce(last_meeting_date, start_date) as days_since_last_review,
        (coalesce(last_meeting_date, start_date) + 365) - month_end as days_left

    from last_review
    where month_end - coalesce(last_meeting_date, start_date) >= 365 - 56

)

select * from final
