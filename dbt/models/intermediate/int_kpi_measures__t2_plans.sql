-- Theme 2, Right Plan, Right First Time, Every Time: numerators and denominators per month, counted
-- from the KPIs' records (int_kpi_records__t2_plans).
-- Ephemeral: a step of fct_kpi_values, its one reader, inlined there.
{{ config(materialized='ephemeral') }}

with

records as (

    select * from {{ ref('int_kpi_records') }}

),

final as (

    {{ measures_from_records("records", [
        "T2_EHCP_20WK_INCL", "T2_EHCP_20WK_EXCL", "T2_EHCP_20WK_EXCL_R12", "T2_ADVICE_6WK", "T2_HEALTH_ADVICE_6WK",
        "T2_AUDIT_GOOD", "T2_AR_DECISION_4WK", "T2_AR_OVERDUE",
    ]) }}

)

select *, null::bigint as median_middle_days_sum from final
