-- The board's KPIs as published: the latest published version of each month, one row per month
-- and KPI, with the catalogue's definition. Suppressed values stay suppressed here.
with

published as (

    select * from {{ source('publication', 'board_snapshot_history') }}
    qualify version = max(version) over (partition by period)

),

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

final as (

    select
        published.period,
        published.kpi_id,
        published.theme,
        published.kpi_name,
        published.unit,
        catalogue.better,
        published.value,
        published.numerator,
        published.denominator,
        published.target,
        published.amber_threshold,
        published.rag,
        published.suppressed,
        published.previous_value,
        published.direction,
        published.version,
        published.published_at,
        catalogue.definition,
        catalogue.sort_order

    from published
    inner join catalogue on catalogue.kpi_id = published.kpi_id

)

select * from final
