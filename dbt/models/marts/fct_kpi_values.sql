-- RESTRICTED: every KPI for every month with both monthly extracts, unsuppressed. The one place
-- numerators and denominators become values (kpis.md: percent and rate = 100 * n / d, medians in
-- weeks, counts = numerator; a denominator of 0 gives no value; half away from zero to 1 dp).
with

measures as (

    select * from {{ ref('int_kpi_measures__t1_support') }}
    union all
    select * from {{ ref('int_kpi_measures__t2_plans') }}
    union all
    select * from {{ ref('int_kpi_measures__t3_provision') }}
    union all
    select * from {{ ref('int_kpi_measures__t4_adulthood') }}
    union all
    select * from {{ ref('int_kpi_measures__x_cross_cutting') }}

),

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

valued as (

    select
        measures.period,
        catalogue.sort_order,
        catalogue.kpi_id,
        catalogue.theme,
        catalogue.kpi_name,
        catalogue.unit,
        catalogue.better,
        measures.numerator,
        measures.denominator,
        case
            when not coalesce(measures.denominator > 0, false) then null
            when catalogue.unit in ('%', 'rate per 100')
                then {{ round_ratio_1dp('100 * measures.numerator', 'measures.denominator') }}
            -- median weeks = (sum of the two middle day counts / 2) / 7
            when catalogue.unit = 'weeks' then {{ round_ratio_1dp('measures.median_middle_days_sum', '14') }}
            when catalogue.unit = 'count' then cast(measures.numerator as decimal(18, 1))
        end as value

    from measures
    inner join catalogue on catalogue.kpi_id = measures.kpi_id

)

select * from valued
