-- Theme 3, Right Provision, Right Time: numerators and denominators per month.
with

months as (

    select * from {{ ref('int_months') }}

),

active_plans as (

    select * from {{ ref('int_plans_active_at_month_end') }}

),

census as (

    select * from {{ ref('int_census_pupils_in_force') }}

),

placements as (

    select
        months.period,
        count(active_plans.plan_id) filter (where active_plans.setting_type in
            ('MAINSTREAM_SCHOOL', 'RESOURCED_PROVISION', 'STATE_SPECIAL', 'INDEPENDENT_SPECIAL',
             'ALTERNATIVE_PROVISION')) as in_school_setting,
        count(active_plans.plan_id) filter (where active_plans.setting_type in
            ('MAINSTREAM_SCHOOL', 'RESOURCED_PROVISION')) as in_mainstream,
        count(active_plans.plan_id) filter (where active_plans.setting_type = 'INDEPENDENT_SPECIAL')
            as in_independent_special,
        count(active_plans.plan_id) filter (where active_plans.setting_type = 'AWAITING_PLACEMENT')
            as awaiting_placement,
        count(active_plans.plan_id) as active

    from months
    left join active_plans on active_plans.period = months.period
    group by months.period

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

    select period, 'T3_EHCP_MAINSTREAM' as kpi_id, in_mainstream as numerator, in_school_setting as denominator
    from placements
    union all
    select period, 'T3_INDEPENDENT_SPECIAL', in_independent_special, in_school_setting from placements
    union all
    select period, 'T3_AWAITING_PLACEMENT', awaiting_placement, active from placements
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
