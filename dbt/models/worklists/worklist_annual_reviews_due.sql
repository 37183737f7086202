-- Plans active at the month end E whose annual review is due within 8 weeks or overdue: the latest
-- review meeting on or before E (or the plan's start, if none), L, is 365 - 56 = 309 days or more
-- before E, so the review's due date L + 365 is on or before E + 56. L is the one T2_AR_OVERDUE counts
-- (its records: start_date = L, measure_days = E - L): the list is the KPI's own cases.
with

records as (

    select * from {{ ref('int_kpi_records') }}

),

active_plans as (

    select * from {{ ref('int_plans_active_at_month_end') }}

),

final as (

    select
        records.period,
        records.record_id as plan_id,
        active_plans.person_pseudonym,
        records.start_date as last_review_or_start,
        records.start_date + 365 as review_due_date,
        records.measure_days as days_since_last_review,
        (records.start_date + 365) - active_plans.month_end as days_left

    from records
    inner join active_plans
        on active_plans.period = records.period
        and active_plans.plan_id = records.record_id
    where records.kpi_id = 'T2_AR_OVERDUE'
      and records.measure_days >= 365 - 56

)

select * from final
