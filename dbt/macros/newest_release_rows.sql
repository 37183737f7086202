{#- A DfE release table with each year (time_period) taken from the newest landed release that covers
    it: a newer release replaces an older one for the years it covers, and an older year stays.
    "Newest" is the release whose latest year is latest, then the one landed last. -#}
{% macro newest_release_rows(table) %}
with

source as (

    select * exclude (_loaded_at), _loaded_at as loaded_at
    from {{ source('dfe_statistics', table) }}
    -- the zero-row schema file has no rows
    where release is not null

),

ranked as (

    select
        *,
        rank() over (
            partition by time_period order by release_latest_period desc, loaded_at desc, release desc
        ) as release_rank

    from source

)

select * exclude (release_rank) from ranked where release_rank = 1
{% endmacro %}
