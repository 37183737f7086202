with

source as (

    select * from {{ source('case_management', 'advice') }}

),

renamed as (

    select
        {{ landed_period() }} as period,
        advice_id,
        request_id,
        advice_type,
        requested_date,
        received_date,
        source_row,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file carries no period
    where {{ landed_period() }} <> ''

)

select * from renamed
