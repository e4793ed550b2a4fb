"""Starting the app: QApplication, one app per database, the window painted at
once from the figures kept in the database, the store, the daily backup, errors
shown not lost, first-run welcome, reopening after a restore."""

from __future__ import annotations

import logging
import os
import platform
import sys
from datetime import date

from PySide6.QtCore import QThreadPool, QTimer, qVersion
from PySide6.QtWidgets import QApplication, QMessageBox

from outreach import APP_NAME, __version__
from outreach.context import PRACTITIONER, Actor
from outreach.errors import StoreError
from outreach.log import log_file, safe_traceback, setup_logging
from outreach.paths import local_file, resolve_url

log = logging.getLogger("outreach.ui")


def _excepthook(exc_type, exc, tb) -> None:
    # Log where it happened, not the message (it may quote what a user typed),
    # and tell the user plainly where the details are.
    if exc is None:
        exc = exc_type()
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    log.error("Unexpected error:\n%s", safe_traceback(exc))
    if QApplication.instance() is None:
        return
    from outreach.store import user_message

    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "")
    box.setTextFormat(box.textFormat().PlainText)
    message = user_message(exc)
    where = log_file()
    details = (
        f"The details are in the log file:\n{where}" if where else "The log could not be written."
    )
    box.setText(
        message
        if message
        else f"Something went wrong: {exc}\n\nWhat you saved is safe. {details}\n\n"
        "If it happens again, send that file to support; it holds no patient data."
    )
    box.exec()


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


def open_main_window(store, actor=PRACTITIONER, window=None):
    """The main window on ``store``; ``window``: the one painted from kept
    figures before the store was open (quick_window), now given the store."""
    from outreach.services.profile import get_profile

    from .main_window import MainWindow
    from .welcome_dialog import WelcomeDialog

    store.actor = actor  # the audit trail records changes as the signed-in person
    if window is None:
        window = MainWindow(store, actor)
        window.show()
    else:
        window.attach(store)
    window.privacy_notice = _attach_privacy(window, store)  # "not encrypted", said plainly
    if actor.is_owner and not get_profile(store).welcome_done:
        welcome = WelcomeDialog(store, actor, parent=window)
        welcome.exec()
        window.settings_page.reload()
        if welcome.wants_demo:
            window.data.start_demo()
    return window


def _attach_privacy(window, store):
    """privacy_form.attach_privacy without building the Settings page at start
    (its Privacy section imports keyring and asks for its backend): the notice
    follows the page's messages through the window's relay instead."""
    from .privacy_form import PrivacyNotice, attach_privacy

    state = store.encryption
    if state is not None and state.new_recovery_key:
        return attach_privacy(window, store)  # a key to show once: the keychain is in use
    notice = PrivacyNotice(store, window)
    window.statusBar().addPermanentWidget(notice)
    window.settings_message.connect(notice.refresh)
    return notice


class _Running:
    """The open store and its main window; replaced whole after a restore."""

    def __init__(self, store, url: str, actor=PRACTITIONER):
        self.store, self.url, self.actor = store, url, actor
        self.window = None

    def open(self, window=None) -> None:
        self.window = open_main_window(self.store, self.actor, window)

    def sign_out(self) -> None:
        """Back to the sign-in dialog for whoever uses the computer next; the
        app closes if they quit it. The window is replaced whole, as after a
        restore, so nothing of the last person's screens stays open."""
        from .sign_in_dialog import SignInDialog

        old = self.window
        if old is not None:
            old.hide()
        dialog = SignInDialog(self.store)
        if dialog.exec() != SignInDialog.DialogCode.Accepted or dialog.actor is None:
            QApplication.quit()
            return
        self.actor = dialog.actor
        self.open()
        if old is not None:
            _retire(old)
        log.info("Signed out; another sign-in opened a new window")

    def bring_forward(self) -> None:
        from .single_instance import bring_forward

        if self.window is not None:
            bring_forward(self.window)

    def reopen(self) -> None:
        """A fresh store and main window on the restored database: no page keeps
        ids or cached rows from the database that was replaced."""
        from outreach.store import open_store

        old = self.window
        actor = getattr(old, "actor", self.actor)
        self.store.dispose()
        try:
            store = open_store(self.url)
        except StoreError as exc:
            QMessageBox.critical(old, APP_NAME, str(exc))
            if old is not None:
                old.close()
            return
        self.store, self.actor = store, actor
        # The new window first: closing the last window would quit the app.
        self.open()
        if old is not None:
            _retire(old)
        log.info("Main window reopened after a restore")


_retired: list = []


def _retire(window) -> None:
    """Close a replaced window now; delete it once no background work is running,
    since its pages' tasks would otherwise report to deleted objects."""
    window.close()
    _retired.append(window)
    pool = QThreadPool.globalInstance()

    def delete_when_idle() -> None:
        if pool.activeThreadCount():
            QTimer.singleShot(200, delete_when_idle)
            return
        _retired.remove(window)
        window.deleteLater()

    delete_when_idle()


_running: _Running | None = None


def can_reopen() -> bool:
    return _running is not None


def request_sign_out() -> bool:
    """Sign out to the sign-in dialog; False when the app was not started by
    run() (then signing out closes it)."""
    if _running is None:
        return False
    QTimer.singleShot(0, _running.sign_out)
    return True


def request_reopen() -> bool:
    """Reopen the store and main window (after a restore); False when the app was
    not started by run() (then the user must restart it)."""
    if _running is None:
        return False
    QTimer.singleShot(0, _running.reopen)
    return True


def quick_window(url: str):
    """The main window painted at once with the Dashboard's figures kept in the
    database (services/dashboard_cache.py), read with sqlite3 before SQLAlchemy
    is imported; the store is attached once open. None when there are none to
    show: another start page, a server, an encrypted file, a migration due, a
    sign-in or the welcome first, or data changed since they were worked out."""
    from outreach.services.dashboard_cache import read_cached

    from .dashboard_page import BENCH_READY_ENV
    from .main_window import MainWindow

    path = local_file(url)
    if path is None or not MainWindow.starts_on_dashboard():
        return None
    cached = read_cached(path)
    if cached is None:
        return None
    actor = PRACTITIONER
    if cached.account is not None:
        user_id, username, display_name, role = cached.account
        actor = Actor(name=display_name or username, role=role, user_id=user_id)
    window = MainWindow(None, actor, cached=cached, display_name=str(path))
    window.show()
    QApplication.processEvents()  # shown and painted before the store is opened
    if cached.is_of(date.today()) and os.environ.get(BENCH_READY_ENV):
        window.dashboard.bench_ready("kept")  # else when today's are worked out
    log.info("Painted the kept Dashboard figures before opening the database")
    return window


def _discard(window) -> None:
    if window is not None:
        window.hide()
        window.deleteLater()


# How long closing waits for background work (a daily backup of a large file).
EXIT_WAIT_MS = 60_000


def _daily_backup(running: _Running):
    """Today's automatic backup, in the background once the window is up: it
    copies the whole file (half a second for five years of posts, more on a
    slow disk), which the window must not wait for. A failure is said, and the
    work goes on."""
    from outreach.services.backups import daily_backup_warning

    from .workers import Task

    store = running.store
    task = Task(lambda _progress: daily_backup_warning(store))
    task.setAutoDelete(False)

    def finished(warning) -> None:
        if warning and running.window is not None:
            QMessageBox.warning(
                running.window,
                APP_NAME,
                f"{warning}\n\nYour work is not affected; Outreach tries again at the next start.",
            )

    task.signals.finished.connect(finished)
    task.signals.failed.connect(lambda exc: _excepthook(type(exc), exc, exc.__traceback__))
    QThreadPool.globalInstance().start(task)
    return task  # kept by run() while it may still be running


def _prepare_risk_scan():
    """The risk scan's patterns read and analysed in the background (~0.25 s),
    so the first composer opens without waiting for them."""
    from outreach.services import risk_scan

    from .workers import Task

    task = Task(lambda _progress: risk_scan.prepare())
    task.setAutoDelete(False)
    task.signals.failed.connect(lambda exc: _excepthook(type(exc), exc, exc.__traceback__))
    QThreadPool.globalInstance().start(task)
    return task


def run(db: str | None = None) -> int:
    global _running
    setup_logging()
    log.info(
        "Outreach %s starting (Python %s, Qt %s, %s)",
        __version__,
        platform.python_version(),
        qVersion(),
        platform.system(),
    )
    app = make_application()
    sys.excepthook = _excepthook
    from .server_choice import startup_db
    from .single_instance import SingleInstance

    url = resolve_url(startup_db(db))  # a practice server saved in QSettings, if any
    instance = SingleInstance(url)
    if not instance.acquire():
        # Another Outreach has this database open: one writer, one window.
        if instance.ask_first_to_come_forward():
            log.info("Already open on this database; the open window was brought forward")
            return 0
        if not instance.acquire():
            QMessageBox.warning(
                None,
                APP_NAME,
                "Outreach is already open on this database but does not answer. Close it "
                "(or end it in the task manager), then start Outreach again.",
            )
            return 1
    window = quick_window(url)
    try:
        from .recovery_dialog import open_with_recovery

        store = open_with_recovery(url)  # asks for the recovery key where needed
    except StoreError as exc:
        _discard(window)
        QMessageBox.critical(None, APP_NAME, str(exc))
        instance.release()
        return 1
    if store is None:
        _discard(window)
        instance.release()
        return 0
    from outreach.services.auth import sign_in_needed

    if window is not None and sign_in_needed(store):
        # An account was added in the moment since the kept figures were read.
        _discard(window)
        window = None
    if window is not None:
        actor = window.actor
    else:
        from .sign_in_dialog import startup_actor

        actor = startup_actor(store)  # the sign-in dialog, when the practice asks for it
    if actor is None:
        store.dispose()
        instance.release()
        return 0
    _running = _Running(store, url, actor)
    instance.activated.connect(_running.bring_forward)
    _running.open(window)
    backup = _daily_backup(_running)
    prepared = _prepare_risk_scan()
    code = app.exec()
    # Background work (the daily backup, the Dashboard's figures) ends before
    # the database is closed under it.
    QThreadPool.globalInstance().waitForDone(EXIT_WAIT_MS)
    del backup, prepared
    running, _running = _running, None
    running.window = None
    running.store.dispose()
    instance.release()
    log.info("Outreach closed")
    return code
