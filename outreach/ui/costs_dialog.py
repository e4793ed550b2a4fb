"""A community's direct costs: the list, add one, delete a mistaken one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from outreach.errors import OutreachError
from outreach.money import plain_cents
from outreach.services import ledger

from . import confirm
from .money_dialog import MoneyDialog


class CostsDialog(QDialog):
    def __init__(self, store, actor, community_id: int, name: str, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.community_id, self.name = store, actor, community_id, name
        self.setWindowTitle(f"Costs: {name}")
        self.setAccessibleName(self.windowTitle())
        self.list = QListWidget()
        self.list.setAccessibleName("Cost entries")
        self.total = QLabel()
        add = QPushButton("&Add cost...")
        add.setAccessibleName("Add a cost")
        add.clicked.connect(self.add)
        self.delete_button = QPushButton("&Delete cost")
        self.delete_button.setAccessibleName("Delete the selected cost")
        self.delete_button.clicked.connect(self.delete)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(self.delete_button)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        intro = QLabel(f"Direct spending in {name}: boosted posts, directory fees, tools.")
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.total)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.reload()

    def reload(self) -> None:
        self.entries = ledger.costs_for(self.store, self.community_id)
        self.list.clear()
        for entry in self.entries:
            note = f"  {entry.note}" if entry.note else ""
            self.list.addItem(f"{entry.on.isoformat()}  {plain_cents(entry.amount_cents)}{note}")
        self.total.setText(f"Total {plain_cents(sum(e.amount_cents for e in self.entries))}")
        self.delete_button.setEnabled(bool(self.entries))

    def add(self) -> None:
        dialog = MoneyDialog(
            "Record cost",
            f"Direct spending in {self.name}.",
            lambda on, cents, note: ledger.add_cost(
                self.store, self.actor, self.community_id, on, cents, note
            ),
            parent=self,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload()

    def delete(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.entries):
            return
        entry = self.entries[row]
        if not confirm.ask(
            self,
            "Delete cost",
            f"Delete the cost of {plain_cents(entry.amount_cents)} on {entry.on}?",
        ):
            return
        try:
            ledger.delete_cost(self.store, self.actor, entry.id)
        except OutreachError as exc:
            QMessageBox.warning(self, "Delete cost", str(exc))
            return
        self.reload()
