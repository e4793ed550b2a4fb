"""Import a CSV: see how its columns were matched, correct the mapping, check,
then import all rows or none."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from outreach.errors import Cancelled
from outreach.services.csv_table import CsvError
from outreach.services.import_kinds import IMPORT_KINDS, preview

from .workers import run_with_progress

IGNORE = "(ignore)"
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


class ImportDialog(QDialog):
    def __init__(self, store, actor, kind: str, path: str, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.kind, self.path = store, actor, kind, path
        self.result_value = None
        self.spec = IMPORT_KINDS[kind]
        self.preview = preview(kind, path)  # CsvError goes to the caller
        self.setWindowTitle(f"Import {self.spec.title}")
        self.setAccessibleName(self.windowTitle())
        p = self.preview
        info = QLabel(
            f"{p.row_count:,} rows · {p.encoding} · separated by {DELIMITER_NAMES.get(p.delimiter, p.delimiter)}. "
            "Columns were matched by name; correct any match below. Required: "
            f"{', '.join(self.spec.required)}."
        )
        info.setWordWrap(True)
        mapping_box = QGroupBox("Columns")
        form = QFormLayout(mapping_box)
        self.combos: dict[str, QComboBox] = {}
        for field in self.spec.fields:
            combo = QComboBox()
            combo.addItem(IGNORE, "")
            for header in p.headers:
                combo.addItem(header, header)
            current = p.mapping.get(field)
            combo.setCurrentIndex(combo.findData(current) if current else 0)
            combo.setAccessibleName(f"Column for {field}")
            combo.currentIndexChanged.connect(lambda _i: self.import_button.setEnabled(False))
            label = QLabel(field + (" *" if field in self.spec.required else ""))
            label.setBuddy(combo)
            form.addRow(label, combo)
            self.combos[field] = combo
        self.sample = QTableWidget(len(p.sample), len(self.spec.fields))
        self.sample.setAccessibleName("First rows of the file")
        self.sample.setHorizontalHeaderLabels(list(self.spec.fields))
        for r, values in enumerate(p.sample):
            for c, field in enumerate(self.spec.fields):
                self.sample.setItem(r, c, QTableWidgetItem(values.get(field, "")))
        self.sample.setMaximumHeight(150)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Import check results")
        self.report.setPlaceholderText("Check the file to see any problems before importing.")
        self.report.setMaximumHeight(140)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.check_button = buttons.addButton("&Check", QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.check_button.setAccessibleName("Check the file")
        self.import_button.setAccessibleName("Import the file")
        # Nothing is written before the user has seen what the import would do.
        self.import_button.setEnabled(False)
        self.import_button.setToolTip("Check the file first.")
        self.check_button.setDefault(True)
        self.check_button.clicked.connect(lambda: self.run(dry_run=True))
        self.import_button.clicked.connect(lambda: self.run(dry_run=False))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(mapping_box)
        layout.addWidget(QLabel("First rows as matched:"))
        layout.addWidget(self.sample)
        layout.addWidget(self.report)
        layout.addWidget(buttons)
        self.resize(760, 720)

    def overrides(self) -> dict[str, str]:
        return {field: combo.currentData() for field, combo in self.combos.items()}

    def run(self, dry_run: bool) -> None:
        overrides = self.overrides()
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)

        def work(progress):
            return self.spec.run(self.store, self.actor, self.path, overrides, dry_run, progress)

        run_with_progress(
            self,
            "Checking the file..." if dry_run else f"Importing {self.spec.title}...",
            work,
            lambda result: self._done(result, dry_run),
            self._failed,
        )

    def _done(self, result, dry_run: bool) -> None:
        self.check_button.setEnabled(True)
        self.import_button.setEnabled(result.ok)
        lines = [result.summary()] + [str(error) for error in result.errors[:500]]
        if len(result.errors) > 500:
            lines.append(f"... and {len(result.errors) - 500} more.")
        self.report.setPlainText("\n".join(lines))
        if result.ok and not dry_run:
            self.result_value = result
            self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.check_button.setEnabled(True)
        self.import_button.setEnabled(False)
        if isinstance(exc, (CsvError, Cancelled)):
            self.report.setPlainText(str(exc))
        else:
            raise exc
