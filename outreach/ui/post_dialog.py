"""Add or edit a post: when and where, what kind, its text, time spent and engagement."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import ComplianceError
from outreach.models import ENGAGEMENT, POST_KINDS
from outreach.services import communities as communities_svc
from outreach.services import posts as svc
from outreach.timeutil import now_utc, to_local, to_utc

from .forms import FieldForm, save_or_show

ADVICE_NOTE = (
    "Advice goes through the composer: it scans the text, asks the checklist and keeps the "
    "check as evidence before the post is logged. Choose Check and log to open it with "
    "this text."
)
ADVICE_EDIT_NOTE = (
    "This is an advice post: editing its text marks it 'changed after check' until it is "
    "checked again (Check on the Posts page)."
)


def _spin(value: int, maximum: int = 1_000_000_000) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setGroupSeparatorShown(True)
    spin.setValue(value)
    return spin


class PostDialog(QDialog):
    def __init__(
        self, store, actor, post_id: int | None = None, community_id: int | None = None, parent=None
    ):
        super().__init__(parent)
        self.store, self.actor, self.post_id = store, actor, post_id
        self.saved_id: int | None = None
        row = svc.get_post(store, post_id) if post_id else None
        self.version = row.version if row else None  # saved only over this version
        self.setWindowTitle("Edit post" if row else "New post")
        self.setAccessibleName(self.windowTitle())
        self.form = FieldForm()
        self.community = QComboBox()
        for cid, name in communities_svc.community_choices(store, include_archived=bool(row)):
            self.community.addItem(name, cid)
        wanted = row.community_id if row else community_id
        if wanted is not None:
            self.community.setCurrentIndex(max(0, self.community.findData(wanted)))
        self.form.add("community", "&Community:", self.community)
        self.posted_at = QDateTimeEdit()
        self.posted_at.setCalendarPopup(True)
        self.posted_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        when = to_local(row.posted_at if row else now_utc())
        self.posted_at.setDateTime(QDateTime(when.replace(tzinfo=None)))
        self.form.add("posted_at", "Posted &at:", self.posted_at, "Posted at")
        self.kind = QComboBox()
        for kind in POST_KINDS:
            self.kind.addItem(svc.KIND_LABELS[kind], kind)
        self.kind.setCurrentIndex(max(0, self.kind.findData(row.kind if row else "answer")))
        self.form.add("kind", "&Kind:", self.kind)
        self.advice_note = QLabel(ADVICE_NOTE if row is None else ADVICE_EDIT_NOTE)
        self.advice_note.setWordWrap(True)
        self.advice_note.setAccessibleName("About advice posts")
        self.check_and_log = QPushButton("Check and &log...")
        self.check_and_log.setAccessibleName("Check and log the advice post")
        self.check_and_log.setToolTip("Open the composer with this text, check it, then log it.")
        self.check_and_log.setAutoDefault(False)
        self.check_and_log.clicked.connect(self.open_composer)
        note_row = QWidget()
        note_line = QHBoxLayout(note_row)
        note_line.setContentsMargins(0, 0, 0, 0)
        note_line.addWidget(self.advice_note, 1)
        note_line.addWidget(self.check_and_log, 0, Qt.AlignmentFlag.AlignTop)
        self.form.addRow("", note_row)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.title = self.form.add("title", "&Title:", QLineEdit(row.title if row else ""))
        self.body = QPlainTextEdit(row.body if row else "")
        self.body.setTabChangesFocus(True)
        self.body.setMinimumHeight(100)
        self.form.add("body", "Te&xt:", self.body, "Post text")
        self.url = self.form.add("url", "&Web address:", QLineEdit(row.url if row else ""))
        self.url.setPlaceholderText("https://")
        self.minutes = self.form.add(
            "minutes_spent", "&Minutes spent:", _spin(row.minutes_spent if row else 15, 1440)
        )
        engagement = QWidget()
        line = QHBoxLayout(engagement)
        line.setContentsMargins(0, 0, 0, 0)
        self.counts: dict[str, QSpinBox] = {}
        for name in ENGAGEMENT:
            spin = _spin(getattr(row, name) if row else 0)
            spin.setAccessibleName(name.capitalize())
            spin.setToolTip(name.capitalize())
            caption = QLabel(name.capitalize())
            caption.setBuddy(spin)
            line.addWidget(caption)
            line.addWidget(spin)
            self.counts[name] = spin
        self.form.add("engagement", "Engagement:", engagement)
        for name in ENGAGEMENT:
            self.form.share_error(name, self.counts[name], "engagement")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save post")
        layout = QVBoxLayout(self)
        if self.community.count() == 0:
            layout.addWidget(QLabel("Add a community first: every post belongs to one."))
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self._kind_changed()
        self.resize(640, self.sizeHint().height())

    def _kind_changed(self) -> None:
        advice = self.kind.currentData() == "advice"
        self.advice_note.setVisible(advice)
        # A new advice post is logged by the composer once its text passes the check.
        new_advice = advice and self.post_id is None
        self.check_and_log.setVisible(new_advice)
        self.save_button.setEnabled(not new_advice)
        self.save_button.setToolTip(
            "An advice post is logged through Check and log, once its text passes the check."
            if new_advice
            else ""
        )
        self.check_and_log.setDefault(new_advice)

    def open_composer(self) -> None:
        from .composer_dialog import ComposerDialog

        data = self.data()
        composer = ComposerDialog(
            self.store,
            self.actor,
            community_id=data.community_id,
            kind="advice",
            title=data.title,
            body=data.body,
            url=data.url,
            minutes=data.minutes_spent,
            posted_at=data.posted_at,
            parent=self,
        )
        if composer.exec() == QDialog.DialogCode.Accepted and composer.saved_post_id is not None:
            self.saved_id = composer.saved_post_id
            self.accept()

    def data(self) -> svc.PostData:
        local = self.posted_at.dateTime().toPython()
        assert isinstance(local, datetime)
        return svc.PostData(
            community_id=self.community.currentData(),
            posted_at=to_utc(local),
            kind=self.kind.currentData(),
            title=self.title.text(),
            body=self.body.toPlainText(),
            url=self.url.text(),
            minutes_spent=self.minutes.value(),
            **{name: spin.value() for name, spin in self.counts.items()},
        )

    def save(self) -> None:
        def action():
            if self.post_id is None:
                self.saved_id = svc.create_post(self.store, self.actor, self.data())
            else:
                svc.update_post(
                    self.store, self.actor, self.post_id, self.data(), version=self.version
                )
                self.saved_id = self.post_id

        try:
            save_or_show(self, self.form, action)
        except ComplianceError as exc:
            QMessageBox.warning(self, "Cannot save", str(exc))
