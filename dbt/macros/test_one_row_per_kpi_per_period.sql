{#- Every period has exactly one row per KPI of the catalogue (`kpis`: ref('kpi_catalogue')), so
    the count of KPIs is written nowhere but the seed. -#}
{% test one_row_per_kpi_per_period(model, kpis) %}
    select period, count(*) as rows_in_period from {{ model }}
    group by period having count(*) <> (select count(*) from {{ kpis }})
{% endtest %}
