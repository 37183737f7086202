-- For every KPI served by kpi_records and every month, its records add up to exactly the KPI's
-- unsuppressed numerator and denominator in fct_kpi_values (a month with no record: 0 of 0). A KPI
-- with no numerator (the median wait) has records whose in_numerator is empty. Rows returned fail.
with

records as (

    select
        period,
        kpi_id,
        count(*) filter (where in_numerator) as numerator,
        count(in_numerator) as with_numerator_flag,
        count(*) as denominator

    from {{ ref('kpi_records') }}
    group by period, kpi_id

),

kpi_values as (

    select period, kpi_id, numerator, denominator
    from {{ ref('fct_kpi_values') }}
    where kpi_id not in ({{ "'" ~ census_kpi_ids() | join("', '") ~ "'" }})

),

compared as (

    select
        kpi_values.period,
        kpi_values.kpi_id,
        kpi_values.numerator,
        kpi_values.denominator,
        coalesce(records.numerator, 0) as records_numerator,
        coalesce(records.with_numerator_flag, 0) as records_with_numerator_flag,
        coalesce(records.denominator, 0) as records_denominator

    from kpi_values
    full outer join records using (period, kpi_id)

)

select * from compared
where kpi_id is null
   or denominator is distinct from records_denominator
   or (numerator is null and records_with_numerator_flag > 0)
   or (numerator is not null and numerator <> records_numerator)
