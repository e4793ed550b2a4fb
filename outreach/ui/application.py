"""Starting the app: QApplication, the store, errors shown not lost, first-run welcome."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtWidgets import QApplication, QMessageBox

from outreach import APP_NAME, __version__
from outreach.context import PRACTITIONER
from outreach.errors import StoreError
from outreach.log import setup_logging
from outreach.services.profile import get_profile

log = logging.getLogger("outreach.ui")


def _excepthook(exc_type, exc, tb) -> None:
    # Log the trace (no user data in it) and tell the user plainly.
    log.error("Unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
    if QApplication.instance() is not None:
        QMessageBox.critical(
            None,
            APP_NAME,
            f"Something went wrong: {exc}\n\nYour data is safe; the details are in the log file. "
            "If it happens again, send the log to support.",
        )


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


def open_main_window(store, actor=PRACTITIONER):
    from .main_window import MainWindow
    from .welcome_dialog import WelcomeDialog

    window = MainWindow(store, actor)
    window.show()
    if not get_profile(store).welcome_done:
        welcome = WelcomeDialog(store, actor, parent=window)
        welcome.exec()
        window.settings_page.reload()
        if welcome.wants_demo:
            window.data.start_demo()
    return window


def run(db: str | None = None) -> int:
    setup_logging()
    app = make_application()
    sys.excepthook = _excepthook
    from outreach.store import open_store

    try:
        store = open_store(db)
    except StoreError as exc:
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 1
    window = open_main_window(store)
    code = app.exec()
    del window
    store.dispose()
    return code
