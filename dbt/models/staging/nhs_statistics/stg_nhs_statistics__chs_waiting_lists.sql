-- The children's community health waiting lists of each CHS month, from the workbook for that month
-- landed last (NHS England re-issues revised workbooks), with each organisation's ODS code learned
-- from any landed workbook that gives both its code and its name (the early months give names only).
with

source as (

    select * from {{ source('nhs_statistics', 'chs_waiting_lists') }}

),

latest_workbook as (

    select chs_month, arg_max(workbook_sha256, _loaded_at) as workbook_sha256
    from source
    group by chs_month

),

learned_codes as (

    select area_level, area_key, arg_max(area_code, _loaded_at) as learned_code
    from source
    where area_code <> ''
    group by area_level, area_key

),

final as (

    select
        source.chs_month,
        source.area_level,
        coalesce(nullif(source.area_code, ''), learned_codes.learned_code, '') as area_code,
        source.area_name,
        source.area_key,
        source.service,
        source.waiting,
        source.waiting_18_to_52_weeks,
        source.waiting_over_52_weeks,
        source.workbook,
        source._loaded_at

    from source
    inner join latest_workbook using (chs_month, workbook_sha256)
    left join learned_codes using (area_level, area_key)

)

select * from final
