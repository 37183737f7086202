with

source as (

    select * from {{ source('case_management', 'plan_audits') }}

),

renamed as (

    select
        {{ landed_period() }} as period,
        audit_id,
        plan_id,
        audit_date,
        rating,
        multi_agency,
        source_row,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file carries no period
    where {{ landed_period() }} <> ''

)

select * from renamed
