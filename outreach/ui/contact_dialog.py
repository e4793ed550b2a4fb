"""Add or edit a contact: often only a handle and where they were met."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from outreach.services import communities as communities_svc
from outreach.services import contacts as svc

from .forms import FieldForm, fill_posts, save_or_show


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ContactDialog(QDialog):
    def __init__(self, store, actor, contact_id: int | None = None, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.contact_id = store, actor, contact_id
        self.saved_id: int | None = None
        row = svc.get_contact(store, contact_id) if contact_id else None
        self.version = row.version if row else None  # saved only over this version
        data = row or svc.ContactData()
        self.setWindowTitle("Edit contact" if row else "New contact")
        self.setAccessibleName(self.windowTitle())
        self.form = FieldForm()
        self.handle = self.form.add("handle", "&Handle:", QLineEdit(data.handle))
        self.handle.setPlaceholderText("e.g. u/tired_parent")
        self.name = self.form.add("name", "&Name:", QLineEdit(data.name))
        self.email = self.form.add("email", "&Email:", QLineEdit(data.email))
        self.phone = self.form.add("phone", "&Phone:", QLineEdit(data.phone))
        self.location = self.form.add("location", "&Location:", QLineEdit(data.location))
        self.location.setPlaceholderText("State or country, for licensure")
        self.tags = self.form.add("tags", "&Tags:", QLineEdit(", ".join(data.tags)))
        self.tags.setPlaceholderText("comma-separated")
        self.community = QComboBox()
        self.community.addItem("(not met in a community)", None)
        for cid, name in communities_svc.community_choices(store, include_archived=bool(row)):
            self.community.addItem(name, cid)
        self.community.setCurrentIndex(max(0, self.community.findData(data.first_community_id)))
        self.form.add("first_community_id", "&Met in:", self.community, "Community where first met")
        self.post = QComboBox()
        fill_posts(self.post, store, data.first_community_id, data.first_post_id)
        self.community.currentIndexChanged.connect(
            lambda _i: fill_posts(self.post, store, self.community.currentData())
        )
        self.form.add("first_post_id", "First &post:", self.post, "Post that started it")
        follow = QWidget()
        line = QHBoxLayout(follow)
        line.setContentsMargins(0, 0, 0, 0)
        self.use_follow_up = QCheckBox("Follow up on")
        self.use_follow_up.setAccessibleName("Set a follow-up date")
        self.follow_up = QDateEdit(qdate(data.follow_up_on or date.today() + timedelta(days=7)))
        self.follow_up.setCalendarPopup(True)
        self.follow_up.setDisplayFormat("yyyy-MM-dd")
        self.follow_up.setAccessibleName("Follow-up date")
        self.use_follow_up.setChecked(data.follow_up_on is not None)
        self.follow_up.setEnabled(data.follow_up_on is not None)
        self.use_follow_up.toggled.connect(self.follow_up.setEnabled)
        line.addWidget(self.use_follow_up)
        line.addWidget(self.follow_up)
        line.addStretch(1)
        self.form.add("follow_up_on", "&Follow-up:", follow, "Follow-up")
        self.notes = QPlainTextEdit(data.notes)
        self.notes.setPlaceholderText(svc.NOTES_HINT)
        self.notes.setToolTip(svc.NOTES_HINT)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(80)
        self.form.add("notes", "N&otes:", self.notes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save contact")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def data(self) -> svc.ContactData:
        community = self.community.currentData()
        return svc.ContactData(
            handle=self.handle.text(),
            name=self.name.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            location=self.location.text(),
            tags=svc.parse_tags(self.tags.text()),
            notes=self.notes.toPlainText(),
            first_community_id=community,
            first_post_id=self.post.currentData() if community is not None else None,
            follow_up_on=self.follow_up.date().toPython()
            if self.use_follow_up.isChecked()
            else None,
        )

    def save(self) -> None:
        def action():
            if self.contact_id is None:
                self.saved_id = svc.create_contact(self.store, self.actor, self.data())
            else:
                svc.update_contact(
                    self.store, self.actor, self.contact_id, self.data(), version=self.version
                )
                self.saved_id = self.contact_id

        save_or_show(self, self.form, action)
