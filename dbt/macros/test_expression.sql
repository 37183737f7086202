{#- Rows for which a SQL expression is false fail the test. -#}
{% test dbt_expression(model, expression, column_name=none) %}
    select * from {{ model }} where not ({{ expression }})
{% endtest %}

{#- Every period has exactly `expected` rows (one per KPI). -#}
{% test rows_per_period(model, expected) %}
    select period, count(*) as rows_in_period from {{ model }}
    group by period having count(*) <> {{ expected }}
{% endtest %}
