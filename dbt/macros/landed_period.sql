{#- The landed period of a row, from its file path: raw/<source>/period=YYYY-MM/<table>.parquet -#}
{% macro landed_period(filename_column='filename') -%}
    regexp_extract({{ filename_column }}, 'period=([0-9]{4}-[0-9]{2})', 1)
{%- endmacro %}
