"""Edit the pre-post checklist. Saving makes a new version; checks already made
keep the wording they were made against."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import OutreachError, ValidationError
from outreach.services import checklist as svc

from . import confirm
from .forms import ErrorLabel, FieldForm


def _item_label(item: svc.Item) -> str:
    text = item.text or "(no text yet)"
    return f"{text} ({'required' if item.required else 'advisory'})"


class ChecklistDialog(QDialog):
    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("Edit the checklist")
        self.setAccessibleName(self.windowTitle())
        current = svc.current_checklist(store)
        self.version = current.version
        self.items: list[svc.Item] = list(current.items)
        self.saved_items = tuple(self.items)
        self._loading = False

        intro = QLabel(
            "Each advice post is checked against these items. Required items must be ticked "
            "before a check passes; advisory ones are a reminder. Saving makes a new version: "
            "earlier checks keep the wording they were made against."
        )
        intro.setWordWrap(True)
        self.version_label = QLabel()
        self.version_label.setAccessibleName("Checklist version")
        self.list = QListWidget()
        self.list.setAccessibleName("Checklist items")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.currentRowChanged.connect(self._load_current)
        list_label = QLabel("&Items:")
        list_label.setBuddy(self.list)

        self.add_button = self._button("&Add", "Add an item", self.add)
        self.remove_button = self._button("&Remove...", "Remove the item", self.remove)
        self.up_button = self._button("Move &up", "Move the item up", lambda: self.move(-1))
        self.down_button = self._button("Move do&wn", "Move the item down", lambda: self.move(1))
        moves = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            moves.addWidget(button)
        moves.addStretch(1)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(list_label)
        left_column.addWidget(self.list, 1)
        left_column.addLayout(moves)

        self.form = FieldForm()
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(90)
        self.form.add("text", "&Text:", self.text, "Item text")
        self.help = QPlainTextEdit()
        self.help.setTabChangesFocus(True)
        self.help.setFixedHeight(90)
        self.help.setPlaceholderText("Where the rule comes from, shown as the item's tooltip")
        self.form.add("help", "&Help:", self.help, "Item help")
        self.required = QCheckBox("Re&quired: a check cannot pass until it is ticked")
        self.form.add("required", "", self.required, "Required")
        self.text.textChanged.connect(self._edited)
        self.help.textChanged.connect(self._edited)
        self.required.toggled.connect(self._edited)
        self.note = QLineEdit()
        self.note.setPlaceholderText("optional, e.g. 'insurer asked for a jurisdiction item'")
        self.form.add("note", "&Note for this version:", self.note, "Version note")
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addLayout(self.form)
        right_column.addStretch(1)

        body = QHBoxLayout()
        body.addWidget(left, 3)
        body.addWidget(right, 2)

        self.message = ErrorLabel()
        self.message.setAccessibleName("Checklist message")
        self.restore_button = self._button(
            "Restore &default...", "Restore the default checklist", self.restore
        )
        self.save_button = self._button("&Save as new version", "Save the checklist", self.save)
        self.close_button = self._button("&Close", "Close", self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.restore_button)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.version_label)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        if not actor.is_owner:
            for widget in (
                self.add_button,
                self.remove_button,
                self.up_button,
                self.down_button,
                self.restore_button,
                self.save_button,
                self.text,
                self.help,
                self.required,
                self.note,
            ):
                widget.setEnabled(False)
            self.message.show_error("Only the practitioner can change the checklist.")
        self._show_version()
        self._fill(0)
        self.resize(1040, 640)

    def _button(self, text: str, accessible: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- showing -------------------------------------------------------------------
    def _show_version(self, saved_now: bool = False) -> None:
        versions = svc.list_versions(self.store)
        when = next((f"{at[:10]} by {who}" for n, at, who in versions if n == self.version), "")
        prefix = "Saved as version" if saved_now else "Version"
        self.version_label.setText(
            f"{prefix} {self.version}" + (f", saved {when}" if when else "") + "."
        )

    def _fill(self, select: int) -> None:
        self._loading = True
        self.list.clear()
        for item in self.items:
            entry = QListWidgetItem(_item_label(item))
            entry.setToolTip(item.help)
            self.list.addItem(entry)
        self._loading = False
        if self.items:
            self.list.setCurrentRow(max(0, min(select, len(self.items) - 1)))
        else:
            self._load_current(-1)
        self._buttons()

    def _load_current(self, row: int) -> None:
        if self._loading:
            return
        self._loading = True
        item = self.items[row] if 0 <= row < len(self.items) else None
        self.text.setPlainText(item.text if item else "")
        self.help.setPlainText(item.help if item else "")
        self.required.setChecked(item.required if item else True)
        self._loading = False
        self._buttons()

    def _buttons(self) -> None:
        if not self.actor.is_owner:
            return
        row = self.list.currentRow()
        has = 0 <= row < len(self.items)
        self.remove_button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < len(self.items) - 1)
        for widget in (self.text, self.help, self.required):
            widget.setEnabled(has)

    # -- editing -------------------------------------------------------------------
    def _edited(self) -> None:
        if self._loading:
            return
        row = self.list.currentRow()
        if not 0 <= row < len(self.items):
            return
        old = self.items[row]
        self.items[row] = svc.Item(
            old.key,
            self.text.toPlainText().strip(),
            self.help.toPlainText().strip(),
            self.required.isChecked(),
        )
        entry = self.list.item(row)
        entry.setText(_item_label(self.items[row]))
        entry.setToolTip(self.items[row].help)

    def add(self) -> None:
        row = self.list.currentRow() + 1 if self.items else 0
        self.items.insert(row, svc.Item("", "", "", True))
        self._fill(row)
        self.text.setFocus()

    def remove(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.items):
            return
        text = self.items[row].text or "this empty item"
        if not confirm.ask(
            self,
            "Remove item",
            f"Remove “{text}” from the checklist? Nothing changes until you save a new version.",
            "Remove",
        ):
            return
        del self.items[row]
        self._fill(row)

    def move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if not (0 <= row < len(self.items) and 0 <= target < len(self.items)):
            return
        self.items[row], self.items[target] = self.items[target], self.items[row]
        self._fill(target)
        (self.up_button if step < 0 else self.down_button).setFocus()

    @property
    def dirty(self) -> bool:
        return tuple(self.items) != self.saved_items

    def save(self) -> bool:
        try:
            saved = svc.save_checklist(self.store, self.actor, self.items, self.note.text())
        except ValidationError as exc:
            lines = []
            for key, reason in exc.errors.items():
                if key.startswith("item_"):
                    number = key.removeprefix("item_")
                    lines.append(f"Item {number} {reason}")
                    self.list.setCurrentRow(int(number) - 1)
                else:
                    lines.append(reason[:1].upper() + reason[1:])
            self.message.show_error(" ".join(lines))
            return False
        except OutreachError as exc:
            self.message.show_error(str(exc))
            return False
        unchanged = saved.version == self.version
        self.version = saved.version
        self.items = list(saved.items)
        self.saved_items = tuple(self.items)
        self.note.clear()
        self._show_version(saved_now=not unchanged)
        self.message.show_error(
            f"Nothing changed; the checklist is still version {saved.version}."
            if unchanged
            else f"Saved as version {saved.version}. New checks use it from now on."
        )
        self._fill(self.list.currentRow())
        return True

    def restore(self) -> None:
        if not confirm.ask(
            self,
            "Restore the default checklist",
            "Replace the checklist with Outreach's default? It is saved as a new version; "
            "earlier versions and the checks made against them stay as they are.",
            "Restore",
        ):
            return
        try:
            saved = svc.restore_default(self.store, self.actor)
        except OutreachError as exc:
            self.message.show_error(str(exc))
            return
        self.version = saved.version
        self.items = list(saved.items)
        self.saved_items = tuple(self.items)
        self._show_version(saved_now=True)
        self.message.show_error(f"The default checklist is now version {saved.version}.")
        self._fill(0)

    def reject(self) -> None:
        if self.dirty and not confirm.ask(
            self,
            "Discard changes",
            "The checklist has changes that are not saved. Close and discard them?",
            "Discard",
        ):
            return
        super().reject()
