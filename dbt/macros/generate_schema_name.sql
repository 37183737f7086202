{#- Use the configured schema name as it is (staging, intermediate, restricted, ...), not
    target_schema + "_" + name: analysts see short, stable schema names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
