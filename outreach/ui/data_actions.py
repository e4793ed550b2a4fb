"""File-menu work on the whole database: import, export, demo data. Each runs
off the GUI thread with a cancellable progress dialog."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialog, QMessageBox

from outreach.errors import Cancelled, OutreachError
from outreach.services.csv_table import CsvError
from outreach.services.demo import generate_demo, has_data
from outreach.services.import_kinds import IMPORT_KINDS
from outreach.services.importers import export_file
from outreach.services.intake_import import export_pipeline

from . import file_dialogs
from .workers import run_with_progress


class DataActions:
    def __init__(self, window):
        self.window = window

    def _error(self, title: str, exc: BaseException) -> None:
        if isinstance(exc, (OutreachError, CsvError)):
            QMessageBox.warning(self.window, title, str(exc))
        else:
            raise exc

    def import_csv(self, kind: str) -> None:
        from .import_dialog import ImportDialog

        title = IMPORT_KINDS[kind].title
        path = file_dialogs.ask_open_file(self.window, f"Import {title} from a CSV file")
        if not path:
            return
        try:
            dialog = ImportDialog(
                self.window.store, self.window.actor, kind, path, parent=self.window
            )
        except CsvError as exc:
            QMessageBox.warning(self.window, "Cannot import", str(exc))
            return
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_value is not None:
            self.window.show_message(dialog.result_value.summary())
            self.window.on_data_changed()

    def export_csv(self, kind: str) -> None:
        suggested = f"outreach-{kind}-{date.today():%Y-%m-%d}.csv"
        path = file_dialogs.ask_save_file(self.window, f"Export {kind} to a CSV file", suggested)
        if not path:
            return
        run_with_progress(
            self.window,
            f"Exporting {kind}...",
            lambda progress: _export(self.window.store, kind, path, progress),
            lambda count: self.window.show_message(f"Exported {count:,} {kind} to {path}"),
            lambda exc: self._done_or_error("Cannot export", exc),
        )

    def load_demo(self) -> None:
        if has_data(self.window.store):
            QMessageBox.information(
                self.window,
                "Demo data",
                "This database already holds communities or posts, and demo data would mix with "
                "them. To look around, start Outreach on a new database "
                "(outreach --db demo.db) and load demo data there.",
            )
            return
        self.start_demo()

    def start_demo(self) -> None:
        run_with_progress(
            self.window,
            "Adding demo data...",
            lambda progress: generate_demo(
                self.window.store, self.window.actor, "small", progress=progress
            ),
            lambda result: self._demo_done(result),
            lambda exc: self._done_or_error("Cannot add demo data", exc),
        )

    def _demo_done(self, result) -> None:
        self.window.show_message(
            f"Added {result.communities} communities and {result.posts:,} posts of demo data"
        )
        self.window.on_data_changed()

    def _done_or_error(self, title: str, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.window.show_message(str(exc))
        else:
            self._error(title, exc)


def _export(store, kind: str, path: str, progress) -> int:
    if kind in ("contacts", "referrals"):
        return export_pipeline(store, kind, path, progress)
    return export_file(store, kind, path, progress=progress)
