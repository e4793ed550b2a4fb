"""A daily rotating log file in the data folder. Log what happened, never
what a user wrote: no post text, names or handles go into the log."""

from __future__ import annotations

import logging
from logging.handlers import TimedRotatingFileHandler

from .paths import log_dir

_configured = False


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    handler = TimedRotatingFileHandler(
        log_dir() / "outreach.log", when="midnight", backupCount=14, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("outreach")
    root.setLevel(level)
    root.addHandler(handler)
    _configured = True
