-- Theme 3, Right Provision, Right Time: the plans in each placement KPI's denominator for each month,
-- and whether each is in its numerator (kpis.md). int_kpi_measures__t3_provision counts these rows;
-- the census KPIs (suspensions, persistent absence) are counted from the census in force there.
-- Ephemeral: inlined into int_kpi_records, which writes every theme's records once.
{{ config(materialized='ephemeral') }}

with

active_plans as (

    select * from {{ ref('int_plans_active_at_month_end') }}

),

school_settings as (

    select * from (values
        ('MAINSTREAM_SCHOOL'), ('RESOURCED_PROVISION'), ('STATE_SPECIAL'), ('INDEPENDENT_SPECIAL'),
        ('ALTERNATIVE_PROVISION')
    ) as settings (setting_type)

),

placements as (

    -- of the plans in a school setting: in mainstream (with resourced provision), in independent special;
    -- of every active plan: awaiting a placement
    select
        active_plans.period,
        kpis.kpi_id,
        'case_management.plans' as source,
        active_plans.plan_id as record_id,
        case kpis.kpi_id
            when 'T3_EHCP_MAINSTREAM' then active_plans.setting_type in ('MAINSTREAM_SCHOOL', 'RESOURCED_PROVISION')
            when 'T3_INDEPENDENT_SPECIAL' then active_plans.setting_type = 'INDEPENDENT_SPECIAL'
            else active_plans.setting_type = 'AWAITING_PLACEMENT'
        end as in_numerator,
        null::bigint as measure_days,
        active_plans.start_date,
        null::date as end_date

    from active_plans
    inner join (
        values ('T3_EHCP_MAINSTREAM', true), ('T3_INDEPENDENT_SPECIAL', true), ('T3_AWAITING_PLACEMENT', false)
    ) as kpis (kpi_id, of_school_settings)
        on not kpis.of_school_settings
        or active_plans.setting_type in (select setting_type from school_settings)

),

final as (

    select * from placements

)

select * from final
