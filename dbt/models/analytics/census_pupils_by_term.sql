-- One row per pupil in each landed school census (termly), with the school's type and phase.
-- Pseudonyms only; no birth month (the national curriculum year gives the age group).
with

pupils as (

    select * from {{ ref('stg_school_census__pupils') }}

),

schools as (

    select * from {{ ref('stg_school_census__schools') }}

),

final as (

    select
        pupils.period as census_period,
        pupils.upn_pseudonym,
        pupils.school_urn,
        schools.school_type,
        schools.phase,
        pupils.nc_year,
        pupils.sen_provision,
        pupils.primary_sen_type,
        pupils.fsm_eligible,
        pupils.sessions_possible,
        pupils.sessions_missed,
        pupils.suspensions,
        pupils.permanently_excluded

    from pupils
    left join schools
        on schools.period = pupils.period
        and schools.urn = pupils.school_urn

)

select * from final
