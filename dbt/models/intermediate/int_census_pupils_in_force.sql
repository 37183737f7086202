-- For each month, the pupils of the census in force (the latest landed census at or before it).
-- A month with no census has no rows here, and its census KPIs have no value.
-- A view, unlike the other intermediate models: a table would copy every pupil once per month
-- (9M rows for a national month, 4.5 s); the three models reading it each scan the Parquet once.
{{ config(materialized='view') }}

with

months as (

    select * from {{ ref('int_months') }}

),

pupils as (

    select * from {{ ref('stg_school_census__pupils') }}

),

final as (

    select
        months.period,
        months.census_period,
        months.census_day,
        pupils.upn_pseudonym,
        pupils.sen_provision,
        pupils.sessions_possible,
        pupils.sessions_missed,
        pupils.suspensions

    from months
    inner join pupils on pupils.period = months.census_period

)

select * from final
