-- Assessments whose week-20 date (received_date + 140 days) falls on or before 28 days after the
-- month end E: agreed to assess, no outcome yet, received on or before E. Most urgent first.
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
        requests.received_date + 140 as week_20_date,
        months.month_end - requests.received_date as days_open,
        (requests.received_date + 140) - months.month_end as days_left,
        requests.exception_20wk

    from months
    inner join requests on requests.period = months.period
    where requests.decision = 'ASSESS'
      and requests.assessment_outcome is null
      and requests.received_date <= months.month_end
      and requests.received_date + 140 <= months.month_end + 28

)

select * from final
