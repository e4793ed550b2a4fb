"""Deleting a community that has posts: the user chooses what happens to them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
)

from outreach.errors import OutreachError
from outreach.services import communities as svc


class DeleteCommunityDialog(QDialog):
    def __init__(self, store, actor, community_id: int, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.community_id = store, actor, community_id
        self.outcome_text = ""
        row = svc.get_community(store, community_id)
        count = svc.post_count(store, community_id)
        self.setWindowTitle("Delete community")
        self.setAccessibleName("Delete community")
        intro = QLabel(
            f"“{row.name}” has {count:,} post{'s' if count != 1 else ''}. "
            "What should happen to them? (To keep everything, archive the community instead.)"
        )
        intro.setWordWrap(True)
        self.move_choice = QRadioButton("&Move its posts to:")
        self.move_choice.setAccessibleName("Move its posts to another community")
        self.target = QComboBox()
        self.target.setAccessibleName("Community to move the posts to")
        for cid, name in svc.community_choices(store, include_archived=True):
            if cid != community_id:
                self.target.addItem(name, cid)
        self.delete_choice = QRadioButton(f"&Delete its {count:,} posts too")
        self.delete_choice.setAccessibleName("Delete its posts too")
        group = QButtonGroup(self)
        group.addButton(self.move_choice)
        group.addButton(self.delete_choice)
        if self.target.count():
            self.move_choice.setChecked(True)
        else:
            self.move_choice.setEnabled(False)
            self.target.setEnabled(False)
            self.delete_choice.setChecked(True)
        self.move_choice.toggled.connect(self.target.setEnabled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.addButton(
            "Delete community", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setAccessibleName("Delete community")
        self.delete_button.clicked.connect(self.delete)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.move_choice)
        layout.addWidget(self.target)
        layout.addWidget(self.delete_choice)
        layout.addWidget(buttons)
        self._name = row.name

    def delete(self) -> None:
        try:
            if self.move_choice.isChecked():
                outcome = svc.delete_community(
                    self.store,
                    self.actor,
                    self.community_id,
                    posts="move",
                    move_to=self.target.currentData(),
                )
                self.outcome_text = f"Deleted {self._name}; moved {outcome.posts_moved:,} posts to {self.target.currentText()}"
            else:
                outcome = svc.delete_community(
                    self.store, self.actor, self.community_id, posts="delete"
                )
                self.outcome_text = f"Deleted {self._name} and its {outcome.posts_deleted:,} posts"
        except OutreachError as exc:
            QMessageBox.warning(self, "Cannot delete", str(exc))
            return
        self.accept()
