{#- Each month's numerator and denominator of each KPI in kpi_ids, counted from its records (the
    int_kpi_records__* model `records`): the denominator is every record, the numerator those with
    in_numerator. A month with no record has 0 of 0. The KPI's value is made of these counts only, so
    kpi_records adds up to it by construction (the test in _marts__models.yml checks it). -#}
{% macro measures_from_records(records, kpi_ids) %}
    select
        months.period,
        kpis.kpi_id,
        count(records.record_id) filter (where records.in_numerator) as numerator,
        count(records.record_id) as denominator

    from {{ ref('int_months') }} as months
    cross join (values {% for kpi_id in kpi_ids %}('{{ kpi_id }}'){{ ", " if not loop.last }}{% endfor %}) as kpis (kpi_id)
    left join {{ records }} as records on records.period = months.period and records.kpi_id = kpis.kpi_id
    group by months.period, kpis.kpi_id
{% endmacro %}
