"""Add or edit a community; the service validates and the reasons show beside the fields."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)

from outreach.models import COMMUNITY_STATUSES
from outreach.services import communities as svc

from .forms import FieldForm, save_or_show

RULE_CHOICES = [("Unknown", None), ("Allowed", True), ("Not allowed", False)]


def _rule_combo(value: bool | None) -> QComboBox:
    combo = QComboBox()
    for label, data in RULE_CHOICES:
        combo.addItem(label, data)
    combo.setCurrentIndex([d for _, d in RULE_CHOICES].index(value))
    return combo


class CommunityDialog(QDialog):
    def __init__(self, store, actor, community_id: int | None = None, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.community_id = store, actor, community_id
        self.saved_id: int | None = None
        row = svc.get_community(store, community_id) if community_id else None
        self.version = row.version if row else None  # saved only over this version
        data = row.data() if row else svc.CommunityData(name="")
        self.setWindowTitle("Edit community" if row else "New community")
        self.setAccessibleName(self.windowTitle())
        self.form = FieldForm()
        self.name = self.form.add("name", "&Name:", QLineEdit(data.name))
        self.platform = QComboBox()
        for key, label in svc.PLATFORM_LABELS.items():
            self.platform.addItem(label, key)
        self.platform.setCurrentIndex(max(0, self.platform.findData(data.platform)))
        self.form.add("platform", "&Platform:", self.platform)
        self.url = self.form.add("url", "&Web address:", QLineEdit(data.url))
        self.url.setPlaceholderText("https://")
        self.topic = self.form.add("topic", "&Topic:", QLineEdit(data.topic))
        self.status = QComboBox()
        for status in COMMUNITY_STATUSES:
            self.status.addItem(status.capitalize(), status)
        self.status.setCurrentIndex(max(0, self.status.findData(data.status)))
        self.form.add("status", "&Status:", self.status)
        self.advice = self.form.add(
            "advice_allowed", "&Advice:", _rule_combo(data.advice_allowed), "Advice allowed"
        )
        self.promotion = self.form.add(
            "self_promotion_allowed",
            "Self-pro&motion:",
            _rule_combo(data.self_promotion_allowed),
            "Self-promotion allowed",
        )
        self.signature = self.form.add(
            "signature_links_allowed",
            "Si&gnature links:",
            _rule_combo(data.signature_links_allowed),
            "Signature links allowed",
        )
        self.ratio = QSpinBox()
        self.ratio.setRange(-1, 100)
        self.ratio.setSpecialValueText("No limit")
        self.ratio.setSuffix(" %")
        self.ratio.setValue(
            -1 if data.promotion_ratio_limit_pct is None else data.promotion_ratio_limit_pct
        )
        self.form.add(
            "promotion_ratio_limit_pct",
            "Promotion &limit:",
            self.ratio,
            "Promotion ratio limit percent",
        )
        self.rules = QPlainTextEdit(data.rules_summary)
        self.rules.setTabChangesFocus(True)
        self.rules.setFixedHeight(60)
        self.form.add("rules_summary", "&Rules summary:", self.rules)
        self.rules_url = self.form.add("rules_url", "Rules add&ress:", QLineEdit(data.rules_url))
        self.code = self.form.add("intake_code", "&Intake code:", QLineEdit(data.intake_code))
        self.code.setPlaceholderText("made from the name if left empty, e.g. RSLEEP24")
        aliases = svc.get_aliases(store, community_id) if community_id else []
        self.aliases = self.form.add(
            "aliases", "Also &known as:", QLineEdit(", ".join(aliases)), "Other names"
        )
        self.aliases.setPlaceholderText("other names people use, comma-separated")
        self.notes = QPlainTextEdit(data.notes)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(60)
        self.form.add("notes", "N&otes:", self.notes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save community")
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def data(self) -> svc.CommunityData:
        ratio = self.ratio.value()
        return svc.CommunityData(
            name=self.name.text(),
            platform=self.platform.currentData(),
            url=self.url.text(),
            topic=self.topic.text(),
            status=self.status.currentData(),
            advice_allowed=self.advice.currentData(),
            self_promotion_allowed=self.promotion.currentData(),
            signature_links_allowed=self.signature.currentData(),
            promotion_ratio_limit_pct=None if ratio < 0 else ratio,
            rules_summary=self.rules.toPlainText(),
            rules_url=self.rules_url.text(),
            intake_code=self.code.text(),
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        aliases = self.aliases.text().split(",")

        def action():
            if self.community_id is None:
                self.saved_id = svc.create_community(self.store, self.actor, self.data())
                self.community_id = self.saved_id  # a second Save after an alias error edits it
            else:
                svc.update_community(
                    self.store, self.actor, self.community_id, self.data(), version=self.version
                )
                self.saved_id = self.community_id
                # Our own save is not someone else's: a second Save (after an alias
                # error) goes over the version just written.
                self.version = svc.get_community(self.store, self.saved_id).version
            svc.set_aliases(self.store, self.actor, self.saved_id, aliases)

        save_or_show(self, self.form, action)
