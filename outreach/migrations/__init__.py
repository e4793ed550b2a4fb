"""Alembic migrations (script_location "outreach:migrations").

HEAD_REVISION lets start-up compare the stored revision without importing
Alembic (~0.3 s); a test keeps it equal to the script directory's head.
"""

HEAD_REVISION = "0010_pg_unaccent_search"
