-- Theme 3, Right Provision, Right Time: numerators and denominators per month, counted from the
-- KPIs' records (int_kpi_records__t3_provision) but for the census KPIs.
-- Ephemeral: a step of fct_kpi_values, its one reader, inlined there.
{{ config(materialized='ephemeral') }}

with

months as (

    select * from {{ ref('int_months') }}

),

records as (

    select * from {{ ref('int_kpi_records') }}

),

census as (

    select * from {{ ref('int_census_pupils_in_force') }}

),

placements as (

    {{ measures_from_records("records", ["T3_EHCP_MAINSTREAM", "T3_INDEPENDENT_SPECIAL", "T3_AWAITING_PLACEMENT"]) }}

),

census_measures as (

    -- no census in force: no value (numerator and denominator empty)
    select
        months.period,
        months.census_period is not null as has_census,
        count(census.upn_pseudonym) filter (where census.sen_provision in ('E', 'K')) as sen_pupils,
        coalesce(sum(census.suspensions) filter (where census.sen_provision in ('E', 'K')), 0) as sen_suspensions,
        count(census.upn_pseudonym) filter (where census.sen_provision = 'N') as no_sen_pupils,
        coalesce(sum(census.suspensions) filter (where census.sen_provision = 'N'), 0) as no_sen_suspensions,
        count(census.upn_pseudonym) filter (where census.sen_provision = 'E' and census.sessions_possible > 0)
            as ehcp_pupils_with_sessions,
        -- persistent absence: missed / possible >= 0.1, in integers to avoid a float edge
        count(census.upn_pseudonym) filter (where census.sen_provision = 'E' and census.sessions_possible > 0
            and 10 * census.sessions_missed >= census.sessions_possible) as ehcp_persistently_absent

    from months
    left join census on census.period = months.period
    group by months.period, months.census_period

),

final as (

    select period, kpi_id, numerator, denominator from placements
    union all
    select period, 'T3_SUSPENSION_RATE_SEN',
        case when has_census then sen_suspensions end, case when has_census then sen_pupils end
    from census_measures
    union all
    select period, 'T3_SUSPENSION_RATE_NO_SEN',
        case when has_census then no_sen_suspensions end, case when has_census then no_sen_pupils end
    from census_measures
    union all
    select period, 'T3_PERSISTENT_ABSENCE_EHCP',
        case when has_census then ehcp_persistently_absent end, case when has_census then ehcp_pupils_with_sessions end
    from census_measures

)

select *, null::bigint as median_middle_days_sum from final
