with

source as (

    select * from {{ source('school_census', 'pupils') }}

),

renamed as (

    select
        {{ landed_period() }} as period,
        upn_pseudonym,
        school_urn,
        birth_month,
        nc_year,
        sen_provision,
        primary_sen_type,
        fsm_eligible,
        sessions_possible,
        sessions_missed,
        suspensions,
        permanently_excluded,
        source_row,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file carries no period
    where {{ landed_period() }} <> ''

)

select * from renamed
