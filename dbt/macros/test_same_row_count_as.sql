{#- The model has exactly as many rows as compare_model: the cheap guard on a join that must
    neither fan out nor drop rows (a count, where a uniqueness test would group millions of
    pseudonyms). Returns one row when the counts differ. -#}
{% test same_row_count_as(model, compare_model) %}
    select *
    from (
        select
            (select count(*) from {{ model }}) as model_rows,
            (select count(*) from {{ compare_model }}) as compare_model_rows
    ) as counts
    where model_rows <> compare_model_rows
{% endtest %}
