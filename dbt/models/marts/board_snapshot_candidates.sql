-- The board snapshot rows as they would be published for every month (kpis.md: targets and RAG,
-- trend, statistical disclosure control), before the publisher stamps version and published_at.
with

kpi_values as (

    select * from {{ ref('fct_kpi_values') }}

),

targets as (

    select * from {{ ref('kpi_targets') }}

),

published as (

    -- the latest published version of each month
    select period, kpi_id, value
    from {{ source('publication', 'board_snapshot_history') }}
    qualify version = max(version) over (partition by period)

),

suppression as (

    select
        kpi_values.*,
        case
            when kpi_values.unit = 'count' then coalesce(kpi_values.value between 1 and 4, false)
            else coalesce(kpi_values.denominator between 1 and 9, false)
        end as suppressed

    from kpi_values

),

ragged as (

    select
        suppression.*,
        targets.target,
        targets.amber_threshold,
        case when suppression.suppressed then null else suppression.value end as published_value,
        case
            when suppression.suppressed then 'SUPPRESSED'
            when suppression.better = 'context' then null
            when suppression.value is null then 'NO_DATA'
            when suppression.better = 'higher' and suppression.value >= targets.target then 'GREEN'
            when suppression.better = 'higher' and suppression.value >= targets.amber_threshold then 'AMBER'
            when suppression.better = 'higher' then 'RED'
            when suppression.value <= targets.target then 'GREEN'
            when suppression.value <= targets.amber_threshold then 'AMBER'
            else 'RED'
        end as rag

    from suppression
    left join targets on targets.kpi_id = suppression.kpi_id

),

trended as (

    select
        ragged.*,
        previous.value as previous_value,
        case
            when ragged.published_value is null or previous.value is null then null
            when ragged.published_value = previous.value then 'STABLE'
            when ragged.better = 'context' and ragged.published_value > previous.value then 'UP'
            when ragged.better = 'context' then 'DOWN'
            when (ragged.better = 'higher') = (ragged.published_value > previous.value) then 'IMPROVING'
            else 'WORSENING'
        end as direction

    from ragged
    left join published as previous
        on previous.kpi_id = ragged.kpi_id
        and previous.period = strftime(strptime(ragged.period || '-01', '%Y-%m-%d') - interval 1 month, '%Y-%m')

),

final as (

    select
        period,
        kpi_id,
        theme,
        kpi_name,
        unit,
        published_value as value,
        case when suppressed then null else numerator end as numerator,
        case when suppressed then null else denominator end as denominator,
        target,
        amber_threshold,
        rag,
        suppressed,
        previous_value,
        direction,
        sort_order

    from trended

)

select * from final
