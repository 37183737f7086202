-- Cross-cutting: the review meetings in X_CHILD_VOICE's denominator for each month, and whether each
-- is in its numerator. int_kpi_measures__x_cross_cutting counts these rows; the census KPI
-- (X_CENSUS_EHCP_MATCHED) is counted from the census in force there.
-- Ephemeral: inlined into int_kpi_records, which writes every theme's records once.
{{ config(materialized='ephemeral') }}

with

months as (

    select * from {{ ref('int_months') }}

),

reviews as (

    select * from {{ ref('stg_case_management__annual_reviews') }}

),

child_voice as (

    select
        months.period,
        'X_CHILD_VOICE' as kpi_id,
        'case_management.annual_reviews' as source,
        reviews.review_id as record_id,
        coalesce(reviews.child_views_recorded, false) as in_numerator,
        null::bigint as measure_days,
        reviews.meeting_date as start_date,
        reviews.decision_date as end_date

    from months
    inner join reviews
        on reviews.period = months.period
        and reviews.meeting_date between months.month_start and months.month_end

),

final as (

    select * from child_voice

)

select * from final
