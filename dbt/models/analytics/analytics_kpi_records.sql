-- The records behind every KPI but the census ones, for analysts: restricted.kpi_records as it is
-- (export record ids and dates, no identifier). Named kpi_records in the analytics schema.
{{ config(alias='kpi_records') }}

select * from {{ ref('kpi_records') }}
