{{ newest_release_rows('annual_reviews') }}
