-- One row per EHC plan active on the last day of each month (the T2/T3/T4 denominators), for
-- analysts' own breakdowns. Pseudonyms only; age in whole years instead of the birth month.
with

plans_active as (

    select * from {{ ref('int_plans_active_at_month_end') }}

),

final as (

    select
        period,
        month_end,
        plan_id,
        person_pseudonym,
        upn_pseudonym,
        age_at_month_end,
        primary_need,
        setting_type,
        nc_year,
        start_date,
        month_end - start_date as days_since_plan_start

    from plans_active

)

select * from final
