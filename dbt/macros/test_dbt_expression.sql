{#- Rows for which a SQL expression is false fail the test. -#}
{% test dbt_expression(model, expression, column_name=none) %}
    select * from {{ model }} where not ({{ expression }})
{% endtest %}
