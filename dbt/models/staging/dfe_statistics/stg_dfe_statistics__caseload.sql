{{ newest_release_rows('caseload') }}
