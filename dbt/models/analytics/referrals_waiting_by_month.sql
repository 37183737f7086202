-- One row per children's community health referral still waiting on the last day of each month
-- (the T1 waiting-list KPIs' population). Pseudonyms only.
with

referrals_waiting as (

    select * from {{ ref('int_referrals_waiting_at_month_end') }}

),

final as (

    select
        period,
        month_end,
        referral_id,
        nhs_number_pseudonym,
        provider_code,
        service,
        priority,
        referral_date,
        days_waiting,
        -- whole weeks, as waiting-list reports count them
        days_waiting // 7 as weeks_waiting

    from referrals_waiting

)

select * from final
