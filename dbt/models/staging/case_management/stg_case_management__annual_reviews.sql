with

source as (

    select * from {{ source('case_management', 'annual_reviews') }}

),

renamed as (

    select
        {{ landed_period() }} as period,
        review_id,
        plan_id,
        meeting_date,
        nc_year,
        decision,
        decision_date,
        child_views_recorded,
        pfa_outcomes_recorded,
        source_row,
        _loaded_at as loaded_at

    from source
    -- the zero-row schema file carries no period
    where {{ landed_period() }} <> ''

)

select * from renamed
