with

source as (

    select * from {{ source('dfe_statistics', 'statistical_neighbours') }}

),

renamed as (

    select
        la_code,
        neighbour_rank,
        neighbour_la_code,
        workbook,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file has no rows; the newest workbook is the only one kept
    where la_code is not null

)

select * from renamed
