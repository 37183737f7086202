with

source as (

    select * from {{ source('school_census', 'schools') }}

),

renamed as (

    select
        {{ landed_period() }} as period,
        urn,
        school_name,
        school_type,
        phase,
        source_row,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file carries no period
    where {{ landed_period() }} <> ''

)

select * from renamed
