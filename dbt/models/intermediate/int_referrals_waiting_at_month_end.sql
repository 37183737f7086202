-- Referrals waiting on the last day of each month, from that month's extract only: referred on or
-- before it, with no first contact and no removal on or before it.
with

months as (

    select * from {{ ref('int_months') }}

),

referrals as (

    select * from {{ ref('stg_health_waiting_lists__referrals') }}

),

final as (

    select
        months.period,
        months.month_end,
        referrals.referral_id,
        referrals.nhs_number_pseudonym,
        referrals.provider_code,
        referrals.service,
        referrals.priority,
        referrals.referral_date,
        months.month_end - referrals.referral_date as days_waiting

    from months
    inner join referrals on referrals.period = months.period
    where referrals.referral_date <= months.month_end
      and (referrals.first_contact_date is null or referrals.first_contact_date > months.month_end)
      and (referrals.removed_date is null or referrals.removed_date > months.month_end)

)

select * from final
