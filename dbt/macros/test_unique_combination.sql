{#- One row per combination of the given columns (like dbt_utils.unique_combination_of_columns,
    without a package download: the machines may have no internet). -#}
{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as rows_with_this_key
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
