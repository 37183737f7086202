-- NHS England's children's community health waiting lists (the CHS SitRep), for every CHS month
-- landed: England, each NHS region, ICB and provider, each CYP service line. Published statistics.
with

chs as (

    select * from {{ ref('stg_nhs_statistics__chs_waiting_lists') }}

),

final as (

    select
        chs_month,
        area_level,
        area_code,
        area_name,
        service,
        waiting,
        waiting_18_to_52_weeks,
        waiting_over_52_weeks

    from chs

)

select * from final
