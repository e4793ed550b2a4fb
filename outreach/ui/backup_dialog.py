"""Backups: the list (date, kind, size), "Back up now", restoring a backup, and
the backups folder.

After a restore the open pages hold ids and rows of the database that was
replaced, so the app reopens the store and builds a new main window
(application.request_reopen). When the window was not made by the app's run()
(tests, tools), the user is told to restart instead.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from outreach.backup import BackupFile
from outreach.errors import Cancelled, OutreachError
from outreach.services import backups as svc
from outreach.services.profile import get_profile

from . import confirm, desktop, file_dialogs
from .workers import run_with_progress

DB_FILTER = "Outreach databases (*.db *.sqlite *.sqlite3);;All files (*)"
COLUMNS = ("Taken", "Kind", "Size", "File")


class BackupDialog(QDialog):
    def __init__(self, store, actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.backups: list[BackupFile] = []
        self.restored = None
        self.setWindowTitle("Backups")
        self.setAccessibleName("Backups")
        self.on_server = store.path is None

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.folder_label = QLabel()
        self.folder_label.setTextFormat(Qt.TextFormat.PlainText)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder_label.setWordWrap(True)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Backups of this database")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self.restore_selected())
        self.empty = QLabel("No backups yet. \u201cBack up now\u201d takes the first one.")

        self.backup_button = QPushButton("&Back up now")
        self.backup_button.setAccessibleName("Back up now")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("&Restore selected...")
        self.restore_button.setAccessibleName("Restore the selected backup")
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button = QPushButton("Restore from &file...")
        self.restore_file_button.setAccessibleName("Restore from a file")
        self.restore_file_button.clicked.connect(self.restore_from_file)
        self.folder_button = QPushButton("&Open backups folder")
        self.folder_button.setAccessibleName("Open the backups folder")
        self.folder_button.clicked.connect(self.open_folder)
        row = QHBoxLayout()
        for button in (
            self.backup_button,
            self.restore_button,
            self.restore_file_button,
            self.folder_button,
        ):
            row.addWidget(button)
        row.addStretch(1)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName("Backup status")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.folder_label)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(820, 480)
        self._explain()
        self.reload()

    # -- the list --------------------------------------------------------------
    def _explain(self) -> None:
        if self.on_server:
            self.intro.setText(svc.SERVER_SENTENCE)
            self.folder_label.hide()
            return
        profile = get_profile(self.store)
        self.intro.setText(
            "Outreach copies this database on the first start of each day and keeps the "
            f"last {profile.backup_keep_daily} daily copies and one for each of the last "
            f"{profile.backup_keep_monthly} months. Copies made with \u201cBack up now\u201d, "
            "before an upgrade or before a restore are kept until you delete them."
        )
        self.folder_label.setText(f"Folder: {svc.folder_of(self.store)}")

    def reload(self) -> None:
        self.backups = [] if self.on_server else svc.backups_of(self.store)
        self.table.setRowCount(len(self.backups))
        for row, backup in enumerate(self.backups):
            cells = (
                backup.taken_at.strftime("%Y-%m-%d %H:%M"),
                backup.label,
                svc.human_size(backup.size),
                backup.path.name,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                item.setToolTip(str(backup.path))
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(self.backups))
        self.empty.setVisible(not self.backups and not self.on_server)
        self._update_buttons()

    def _update_buttons(self) -> None:
        owner = self.actor.is_owner
        sqlite = not self.on_server
        self.backup_button.setEnabled(sqlite)
        self.folder_button.setEnabled(sqlite)
        self.restore_file_button.setEnabled(sqlite and owner)
        self.restore_button.setEnabled(sqlite and owner and self.selected() is not None)
        if not owner:
            why = "Only the practitioner can restore a backup."
            self.restore_button.setToolTip(why)
            self.restore_file_button.setToolTip(why)
            if not self.status.text():
                self.status.setText(why)

    def selected(self) -> BackupFile | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    # -- actions ---------------------------------------------------------------
    def back_up_now(self) -> None:
        self.backup_button.setEnabled(False)
        run_with_progress(
            self,
            "Backing up...",
            lambda _progress: svc.back_up_now(self.store),
            self._backed_up,
            lambda exc: self._failed("Cannot back up", exc),
        )

    def _backed_up(self, path: Path) -> None:
        self.reload()
        for row, backup in enumerate(self.backups):
            if backup.path == path:
                self.table.selectRow(row)
        self.status.setText(f"Backed up to {path}")

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is not None:
            self.restore(backup.path)

    def restore_from_file(self) -> None:
        path = file_dialogs.ask_open_file(
            self, "Restore Outreach from a backup file", file_filter=DB_FILTER
        )
        if path:
            self.restore(Path(path))

    def restore(self, path: Path) -> None:
        try:
            about = svc.restore_file_info(path)
        except OSError:
            QMessageBox.warning(self, "Cannot restore", f"Cannot read {path}.")
            return
        question = (
            f"Replace the database\n{self.store.display_name}\nwith the backup\n{about}?\n\n"
            "The file is checked first; if anything is wrong with it, nothing changes. "
            "The current database is backed up first (\u201cBefore a restore\u201d in this "
            "list), so you can go back to it.\n\n"
            "Outreach then reopens its window on the restored data."
        )
        if not confirm.ask(self, "Restore a backup", question, action="Restore"):
            return
        self._run_restore(path)

    def _run_restore(self, path: Path, key: bytes | None = None) -> None:
        target = self.store.path
        run_with_progress(
            self,
            "Checking and restoring the backup...",
            lambda progress: svc.restore_database(target, path, self.actor, progress, key),
            self._restored,
            lambda exc: self._restore_failed(path, exc),
        )

    def _restore_failed(self, path: Path, exc: BaseException) -> None:
        from outreach.encryption import KeyNeeded

        self._update_buttons()
        if not isinstance(exc, KeyNeeded):
            self._failed("Cannot restore", exc)
            return
        # An encrypted backup made under an earlier key (before the key was
        # changed) or on another computer: its own recovery kit opens it.
        from .recovery_dialog import ask_recovery_key

        key = ask_recovery_key(
            self,
            path.name,
            lambda typed: svc.check_backup_key(path, typed),
            intro=f"The backup {path.name} is encrypted with a different key from this "
            "database: it was made before the key was changed, or on another computer."
            "\n\nType the recovery key from the recovery kit printed when it was made. Case "
            "and dashes do not matter. Nothing changes until the key opens the backup.",
        )
        if key is None:
            self.status.setText("Restore cancelled; the database was not changed.")
            return
        self._run_restore(path, key)

    def _restored(self, outcome: svc.RestoreOutcome) -> None:
        self.restored = outcome
        from .application import can_reopen, request_reopen

        upgraded = (
            f" It was upgraded from schema {outcome.revision_before}." if outcome.upgraded else ""
        )
        kept = (
            f"\n\nThe database as it was is kept as {outcome.kept_as.name} in the backups folder."
            if outcome.kept_as
            else ""
        )
        reopening = can_reopen()
        after = (
            "Outreach now reopens its window on the restored data."
            if reopening
            else "Close Outreach and start it again to work on the restored data."
        )
        QMessageBox.information(
            self, "Backup restored", f"Restored {outcome.source.name}.{upgraded}{kept}\n\n{after}"
        )
        self.accept()
        # After the dialogs are gone: the reopen closes the window they belong to.
        request_reopen()

    def _failed(self, title: str, exc: BaseException) -> None:
        self._update_buttons()
        if isinstance(exc, Cancelled):
            self.status.setText(str(exc))
        elif isinstance(exc, OutreachError):
            QMessageBox.warning(self, title, str(exc))
        else:
            raise exc

    def open_folder(self) -> None:
        folder = svc.folder_of(self.store)
        if not desktop.open_url(QUrl.fromLocalFile(str(folder)).toString()):
            QMessageBox.information(self, "Backups folder", f"The backups are in {folder}")


def show_backups(window) -> None:
    """The File menu's "Backups..." (the dialog reopens the window after a restore)."""
    BackupDialog(window.store, window.actor, parent=window).exec()
