"""File > Connect to a practice server: a group practice's PostgreSQL database.

The dialog tests the connection off the GUI thread, keeps the password in the
keychain (outreach.secrets) and saves only the password-free URL in QSettings;
the next start of Outreach opens that server instead of this computer's file.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)
from sqlalchemy.engine import make_url

from outreach import secrets
from outreach.server_login import DEFAULT_PORT, build_url, password_name, try_connection

from .forms import FieldForm, heading
from .server_choice import SETTINGS_KEY, saved_server_url, startup_db  # noqa: F401
from .workers import Task


class ServerDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Connect to a practice server")
        self.setAccessibleName(self.windowTitle())
        self._task: Task | None = None
        saved = make_url(saved_server_url()) if saved_server_url() else None
        self.form = FieldForm()
        self.host = self.form.add("host", "&Host:", QLineEdit(saved.host if saved else ""))
        self.host.setPlaceholderText("e.g. db.mypractice.local")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue((saved.port if saved else None) or DEFAULT_PORT)
        self.form.add("port", "&Port:", self.port)
        self.database = self.form.add(
            "database", "&Database:", QLineEdit(saved.database if saved else "outreach")
        )
        self.user = self.form.add("user", "&User:", QLineEdit(saved.username if saved else ""))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        if saved is not None and secrets.get_secret(password_name(str(saved))):
            self.password.setPlaceholderText("(kept in the keychain)")
        self.form.add("password", "Pass&word:", self.password)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Connection status")
        self.test_button = QPushButton("&Test connection")
        self.test_button.clicked.connect(self.test)
        self.use_button = QPushButton("&Use this server")
        self.use_button.clicked.connect(self.use)
        self.local_button = QPushButton("Use this &computer's file")
        self.local_button.setToolTip("Forget the server; open the file on this computer again")
        self.local_button.setEnabled(saved is not None)
        self.local_button.clicked.connect(self.use_local)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        row.addWidget(self.local_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.AcceptRole)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Connect to a practice server"))
        intro = QLabel(
            "A practice with several desks keeps one database on a PostgreSQL server. "
            "The password is kept in this computer's keychain, never in a file."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    # -- the fields -----------------------------------------------------------

    def url(self) -> str | None:
        """The password-free URL, or None after showing what is missing."""
        missing = {
            key: "is required."
            for key, widget in (
                ("host", self.host),
                ("database", self.database),
                ("user", self.user),
            )
            if not widget.text().strip()
        }
        self.form.clear_errors()
        if missing:
            self.form.show_errors(missing)
            return None
        return build_url(
            self.host.text(), self.port.value(), self.database.text(), self.user.text()
        )

    # -- test, off the GUI thread ----------------------------------------------

    def test(self) -> Task | None:
        url = self.url()
        if url is None:
            return None
        password = self.password.text() or None
        self.test_button.setEnabled(False)
        self.status.setText(f"Connecting to {self.host.text().strip()}…")
        task = Task(lambda _progress: try_connection(url, password))
        task.setAutoDelete(False)
        task.signals.finished.connect(self._tested)
        task.signals.failed.connect(self._failed)
        self._task = task  # kept alive until it reports back
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().start(task)
        return task

    def _tested(self, sentence: str) -> None:
        self.test_button.setEnabled(True)
        self.status.setText(sentence)

    def _failed(self, exc: BaseException) -> None:
        self.test_button.setEnabled(True)
        # try_connection says what went wrong in a sentence; anything else is a bug
        # whose type is enough for the user (details go to the log by the handler).
        self.status.setText(str(exc) if str(exc) else type(exc).__name__)

    # -- use it ------------------------------------------------------------------

    def use(self) -> None:
        url = self.url()
        if url is None:
            return
        note = ""
        if self.password.text():
            kept = secrets.set_secret(password_name(url), self.password.text())
            if not kept:
                note = f"\n\n{secrets.NO_KEYCHAIN_SENTENCE}"
        QSettings().setValue(SETTINGS_KEY, url)
        QMessageBox.information(
            self,
            "Connect to a practice server",
            f"Outreach will open {make_url(url).render_as_string()} from its next start. "
            f"Quit Outreach and start it again to use the server.{note}",
        )
        self.accept()

    def use_local(self) -> None:
        QSettings().remove(SETTINGS_KEY)
        QMessageBox.information(
            self,
            "Connect to a practice server",
            "Outreach will open the database on this computer from its next start.",
        )
        self.accept()


def show_server_dialog(parent=None) -> None:
    ServerDialog(parent).exec()
