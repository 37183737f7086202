with

source as (

    select * from {{ source('case_management', 'requests') }}

),

renamed as (

    select
        {{ landed_period() }} as period,
        request_id,
        person_pseudonym,
        upn_pseudonym,
        nhs_number_pseudonym,
        birth_month,
        received_date,
        request_source,
        decision,
        decision_date,
        assessment_outcome,
        assessment_outcome_date,
        plan_issued_date,
        exception_20wk,
        source_row,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file carries no period
    where {{ landed_period() }} <> ''

)

select * from renamed
