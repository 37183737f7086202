-- Theme 4, Preparation for Adulthood: numerators and denominators per month.
with

months as (

    select * from {{ ref('int_months') }}

),

reviews as (

    select * from {{ ref('stg_case_management__annual_reviews') }}

),

active_plans as (

    select * from {{ ref('int_plans_active_at_month_end') }}

),

pfa_in_reviews as (

    -- nc_year 9..14 means the codes '9' to '14'; N1, N2, R, X and empty are outside it
    select
        months.period,
        count(reviews.review_id) filter (where reviews.pfa_outcomes_recorded) as numerator,
        count(reviews.review_id) as denominator

    from months
    left join reviews
        on reviews.period = months.period
        and reviews.meeting_date between months.month_start and months.month_end
        and reviews.nc_year in ('9', '10', '11', '12', '13', '14')
    group by months.period

),

post16_neet as (

    select
        months.period,
        count(active_plans.plan_id) filter (where active_plans.setting_type = 'NEET') as numerator,
        count(active_plans.plan_id) as denominator

    from months
    left join active_plans
        on active_plans.period = months.period
        and active_plans.age_at_month_end between 16 and 25
    group by months.period

),

final as (

    select period, 'T4_PFA_IN_REVIEWS' as kpi_id, numerator, denominator from pfa_in_reviews
    union all
    select period, 'T4_POST16_NEET', numerator, denominator from post16_neet

)

select *, null::bigint as median_middle_days_sum from final
