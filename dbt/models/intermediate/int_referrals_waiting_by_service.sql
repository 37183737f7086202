-- Our own waiting lists at each month end by provider and service, counted as NHS England's CHS
-- workbooks count theirs (Table 4, 4f: more than 18 and up to 52 weeks, 4g: more than 52 weeks), for
-- the health comparators and their check against the provider's own CHS figure.
with

waiting as (

    select * from {{ ref('int_referrals_waiting_at_month_end') }}

),

final as (

    select
        period,
        provider_code,
        service,
        count(*) as waiting,
        count(*) filter (where days_waiting > 126 and days_waiting <= 364) as waiting_18_to_52_weeks,
        count(*) filter (where days_waiting > 364) as waiting_over_52_weeks

    from waiting
    group by period, provider_code, service

)

select * from final
