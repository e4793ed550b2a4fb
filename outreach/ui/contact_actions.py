"""Quick actions on a contact: move its stage, log an interaction."""

from __future__ import annotations

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from outreach.models import CHANNELS, STAGES
from outreach.services import communities as communities_svc
from outreach.services import contacts as svc
from outreach.timeutil import now_utc, to_local, to_utc

from .forms import FieldForm, fill_posts, save_or_show


def _when_edit() -> QDateTimeEdit:
    edit = QDateTimeEdit(QDateTime(to_local(now_utc()).replace(tzinfo=None)))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    return edit


class _ActionDialog(QDialog):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.form = FieldForm()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        raise NotImplementedError


class MoveStageDialog(_ActionDialog):
    def __init__(self, store, actor, contact_id: int, parent=None):
        super().__init__("Move stage", parent)
        self.store, self.actor, self.contact_id = store, actor, contact_id
        current = svc.get_contact(store, contact_id).stage
        self.stage = QComboBox()
        for stage in STAGES:
            self.stage.addItem(svc.STAGE_LABELS[stage], stage)
        self.stage.setCurrentIndex(self.stage.findData(current))
        self.form.add("stage", "&Stage:", self.stage)
        self.when = self.form.add("when", "&Date:", _when_edit(), "Date of the change")
        self.finish_layout()

    def save(self) -> None:
        when = to_utc(self.when.dateTime().toPython())
        save_or_show(
            self,
            self.form,
            lambda: svc.move_stage(
                self.store, self.actor, self.contact_id, self.stage.currentData(), when
            ),
        )


class InteractionDialog(_ActionDialog):
    def __init__(self, store, actor, contact_id: int, parent=None):
        super().__init__("Log an interaction", parent)
        self.store, self.actor, self.contact_id = store, actor, contact_id
        self.when = self.form.add("occurred_at", "&When:", _when_edit(), "When")
        self.channel = QComboBox()
        for channel in CHANNELS:
            self.channel.addItem(svc.CHANNEL_LABELS[channel], channel)
        self.form.add("channel", "&Channel:", self.channel)
        self.minutes = QSpinBox()
        self.minutes.setRange(0, 1440)
        self.minutes.setValue(10)
        self.form.add("minutes", "&Minutes:", self.minutes)
        self.community = QComboBox()
        self.community.addItem("(not in a community)", None)
        for cid, name in communities_svc.community_choices(store):
            self.community.addItem(name, cid)
        self.form.add("community_id", "C&ommunity:", self.community)
        self.post = QComboBox()
        fill_posts(self.post, store, None)
        self.community.currentIndexChanged.connect(
            lambda _i: fill_posts(self.post, store, self.community.currentData())
        )
        self.form.add("post_id", "&Post:", self.post, "Post it was about")
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(svc.NOTES_HINT)
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)
        self.form.add("note", "&Note:", self.note)
        self.finish_layout()

    def save(self) -> None:
        data = svc.InteractionData(
            occurred_at=to_utc(self.when.dateTime().toPython()),
            channel=self.channel.currentData(),
            minutes=self.minutes.value(),
            note=self.note.toPlainText(),
            community_id=self.community.currentData(),
            post_id=self.post.currentData(),
        )
        save_or_show(
            self,
            self.form,
            lambda: svc.log_interaction(self.store, self.actor, self.contact_id, data),
        )
