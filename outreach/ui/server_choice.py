"""Which database the app opens: --db, then $OUTREACH_DB, then the practice
server this computer was connected to (saved in QSettings, without its
password), then this computer's own file. Read at every start, so it imports
nothing heavier than QSettings."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

from outreach import paths

SETTINGS_KEY = "server/url"


def saved_server_url() -> str | None:
    """The practice server this computer uses (QSettings), without its password."""
    value = QSettings().value(SETTINGS_KEY, "")
    return str(value) if value else None


def startup_db(db: str | None) -> str | None:
    """What the app opens: --db, then $OUTREACH_DB, then the saved server, then
    (None) this computer's own file."""
    return db or os.environ.get(paths.DB_ENV) or saved_server_url()
