-- Advice requested on or before the month end E and not received, more than 42 days after it was
-- requested at E, by the service that owes it (advice_type).
with

months as (

    select * from {{ ref('int_months') }}

),

advice as (

    select * from {{ ref('stg_case_management__advice') }}

),

final as (

    select
        months.period,
        advice.advice_type,
        advice.advice_id,
        advice.request_id,
        advice.requested_date,
        advice.requested_date + 42 as day_42_date,
        months.month_end - advice.requested_date as days_waiting,
        months.month_end - (advice.requested_date + 42) as days_overdue

    from months
    inner join advice on advice.period = months.period
    where advice.received_date is null
      and advice.requested_date <= months.month_end
      and months.month_end - advice.requested_date > 42

)

select * from final
