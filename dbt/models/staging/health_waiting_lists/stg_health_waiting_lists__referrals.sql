with

source as (

    select * from {{ source('health_waiting_lists', 'referrals') }}

),

renamed as (

    select
        {{ landed_period() }} as period,
        referral_id,
        nhs_number_pseudonym,
        birth_month,
        provider_code,
        service,
        priority,
        referral_date,
        first_contact_date,
        removed_date,
        source_row,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file carries no period
    where {{ landed_period() }} <> ''

)

select * from renamed
