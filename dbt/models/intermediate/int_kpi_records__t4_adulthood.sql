-- Theme 4, Preparation for Adulthood: the records in each KPI's denominator for each month, and
-- whether each is in its numerator (kpis.md). int_kpi_measures__t4_adulthood counts these rows.
-- Ephemeral: inlined into int_kpi_records, which writes every theme's records once.
{{ config(materialized='ephemeral') }}

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

    -- review meetings in M of young people in NC years 9 to 14 (the codes '9' to '14'; N1, N2, R, X
    -- and empty are outside it)
    select
        months.period,
        'T4_PFA_IN_REVIEWS' as kpi_id,
        'case_management.annual_reviews' as source,
        reviews.review_id as record_id,
        coalesce(reviews.pfa_outcomes_recorded, false) as in_numerator,
        null::bigint as measure_days,
        reviews.meeting_date as start_date,
        reviews.decision_date as end_date

    from months
    inner join reviews
        on reviews.period = months.period
        and reviews.meeting_date between months.month_start and months.month_end
        and reviews.nc_year in ('9', '10', '11', '12', '13', '14')

),

post16_neet as (

    select
        period,
        'T4_POST16_NEET' as kpi_id,
        'case_management.plans' as source,
        plan_id as record_id,
        setting_type = 'NEET' as in_numerator,
        null::bigint as measure_days,
        start_date,
        null::date as end_date

    from active_plans
    where age_at_month_end between 16 and 25

),

final as (

    select * from pfa_in_reviews
    union all
    select * from post16_neet

)

select * from final
