-- The board snapshot rows as they would be published for every month (kpis.md: targets and RAG,
-- trend, statistical disclosure control), before the publisher stamps version and published_at.
--
-- This is the one place that decides what may be published. The board pack, its charts and
-- anything published later read only what this model lets through (as published, from
-- publication.board_snapshot_history), never restricted.fct_kpi_values: a figure computed from
-- the restricted values (a month-on-month change, a mean, a chart point) would carry a suppressed
-- figure into public committee papers, or let a reader work it out from the published ones.
with recursive

kpi_values as (

    select * from {{ ref('fct_kpi_values') }}

),

targets as (

    select * from {{ ref('kpi_targets') }}

),

relations as (

    select * from {{ ref('kpi_disclosure_relations') }}

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

relation_members as (

    select
        suppression.period,
        relations.relation_id,
        suppression.kpi_id,
        suppression.sort_order,
        case relations.figure when 'numerator' then suppression.numerator else suppression.denominator end as figure

    from suppression
    inner join relations on relations.kpi_id = suppression.kpi_id

),

hidden (period, kpi_ids) as (

    -- Secondary suppression. A relation whose only unknown member is hidden would give that member's
    -- figure away (total minus the other parts), so the known member with the smallest figure is
    -- hidden too (the least lost), and again until no relation has a single hidden member. Each pass
    -- adds members, so it ends; `union` (not `union all`) stops it when a pass adds nothing.
    -- A member whose figure is empty by definition (no census) is unknown but discloses nothing.
    select period, coalesce(list(kpi_id) filter (where suppressed), []) from suppression group by period

    union

    select period, list_sort(list_distinct(kpi_ids || list(complement)))
    from (
        select
            hidden.period,
            hidden.kpi_ids,
            (
                select known.kpi_id from relation_members as known
                where known.period = member.period and known.relation_id = member.relation_id
                  and not list_contains(hidden.kpi_ids, known.kpi_id) and known.figure is not null
                order by known.figure, known.sort_order
                limit 1
            ) as complement
        from hidden
        inner join relation_members as member on member.period = hidden.period
        group by hidden.period, hidden.kpi_ids, member.period, member.relation_id
        having count(*) filter (where list_contains(hidden.kpi_ids, member.kpi_id) or member.figure is null) = 1
           and count(*) filter (where list_contains(hidden.kpi_ids, member.kpi_id)) = 1
    ) as singletons
    where complement is not null
    group by period, kpi_ids

),

withheld as (

    -- the last pass holds every hidden member
    select period, unnest(max_by(kpi_ids, len(kpi_ids))) as kpi_id from hidden group by period

),

secondary as (

    select
        suppression.*,
        not suppression.suppressed and withheld.kpi_id is not null as counts_withheld

    from suppression
    left join withheld on withheld.period = suppression.period and withheld.kpi_id = suppression.kpi_id

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

    from secondary as suppression
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
        -- withheld counts: both of a percent, rate or median (with the value they would give the other
        -- back); a count's denominator only (its numerator is its published value)
        case when suppressed or (counts_withheld and unit <> 'count') then null else numerator end as numerator,
        case when suppressed or counts_withheld then null else denominator end as denominator,
        target,
        amber_threshold,
        rag,
        suppressed,
        previous_value,
        direction,
        counts_withheld,
        sort_order

    from trended

)

select * from final
