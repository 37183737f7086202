{{ newest_release_rows('requests') }}
