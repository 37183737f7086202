-- Requests with no decision yet, received on or before the month end E, whose day-42 date
-- (received_date + 42 days) falls on or before 14 days after E. Most urgent first.
with

months as (

    select * from {{ ref('int_months') }}

),

requests as (

    select * from {{ ref('stg_case_management__requests') }}

),

final as (

    select
        months.period,
        requests.request_id,
        requests.person_pseudonym,
        requests.received_date,
        requests.received_date + 42 as day_42_date,
        months.month_end - requests.received_date as days_open,
        (requests.received_date + 42) - months.month_end as days_left

    from months
    inner join requests on requests.period = months.period
    where requests.decision is null
      and requests.received_date <= months.month_end
      and requests.received_date + 42 <= months.month_end + 14

)

select * from final
