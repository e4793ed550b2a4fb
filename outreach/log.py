"""The log file: size-rotated, in the platform's log folder. Log what happened
(counts, ids, file names, error types), never what a user wrote: no post text,
names, emails, handles or phone numbers go into the log."""

from __future__ import annotations

import logging
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from .paths import log_dir

LOG_NAME = "outreach.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5

_handler: RotatingFileHandler | None = None


class _QuietHandler(RotatingFileHandler):
    # The app and the command line may share one log; if a rotation or a write
    # fails (a file held open on Windows, a full disk), drop the line rather than
    # print logging's own trace into the user's terminal.
    def handleError(self, record) -> None:
        pass


def setup_logging(level: int = logging.INFO, folder: Path | None = None) -> Path | None:
    """Send the "outreach" loggers to ``folder/outreach.log`` (default: log_dir()).

    Calling it again with the same folder does nothing; with another folder it
    moves the log there (tests point it at a temporary folder).
    """
    global _handler
    try:
        folder = Path(folder) if folder is not None else log_dir()
    except OSError:
        return None  # no log rather than no app: the folder cannot be made
    path = folder / LOG_NAME
    root = logging.getLogger("outreach")
    root.setLevel(level)
    if _handler is not None:
        if Path(_handler.baseFilename) == path.absolute():
            return path
        stop_logging()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = _QuietHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        return None  # no log rather than no app: the folder is not writable
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    _handler = handler
    return path


def stop_logging() -> None:
    global _handler
    if _handler is not None:
        logging.getLogger("outreach").removeHandler(_handler)
        _handler.close()
        _handler = None


def log_file() -> Path | None:
    """The file the log goes to, or None before setup_logging()."""
    return Path(_handler.baseFilename) if _handler is not None else None


def safe_traceback(exc: BaseException) -> str:
    """Where an error happened, without its message.

    Messages may quote what a user typed (a name in a validation error, a row
    of a CSV file), so only the type is kept, and for database errors the
    driver's own text (SQLite's messages name tables and columns, not values;
    the engine hides statement parameters).
    """
    lines = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        lines.append("".join(traceback.format_list(frames)).rstrip())
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}{_db_text(current)}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("caused by:")
    return "\n".join(line for line in lines if line)


def _db_text(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    if orig is not None and type(orig).__module__.startswith(("sqlite3", "psycopg")):
        return f": {type(orig).__name__}: {orig}"
    if type(exc).__module__ == "sqlite3":
        return f": {exc}"
    return ""
