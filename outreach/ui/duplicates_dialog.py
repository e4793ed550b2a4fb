"""Likely duplicate contacts side by side; merge one into the other."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from outreach.errors import OutreachError
from outreach.services import contacts as contacts_svc
from outreach.services.duplicates import find_duplicates, merge_contacts

from . import confirm

SHOWN = ("name", "handle", "email", "phone", "location", "stage", "attributed_community")


class DuplicatesDialog(QDialog):
    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.merged = 0
        self.setWindowTitle("Possible duplicate contacts")
        self.setAccessibleName(self.windowTitle())
        self.pairs_list = QListWidget()
        self.pairs_list.setAccessibleName("Possible duplicates")
        self.pairs_list.currentRowChanged.connect(self.show_pair)
        self.sides = []
        self.keep_buttons: list[QPushButton] = []
        row = QHBoxLayout()
        for side, title in enumerate(("First", "Second")):
            box = QGroupBox(title)
            form = QFormLayout(box)
            labels = {}
            for name in SHOWN:
                value = QLabel()
                value.setAccessibleName(f"{title} contact {name}")
                form.addRow(
                    name.replace("attributed_community", "community").capitalize() + ":", value
                )
                labels[name] = value
            keep = QPushButton(f"&Keep {title.lower()}, merge the other into it")
            keep.setAccessibleName(f"Keep the {title.lower()} contact")
            keep.clicked.connect(lambda _=False, side=side: self.merge(side))
            form.addRow(keep)
            self.keep_buttons.append(keep)
            self.sides.append(labels)
            row.addWidget(box)
        self.empty = QLabel(
            "No likely duplicates: no two contacts share an email, a phone, or a name in one community."
        )
        self.empty.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pairs_list)
        layout.addWidget(self.empty)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self.reload()

    def reload(self) -> None:
        self.pairs = find_duplicates(self.store)
        self.pairs_list.clear()
        for pair in self.pairs:
            a = contacts_svc.get_contact(self.store, pair.first_id)
            b = contacts_svc.get_contact(self.store, pair.second_id)
            self.pairs_list.addItem(f"{a.display_name} and {b.display_name}: {pair.reason}")
        self.empty.setVisible(not self.pairs)
        for button in self.keep_buttons:
            button.setEnabled(bool(self.pairs))
        if self.pairs:
            self.pairs_list.setCurrentRow(0)
        else:
            for labels in self.sides:
                for label in labels.values():
                    label.clear()

    def show_pair(self, index: int) -> None:
        if not 0 <= index < len(self.pairs):
            return
        pair = self.pairs[index]
        for labels, contact_id in zip(self.sides, (pair.first_id, pair.second_id), strict=True):
            row = contacts_svc.get_contact(self.store, contact_id)
            for name, label in labels.items():
                value = getattr(row, name)
                label.setText(
                    contacts_svc.STAGE_LABELS.get(value, value) if name == "stage" else value or ""
                )

    def merge(self, keep_side: int) -> None:
        index = self.pairs_list.currentRow()
        if not 0 <= index < len(self.pairs):
            return
        pair = self.pairs[index]
        ids = (pair.first_id, pair.second_id)
        keep, drop = ids[keep_side], ids[1 - keep_side]
        question = (
            "Merge these two contacts? The other one's interactions, stage history, intake "
            "form and revenue move to the one you keep, and the merge is recorded."
        )
        if not confirm.ask(self, "Merge contacts", question, action="Merge"):
            return
        try:
            merge_contacts(self.store, self.actor, keep, drop)
        except OutreachError as exc:
            self.empty.setText(str(exc))
            self.empty.show()
            return
        self.merged += 1
        self.reload()
