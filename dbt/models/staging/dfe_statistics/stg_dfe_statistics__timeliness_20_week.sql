{{ newest_release_rows('timeliness_20_week') }}
