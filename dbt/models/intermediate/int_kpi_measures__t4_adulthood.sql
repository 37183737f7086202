-- Theme 4, Preparation for Adulthood: numerators and denominators per month, counted from the KPIs'
-- records (int_kpi_records__t4_adulthood).
-- Ephemeral: a step of fct_kpi_values, its one reader, inlined there.
{{ config(materialized='ephemeral') }}

with

records as (

    select * from {{ ref('int_kpi_records') }}

),

final as (

    {{ measures_from_records("records", ["T4_PFA_IN_REVIEWS", "T4_POST16_NEET"]) }}

)

select *, null::bigint as median_middle_days_sum from final
