-- Plans active on the last day of each month, from that month's extract only (kpis.md: a plan is
-- active at D when start_date <= D and ceased_date is empty or after D).
with

months as (

    select * from {{ ref('int_months') }}

),

plans as (

    select * from {{ ref('stg_case_management__plans') }}

),

final as (

    select
        months.period,
        months.month_end,
        plans.plan_id,
        plans.person_pseudonym,
        plans.upn_pseudonym,
        plans.birth_month,
        plans.start_date,
        plans.setting_type,
        plans.primary_need,
        plans.nc_year,
        -- whole years from the month-reduced date of birth to the month end
        date_sub('year', plans.birth_month, months.month_end) as age_at_month_end

    from months
    inner join plans on plans.period = months.period
    where plans.start_date <= months.month_end
      and (plans.ceased_date is null or plans.ceased_date > months.month_end)

)

select * from final
