-- Referrals waiting at the month end E for more than 126 days (18 weeks), by service and provider.
with

waiting as (

    select * from {{ ref('int_referrals_waiting_at_month_end') }}

),

final as (

    select
        period,
        service,
        provider_code,
        referral_id,
        nhs_number_pseudonym,
        priority,
        referral_date,
        days_waiting,
        days_waiting // 7 as weeks_waited

    from waiting
    where days_waiting > 126

)

select * from final
