{#- Exact rounding for the board: half away from zero on the exact ratio, one decimal place
    (kpis.md: 45.25 -> 45.3, never a float artefact). All operands are non-negative integers, so
    half away from zero is floor((20x + y) / 2y) / 10 in integer arithmetic. -#}
{% macro round_ratio_1dp(numerator, denominator) -%}
    cast(((20 * ({{ numerator }})::hugeint + ({{ denominator }})) // (2 * ({{ denominator }})))::hugeint / 10.0
         as decimal(18, 1))
{%- endmacro %}
