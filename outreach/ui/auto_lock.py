"""Auto-lock: after the practice's idle minutes, or on "Lock now", the window's
contents are covered until the signed-in person types their password again.

How the data is kept out of sight and out of reach without losing anything:
- the main window's central widget becomes one page of a stack whose other page
  says the window is locked, so the pages (and their tables) are hidden and no
  keyboard focus can reach them; the menus are disabled with their shortcuts;
- every open dialog (an edit in progress, a question, a progress bar) is left
  open, untouched, but covered by a plain panel, its controls disabled and its
  title replaced. Hiding a dialog would end its exec() as if cancelled and lose
  the edit, so it is covered instead. A dialog that opens while locked (a
  progress bar appearing) is covered as it shows;
- the password is asked in an application-modal dialog shown last, so it takes
  input even over a modal edit dialog. Only the same person can unlock (anyone
  else signs out, which closes Outreach after asking).

A practice without accounts has no password to ask, so the lock is off there.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from outreach import APP_NAME
from outreach.audit_trail import append
from outreach.services import auth
from outreach.services.profile import get_profile

from . import confirm
from .forms import heading
from .sign_in_dialog import SignInDialog

log = logging.getLogger("outreach.ui")

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
}
NO_ACCOUNT_REASON = (
    "Auto-lock needs a password to ask for: add a password to use auto-lock "
    "(Account menu, Users and sign-in)."
)


def _locked_text(parent: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(parent)
    layout.addStretch(1)
    title = heading(f"{APP_NAME} is locked")
    title.setAlignment(Qt.AlignmentFlag.AlignCenter)
    layout.addWidget(title)
    note = QLabel("Your data is hidden until the password is typed again.")
    note.setAlignment(Qt.AlignmentFlag.AlignCenter)
    note.setWordWrap(True)
    layout.addWidget(note)
    return layout


class _Cover(QWidget):
    """A plain panel over an open dialog; the dialog and its edits stay as they are."""

    def __init__(self, dialog: QWidget):
        super().__init__(dialog)
        self.setAccessibleName("Locked")
        self.setAutoFillBackground(True)  # the palette's window colour: dark mode stays right
        _locked_text(self).addStretch(1)
        self.dialog = dialog
        self.title = dialog.windowTitle()
        self.focus = dialog.focusWidget()
        self.disabled = [
            child
            for child in dialog.children()
            if isinstance(child, QWidget)
            and child is not self
            and not child.isWindow()
            and child.isEnabled()
        ]
        for child in self.disabled:
            child.setEnabled(False)
        dialog.setWindowTitle(f"{APP_NAME} is locked")
        dialog.installEventFilter(self)
        self.setGeometry(dialog.rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(watched.rect())
        return False

    def remove(self) -> None:
        if not isValid(self) or not isValid(self.dialog):
            return  # the dialog closed itself while locked (a finished progress bar)
        self.dialog.removeEventFilter(self)
        for child in self.disabled:
            if isValid(child):
                child.setEnabled(True)
        self.dialog.setWindowTitle(self.title)
        self.hide()
        if self.focus is not None and isValid(self.focus):
            self.focus.setFocus()
        self.deleteLater()


def _sign_out() -> None:
    from .application import request_sign_out

    if not request_sign_out():
        QApplication.exit(0)  # not started by run(): nothing to return to


class AutoLock(QObject):
    """Locks ``window`` after idle minutes or on request; see the module's text."""

    locked_changed = Signal(bool)

    def __init__(self, window, store, actor, on_sign_out=None):
        super().__init__(window)
        self.window, self.store = window, store
        self.on_sign_out = on_sign_out or _sign_out
        self.is_locked = False
        self.dialog: SignInDialog | None = None
        self._covers: list[_Cover] = []
        self._actions: list = []
        self._focus = None
        self._filtering = False
        self.minutes = 0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        # Restarted on every key press: a coarse timer would round the restart away.
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self.lock_idle)
        # The window's contents become one page of a stack; the other says "locked".
        self.content = window.takeCentralWidget()
        self.panel = QWidget()
        self.panel.setAccessibleName("Outreach is locked")
        layout = _locked_text(self.panel)
        self.unlock_button = QPushButton("&Unlock...")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.clicked.connect(self._ask_password)
        row = QVBoxLayout()
        row.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addLayout(row)
        layout.addStretch(1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.content)
        self.stack.addWidget(self.panel)
        window.setCentralWidget(self.stack)
        self.set_actor(actor)

    # -- settings ------------------------------------------------------------------
    def set_actor(self, actor) -> None:
        """Who is signed in; the lock is available only when they have an account."""
        self.actor = actor
        self.username = ""
        if actor.user_id is not None:
            for account in auth.list_accounts(self.store):
                if account.id == actor.user_id:
                    self.username = account.username
        self.configure()

    @property
    def available(self) -> bool:
        return bool(self.username)

    @property
    def unavailable_reason(self) -> str:
        return "" if self.available else NO_ACCOUNT_REASON

    def configure(self, minutes: int | None = None) -> None:
        """(Re)read the idle minutes (0: never) and start watching for activity."""
        self.minutes = get_profile(self.store).auto_lock_minutes if minutes is None else minutes
        app = QApplication.instance()
        if self.available and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        elif not self.available and self._filtering:
            app.removeEventFilter(self)
            self._filtering = False
        self.restart()

    def restart(self) -> None:
        if self.available and self.minutes > 0 and not self.is_locked:
            self.timer.start(self.minutes * 60_000)
        else:
            self.timer.stop()

    # -- watching ------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind in _ACTIVITY:
            if not self.is_locked and self.timer.isActive():
                self.timer.start()
        elif kind == QEvent.Type.Show and self.is_locked and self._needs_cover(watched):
            self._covers.append(_Cover(watched))
        return False

    def _needs_cover(self, widget) -> bool:
        if not isinstance(widget, QDialog) or not widget.isWindow():
            return False
        if any(c.dialog is widget for c in self._covers if isValid(c)):
            return False
        # The unlock dialog and what it opens (the sign-out question) stay visible.
        node = widget
        while node is not None:
            if node is self.dialog:
                return False
            node = node.parentWidget()
        return True

    # -- locking -------------------------------------------------------------------
    def lock_idle(self) -> None:
        self.lock(f"idle for {self.minutes} minutes")

    def lock(self, note: str = "locked by hand") -> bool:
        if self.is_locked or not self.available:
            return False
        self.is_locked = True
        self.timer.stop()
        # Open menus and drop-down lists would float over the cover: close them.
        while (popup := QApplication.activePopupWidget()) is not None:
            popup.close()
        self._focus = self.window.focusWidget()
        self.stack.setCurrentWidget(self.panel)
        self.window.statusBar().clearMessage()
        self._actions = [
            action
            for menu in self.window.menuBar().actions()
            if menu.menu() is not None
            for action in menu.menu().actions()
            if action.isEnabled()
        ]
        for action in self._actions:
            action.setEnabled(False)
        self.window.menuBar().setEnabled(False)
        for widget in QApplication.topLevelWidgets():
            if widget is not self.window and widget.isVisible() and self._needs_cover(widget):
                self._covers.append(_Cover(widget))
        self._record("lock", note)
        self._ask_password()
        self.locked_changed.emit(True)
        return True

    def _ask_password(self) -> None:
        if self.dialog is None:
            self.dialog = SignInDialog(
                self.store, self.window, username=self.username, locked_as=self.actor
            )
            self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
            self.dialog.accepted.connect(self.unlock)
            self.dialog.sign_out_requested.connect(self.sign_out)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.password.setFocus()

    def unlock(self) -> None:
        if not self.is_locked:
            return
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        for cover in self._covers:
            cover.remove()
        self._covers = []
        for action in self._actions:
            action.setEnabled(True)
        self._actions = []
        self.window.menuBar().setEnabled(True)
        self.stack.setCurrentWidget(self.content)
        if self._focus is not None and isValid(self._focus):
            self._focus.setFocus()
        self.is_locked = False
        self._record("unlock", "")
        self.restart()
        self.locked_changed.emit(False)

    def sign_out(self) -> None:
        if confirm.ask(
            self.dialog or self.window,
            "Sign out",
            "Sign out? Outreach then asks who is using it next. Anything not yet saved in "
            "open windows is lost.",
            "Sign out",
        ):
            self._record("sign_out", "")
            if self.dialog is not None:
                self.dialog.done(QDialog.DialogCode.Rejected)
            self.on_sign_out()

    def _record(self, action: str, note: str) -> None:
        try:
            with self.store.session() as session:
                append(
                    session.connection(),
                    self.actor,
                    action,
                    "users",
                    [self.actor.user_id],
                    (),
                    note,
                )
        except Exception:  # the lock must work even if the trail cannot be written
            log.exception("Could not record the %s in the audit trail", action)
