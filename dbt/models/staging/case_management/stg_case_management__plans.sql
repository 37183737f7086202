with

source as (

    select * from {{ source('case_management', 'plans') }}

),

renamed as (

    select
        {{ landed_period() }} as period,
        plan_id,
        person_pseudonym,
        upn_pseudonym,
        nhs_number_pseudonym,
        birth_month,
        start_date,
        ceased_date,
        cease_reason,
        primary_need,
        setting_type,
        setting_urn,
        nc_year,
        source_row,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file carries no period
    where {{ landed_period() }} <> ''

)

select * from renamed
