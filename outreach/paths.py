"""Where Outreach keeps its data and finds its shipped resources."""

from __future__ import annotations

import os
import sys
from importlib import resources as _resources
from pathlib import Path

import platformdirs

APP_DIR_NAME = "Outreach"
# A development or test override of the whole data folder, as Vorta does.
HOME_ENV = "OUTREACH_HOME"
DB_ENV = "OUTREACH_DB"


def data_dir() -> Path:
    """The folder for the database, backups and logs (created on first use)."""
    override = os.environ.get(HOME_ENV)
    path = (
        Path(override)
        if override
        else Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "outreach.db"


def log_dir() -> Path:
    """The platform's log folder (e.g. ~/.local/state/Outreach/log, ~/Library/Logs/
    Outreach, %LOCALAPPDATA%\\Outreach\\Logs); under the data folder when
    OUTREACH_HOME moves it, so tests and trials keep their logs with their data."""
    override = os.environ.get(HOME_ENV)
    path = (
        Path(override) / "logs"
        if override
        else Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def resource(name: str) -> Path:
    """The path of a file shipped in resources/.

    In a checkout or an editable install, resources/ is mapped onto the package
    outreach.resources; in a wheel it is inside the package; in a PyInstaller
    build it is unpacked beside the executable under the same package path.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidate = Path(frozen_root) / "outreach" / "resources" / name
        if candidate.exists():
            return candidate
    root = _resources.files("outreach.resources")
    path = Path(str(root.joinpath(name)))
    if not path.exists():
        raise FileNotFoundError(f"Outreach is missing its resource file {name!r}; reinstall.")
    return path


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """``--db`` first, then $OUTREACH_DB, then the file in the user data folder.

    A value with '://' is a database URL (e.g. postgresql+psycopg://...); anything
    else is the path of a SQLite file.
    """
    value = str(db) if db else os.environ.get(DB_ENV) or str(default_db_path())
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def local_file(url: str) -> Path | None:
    """The file of a SQLite URL made by resolve_url; None for a server's URL."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or url.endswith(":memory:"):
        return None
    return Path(url[len(prefix) :])
