"""The composer: write a post, see what the compliance gate says as you type, check
it (the check goes into the evidence ledger), copy the exact final text and log
the post once it is out.

The gate itself lives in outreach.services.compliance; this dialog only shows
what evaluate() says and calls record_check() and the posts service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from outreach.errors import ComplianceError, OutreachError, ValidationError
from outreach.models import POST_KINDS
from outreach.services import communities as communities_svc
from outreach.services import compliance, risk_scan
from outreach.services import posts as posts_svc
from outreach.services.profile import get_profile
from outreach.timeutil import now_utc, to_local, to_utc

from . import desktop
from .formatting import rule
from .forms import ErrorLabel, FieldForm, save_or_show
from .policy_form import PolicyDialog, cover_status
from .risk_highlighter import RiskHighlighter, Span

EVALUATE_DELAY_MS = 300
SEVERITY_WORDS = {"block": "blocks", "warn": "warning", "crisis": "crisis"}


# -- small dialogs -------------------------------------------------------------------
class ReasonDialog(QDialog):
    """Asks the written reason for an override; refuses one that says too little."""

    def __init__(self, title: str, what: str, current: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        about = QLabel(what)
        about.setTextFormat(Qt.TextFormat.PlainText)
        about.setWordWrap(True)
        caption = QLabel("&Reason (kept with the check as evidence):")
        self.reason = QPlainTextEdit(current)
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText(
            "Why these words are safe here, e.g. 'quoting the study's dose, not advising one'"
        )
        caption.setBuddy(self.reason)
        self.error = ErrorLabel()
        self.error.setAccessibleName("Reason error")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Override")
        self.ok_button.setAccessibleName("Override with this reason")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(caption)
        layout.addWidget(self.reason)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 280)

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def accept(self) -> None:
        if len(self.text()) < compliance.MIN_REASON:
            self.error.show_error(
                f"Write at least {compliance.MIN_REASON} characters: say why these words are "
                "safe here, or cancel and edit them out of the text."
            )
            self.reason.setFocus()
            return
        super().accept()


def ask_reason(parent, title: str, what: str, current: str = "") -> str | None:
    """The reason written, or None when cancelled (tests patch this)."""
    dialog = ReasonDialog(title, what, current, parent)
    return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


class MarkPostedDialog(QDialog):
    """Where and when the post went out; ``action(posted_at, url, minutes)`` logs it
    and its validation errors show beside these fields."""

    def __init__(self, action, url: str = "", minutes: int = 15, posted_at=None, parent=None):
        super().__init__(parent)
        self.action = action
        self.setWindowTitle("Mark as posted")
        self.setAccessibleName(self.windowTitle())
        intro = QLabel(
            "Post the copied text in the community first, then say where it is. The post is "
            "logged with the final text, exactly as copied."
        )
        intro.setWordWrap(True)
        self.form = FieldForm()
        self.url = self.form.add("url", "&Web address of the post:", QLineEdit(url), "Post address")
        self.url.setPlaceholderText("https://")
        self.minutes = QSpinBox()
        self.minutes.setRange(0, posts_svc.MAX_MINUTES)
        self.minutes.setValue(minutes)
        self.form.add("minutes_spent", "&Minutes spent:", self.minutes, "Minutes spent")
        self.posted_at = QDateTimeEdit()
        self.posted_at.setCalendarPopup(True)
        self.posted_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        when = to_local(posted_at or now_utc())
        self.posted_at.setDateTime(QDateTime(when.replace(tzinfo=None)))
        self.form.add("posted_at", "Posted &at:", self.posted_at, "Posted at")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Log post")
        self.save_button.setAccessibleName("Log the post")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def when(self) -> datetime:
        local = self.posted_at.dateTime().toPython()
        assert isinstance(local, datetime)
        return to_utc(local)

    def save(self) -> None:
        try:
            save_or_show(
                self,
                self.form,
                lambda: self.action(self.when(), self.url.text(), self.minutes.value()),
            )
        except ComplianceError as exc:
            QMessageBox.warning(self, "Cannot log the post", str(exc))


class _ItemLabel(QLabel):
    """A checklist item's words: wrapped, and a click ticks its box."""

    def __init__(self, text: str, box: QCheckBox):
        super().__init__(text)
        self.box = box
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.box.isEnabled():
            self.box.toggle()
        super().mousePressEvent(event)


def rules_text(rules: compliance.Rules) -> str:
    limit = (
        f"{rules.promotion_ratio_limit_pct}%"
        if rules.promotion_ratio_limit_pct is not None
        else "not recorded"
    )
    text = (
        f"{rules.name}. Advice: {rule(rules.advice_allowed).lower()}; self-promotion: "
        f"{rule(rules.self_promotion_allowed).lower()}; signature links: "
        f"{rule(rules.signature_links_allowed).lower()}; promotion limit: {limit}."
    )
    if rules.rules_summary:
        text += f"\n{rules.rules_summary}"
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")", "”")) else text + "."


# -- the composer --------------------------------------------------------------------
class ComposerDialog(QDialog):
    def __init__(
        self,
        store,
        actor,
        *,
        post_id: int | None = None,
        community_id: int | None = None,
        kind: str = "advice",
        title: str = "",
        body: str = "",
        url: str = "",
        minutes: int = 15,
        posted_at: datetime | None = None,
        parent=None,
        today: date | None = None,
    ):
        super().__init__(parent)
        self.store, self.actor, self.post_id = store, actor, post_id
        self.today = today
        self.saved_post_id: int | None = None
        self.evaluation: compliance.Evaluation | None = None
        self.record: compliance.CheckRecord | None = None
        self._checked_context: tuple | None = None
        self.overrides: dict[str, str] = {}
        self.rules_override = ""
        self._checklist_version: int | None = None
        self.checks: dict[str, QCheckBox] = {}
        self._answers: dict[str, bool] = {}
        self._last_inputs: tuple | None = None
        row = posts_svc.get_post(store, post_id) if post_id else None
        self.post = row
        if row is not None:
            community_id, kind, title, body = row.community_id, row.kind, row.title, row.body
            url, minutes, posted_at = row.url, row.minutes_spent, row.posted_at
        self._post_defaults = (url, minutes, posted_at)
        self.setWindowTitle("Check a logged post" if row else "Compose a post")
        self.setAccessibleName(self.windowTitle())

        # What and where.
        self.community = QComboBox()
        self.community.setAccessibleName("Community")
        for cid, name in communities_svc.community_choices(store, include_archived=bool(row)):
            self.community.addItem(name, cid)
        if community_id is not None:
            self.community.setCurrentIndex(max(0, self.community.findData(community_id)))
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        for k in POST_KINDS:
            self.kind.addItem(posts_svc.KIND_LABELS[k], k)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.title = QLineEdit(title)
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("optional; helps you find the post later")
        top = QHBoxLayout()
        for caption, widget, stretch in (
            ("&Community:", self.community, 2),
            ("&Kind:", self.kind, 0),
            ("&Title:", self.title, 3),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            top.addWidget(label)
            top.addWidget(widget, stretch)

        # The text and what goes out.
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Post text")
        self.editor.setAccessibleDescription(
            "Risky phrases are marked as you type and listed under Findings."
        )
        self.editor.setTabChangesFocus(True)
        self.editor.setPlaceholderText("Write the post here.")
        self.highlighter = RiskHighlighter(self.editor.document(), self.palette())
        self.editor.setPlainText(body)
        text_label = QLabel("Te&xt:")
        text_label.setBuddy(self.editor)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Final text preview")
        self.preview.setAccessibleDescription(
            "The exact text that is checked, copied and logged: yours, then the disclaimer "
            "and signature as the community's rules allow."
        )
        self.preview.setTabChangesFocus(True)
        preview_label = QLabel(
            "Final text as it will go out (pre&view, disclaimer and signature added):"
        )
        preview_label.setWordWrap(True)
        preview_label.setBuddy(self.preview)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(text_label)
        left_column.addWidget(self.editor, 3)
        left_column.addWidget(preview_label)
        left_column.addWidget(self.preview, 2)

        # What the gate says.
        self.blockers = self._wrapped_label("Before it can pass")
        self.warnings = self._wrapped_label("Warnings")
        gate_box = QGroupBox("What the check says")
        gate_column = QVBoxLayout(gate_box)
        gate_column.addWidget(self.blockers)
        gate_column.addWidget(self.warnings)

        self.findings = QListWidget()
        self.findings.setAccessibleName("Findings")
        self.findings.setWordWrap(True)
        self.findings.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.findings.setMinimumHeight(110)
        self.findings.setSpacing(3)
        self.findings.itemActivated.connect(lambda _item: self.edit_selected_finding())
        self.findings.currentRowChanged.connect(lambda _row: self._finding_buttons())
        self.findings_note = self._wrapped_label("Findings summary")
        findings_label = QLabel("&Findings:")
        findings_label.setBuddy(self.findings)
        self.edit_button = self._button("&Edit words", "Select the finding's words", None)
        self.edit_button.clicked.connect(self.edit_selected_finding)
        self.edit_button.setToolTip("Select the words in the text, so you can rewrite them.")
        self.override_button = self._button("&Override...", "Override the finding", None)
        self.override_button.clicked.connect(self.override_selected_finding)
        self.override_button.setToolTip("Keep the words, with a written reason kept as evidence.")
        self.crisis_button = self._button("Use crisis &reply", "Use the crisis reply", None)
        self.crisis_button.clicked.connect(self.use_crisis_reply)
        self.crisis_button.setToolTip(
            "Replace the text with the crisis-resource reply (Ctrl+Z brings your draft back)."
        )
        finding_buttons = QHBoxLayout()
        for button in (self.edit_button, self.override_button, self.crisis_button):
            finding_buttons.addWidget(button)
        finding_buttons.addStretch(1)
        findings_box = QGroupBox("Risky phrases")
        findings_column = QVBoxLayout(findings_box)
        findings_column.addWidget(self.findings_note)
        findings_column.addWidget(findings_label)
        findings_column.addWidget(self.findings)
        findings_column.addLayout(finding_buttons)

        self.checklist_box = QGroupBox("Checklist")
        self.checklist_column = QVBoxLayout(self.checklist_box)
        self.checklist_column.setSpacing(6)

        self.rules_label = self._wrapped_label("Community rules")
        self.meter_label = self._wrapped_label("Self-promotion meter")
        self.rules_override_button = self._button(
            "Override r&ules...", "Override the community's rules", self.override_rules
        )
        self.rules_override_button.setToolTip(
            "The community does not allow advice; say why this post is fine there anyway."
        )
        rules_box = QGroupBox("Community rules in force")
        rules_column = QVBoxLayout(rules_box)
        rules_column.addWidget(self.rules_label)
        rules_column.addWidget(self.meter_label)
        rules_row = QHBoxLayout()
        rules_row.addWidget(self.rules_override_button)
        rules_row.addStretch(1)
        rules_column.addLayout(rules_row)

        self.policy_label = self._wrapped_label("Policy status")
        self.policy_button = self._button("&Policy...", "Malpractice policy", self.edit_policy)
        self.policy_button.setToolTip(
            "The malpractice policy (also in Settings, Compliance): insurer, online cover and "
            "the date it was confirmed."
        )
        policy_box = QGroupBox("Malpractice policy")
        policy_column = QVBoxLayout(policy_box)
        policy_column.addWidget(self.policy_label)
        policy_row = QHBoxLayout()
        policy_row.addWidget(self.policy_button)
        policy_row.addStretch(1)
        policy_column.addLayout(policy_row)

        side = QWidget()
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 4, 0)
        for box in (findings_box, gate_box, self.checklist_box, rules_box, policy_box):
            side_column.addWidget(box)
        side_column.addStretch(1)
        self.side_scroll = QScrollArea()
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setWidget(side)
        self.side_scroll.setAccessibleName("Compliance check")
        self.side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.side_scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        # The outcome and what to do with it.
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Check status")
        bold = self.status.font()
        bold.setBold(True)
        self.status.setFont(bold)
        self.check_button = self._button("C&heck", "Check the post", self.check)
        self.copy_button = self._button(
            "Cop&y final text", "Copy the final text", self.copy_final_text
        )
        self.mark_button = self._button(
            "&Mark as posted...", "Mark the post as posted", self.mark_as_posted
        )
        if self.post is not None:
            self.mark_button.setText("&Save checked text...")
            self.mark_button.setAccessibleName("Save the checked text to the post")
        self.close_button = self._button("Close", "Close the composer", self.reject)
        if not actor.is_owner:
            self.check_button.setEnabled(False)
            self.check_button.setToolTip(
                "Only the practitioner can confirm a compliance check; staff can write and "
                "prepare the post, then ask them to check it."
            )
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        for button in (self.check_button, self.copy_button, self.mark_button, self.close_button):
            bottom.addWidget(button)

        layout = QVBoxLayout(self)
        if self.community.count() == 0:
            layout.addWidget(QLabel("Add a community first: every post is checked for one."))
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(EVALUATE_DELAY_MS)
        self._timer.timeout.connect(self.evaluate_now)
        self.editor.textChanged.connect(self._text_changed)
        self.title.textChanged.connect(lambda _t: self._timer.start())
        self.community.currentIndexChanged.connect(lambda _i: self.evaluate_now())
        self.kind.currentIndexChanged.connect(lambda _i: self.evaluate_now())
        self.resize(1200, 760)
        splitter.setSizes([680, 500])
        self.evaluate_now()
        self.editor.setFocus()

    # -- building blocks -----------------------------------------------------------
    def _wrapped_label(self, accessible: str) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        label.setAccessibleName(accessible)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _button(self, text: str, accessible: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.setAutoDefault(False)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    def draft(self) -> compliance.Draft:
        return compliance.Draft(
            self.community.currentData(),
            self.editor.toPlainText(),
            self.kind.currentData(),
            self.title.text(),
        )

    def answers(self) -> dict[str, bool]:
        return {key: box.isChecked() for key, box in self.checks.items()}

    def _context(self) -> tuple:
        return (self.community.currentData(), self.kind.currentData())

    # -- evaluation ----------------------------------------------------------------
    def _text_changed(self) -> None:
        # Re-painting the highlights does not change the text: only edits count.
        if self.editor.toPlainText() != (self._last_inputs or (None, ""))[1]:
            self._timer.start()

    def flush(self) -> None:
        """Evaluate now if an edit is still waiting for the timer (before any action)."""
        if self._timer.isActive() or self.evaluation is None:
            self.evaluate_now()

    def evaluate_now(self) -> None:
        self._timer.stop()
        draft = self.draft()
        self._last_inputs = (draft.community_id, draft.body, draft.kind, draft.title)
        if draft.community_id is None:
            self.evaluation = None
            self.blockers.setText("Add a community first: every post is checked for one.")
            self._update_actions()
            return
        try:
            result = compliance.evaluate(
                self.store,
                draft,
                self.answers(),
                self.overrides,
                self.rules_override,
                today=self.today,
            )
        except OutreachError as exc:
            self.evaluation = None
            self.blockers.setText(str(exc))
            self._update_actions()
            return
        self.evaluation = result
        self._show_checklist(result.checklist)
        self._show_findings(result)
        self._show_gate(result)
        self.preview.setPlainText(result.composition.final_text)
        self._update_actions()

    def _show_checklist(self, checklist) -> None:
        if checklist.version == self._checklist_version:
            return
        previous = self.answers()
        while self.checklist_column.count():
            item = self.checklist_column.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.checks = {}
        self._checklist_version = checklist.version
        self.checklist_box.setTitle(
            f"Checklist (version {checklist.version}): tick each item that is true of this post"
        )
        for item in checklist.items:
            box = QCheckBox()
            box.setAccessibleName(item.text)
            box.setAccessibleDescription(
                ("Required. " if item.required else "Advisory. ") + (item.help or "")
            )
            box.setToolTip(item.help)
            box.setChecked(previous.get(item.key, False))
            box.toggled.connect(lambda _on: self.evaluate_now())
            marker = "Required" if item.required else "Advisory"
            label = _ItemLabel(f"{item.text} ({marker.lower()})", box)
            label.setToolTip(item.help)
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
            line.addWidget(label, 1)
            self.checklist_column.addWidget(row)
            self.checks[item.key] = box

    def _spans(self, result: compliance.Evaluation) -> list[Span]:
        raw = self.editor.toPlainText()
        lead = len(raw) - len(raw.lstrip())
        body_end = len(result.composition.body)
        spans = []
        for finding in result.findings:
            if finding.end > body_end:
                continue
            severity = finding.severity
            if severity == "block" and compliance.finding_key(finding) in self.overrides:
                severity = "warn"  # overridden: still marked, no longer blocking
            spans.append(Span(finding.start + lead, finding.end + lead, finding.matched, severity))
        return spans

    def _show_findings(self, result: compliance.Evaluation) -> None:
        selected = self.findings.currentRow()
        self.findings.clear()
        counts: dict[str, int] = {}
        for index, finding in enumerate(result.findings):
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
            key = compliance.finding_key(finding)
            reason = self.overrides.get(key, "")
            state = SEVERITY_WORDS.get(finding.severity, finding.severity)
            if reason and finding.severity == "block":
                state = "overridden"
            lines = [
                f"{finding.category_label} ({state}): “{finding.matched}”",
                finding.explanation,
            ]
            if reason:
                lines.append(f"Reason: {reason}")
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, index)
            item.setToolTip(finding.explanation)
            self.findings.addItem(item)
        if self.findings.count():
            self.findings.setCurrentRow(min(max(selected, 0), self.findings.count() - 1))
        if not result.findings:
            self.findings_note.setText("No risky phrases found in your text.")
        else:
            parts = [
                f"{n} {SEVERITY_WORDS[s] if s != 'block' else 'blocking'}"
                for s, n in sorted(counts.items())
            ]
            self.findings_note.setText(
                f"{len(result.findings)} found ({', '.join(parts)}). Edit the words, or "
                "override a finding with a written reason."
            )
        self.highlighter.set_spans(self._spans(result))
        # The reply template itself names the crisis: offering it again would loop.
        replied = risk_scan.crisis_reply().strip() in self.editor.toPlainText()
        self.crisis_button.setVisible(result.crisis and not replied)
        self._finding_buttons()

    def _show_gate(self, result: compliance.Evaluation) -> None:
        if result.passed:
            self.blockers.setText("Nothing blocks this post: Check records it as evidence.")
        else:
            items = [b for b in result.blockers if b.key.startswith("item:")]
            lines = [f"• {_sentence(b.sentence)}" for b in result.blockers if b not in items]
            if items:
                lines.append(
                    f"• Tick the {len(items)} required checklist "
                    f"item{'s' if len(items) != 1 else ''} not yet confirmed (Checklist, below)."
                )
            self.blockers.setText("Before it can pass:\n" + "\n".join(lines))
        self.warnings.setText(
            "Warnings (they do not block, and are kept with the check):\n"
            + "\n".join(f"• {_sentence(w)}" for w in result.warnings)
            if result.warnings
            else ""
        )
        self.warnings.setVisible(bool(result.warnings))
        self.rules_label.setText(rules_text(result.rules))
        self.meter_label.setText(f"Self-promotion meter. {result.meter.sentence}")
        self.rules_override_button.setVisible(
            self.kind.currentData() == "advice" and result.rules.advice_allowed is False
        )
        if self.rules_override:
            self.rules_label.setText(
                rules_text(result.rules) + f"\nOverridden: {self.rules_override}"
            )
        self.policy_label.setText(cover_status(get_profile(self.store), self.today or date.today()))

    def check_state(self) -> str:
        """ "none", "checked" (the current final text passed) or "changed"."""
        if self.record is None:
            return "none"
        result = self.evaluation
        if (
            result is not None
            and result.text_hash == self.record.text_hash
            and self._context() == self._checked_context
        ):
            return "checked"
        return "changed"

    def _update_actions(self) -> None:
        state = self.check_state()
        result = self.evaluation
        if state == "checked":
            assert self.record is not None
            self.status.setText(
                f"Checked: evidence record #{self.record.id} (checklist version "
                f"{self.record.checklist_version}). Copy the final text, post it, then mark it "
                "as posted."
            )
        elif state == "changed":
            assert self.record is not None
            self.status.setText(
                f"Changed after check: the text differs from the one checked in evidence record "
                f"#{self.record.id}. Check it again before posting."
            )
        elif result is not None and result.passed:
            self.status.setText("Not checked yet: nothing blocks it, so Check will pass.")
        else:
            self.status.setText("Not checked yet.")
        advice = self.kind.currentData() == "advice"
        self.mark_button.setEnabled(
            result is not None and (state == "checked" or (not advice and self.post is None))
        )
        self.mark_button.setToolTip(
            ""
            if self.mark_button.isEnabled()
            else "An advice post is logged only after its current text passes the check."
        )
        self.copy_button.setEnabled(result is not None)

    def _finding_buttons(self) -> None:
        has = self.findings.currentRow() >= 0
        finding = self.selected_finding()
        self.edit_button.setEnabled(has)
        self.override_button.setEnabled(finding is not None and finding.severity == "block")

    def selected_finding(self) -> risk_scan.Finding | None:
        item = self.findings.currentItem()
        if item is None or self.evaluation is None:
            return None
        index = item.data(Qt.ItemDataRole.UserRole)
        findings = self.evaluation.findings
        return findings[index] if 0 <= index < len(findings) else None

    # -- finding actions -------------------------------------------------------------
    def edit_selected_finding(self) -> None:
        self.flush()
        finding = self.selected_finding()
        if finding is None or self.evaluation is None:
            return
        raw = self.editor.toPlainText()
        lead = len(raw) - len(raw.lstrip())
        start, end = finding.start + lead, finding.end + lead
        if end > len(raw.rstrip()):
            return  # in the appended disclaimer or signature, not in the editor
        cursor = self.editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self.editor.ensureCursorVisible()
        self.editor.setFocus()

    def override_selected_finding(self) -> None:
        self.flush()
        finding = self.selected_finding()
        if finding is None or finding.severity != "block":
            return
        key = compliance.finding_key(finding)
        reason = ask_reason(
            self,
            "Override a finding",
            f"{finding.category_label}: “{finding.matched}”\n{finding.explanation}\n\n"
            f"Keep these words only if they are safe here. Your reason (at least "
            f"{compliance.MIN_REASON} characters) is kept with the check.",
            self.overrides.get(key, ""),
        )
        if reason is None:
            return
        self.overrides[key] = reason
        self.evaluate_now()

    def override_rules(self) -> None:
        self.flush()
        name = self.evaluation.rules.name if self.evaluation else "This community"
        reason = ask_reason(
            self,
            "Override the community's rules",
            f"{name} does not allow advice. Say why this post is fine there anyway (for "
            f"example, a moderator invited it). At least {compliance.MIN_REASON} characters.",
            self.rules_override,
        )
        if reason is None:
            return
        self.rules_override = reason
        self.evaluate_now()

    def use_crisis_reply(self) -> None:
        cursor = self.editor.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(risk_scan.crisis_reply())
        self.editor.setTextCursor(cursor)
        self.evaluate_now()
        self.status.setText(
            "The crisis-resource reply replaced your draft (Ctrl+Z in the text brings it back)."
        )

    def edit_policy(self) -> None:
        dialog = PolicyDialog(self.store, self.actor, self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.evaluate_now()

    # -- the check and what follows ---------------------------------------------------
    def check(self) -> None:
        self.flush()
        if self.evaluation is None:
            return
        try:
            record = compliance.record_check(
                self.store,
                self.actor,
                self.draft(),
                self.answers(),
                self.overrides,
                self.rules_override,
                today=self.today,
            )
        except ValidationError as exc:
            self.status.setText(f"Not checked: {exc}")
            return
        except OutreachError as exc:  # ComplianceBlocked, PermissionDenied, NotFound
            self.status.setText(str(exc))
            return
        self.record = record
        self._checked_context = self._context()
        self._update_actions()
        self.copy_button.setFocus()

    def copy_final_text(self) -> None:
        self.flush()
        if self.evaluation is None:
            return
        text = self.evaluation.composition.final_text
        if self.check_state() != "checked":
            if not desktop.ask_yes_no(
                self,
                "Copy unchecked text",
                "This text has not passed the compliance check (or changed since). Copy it anyway?",
            ):
                return
            desktop.copy_text(text)
            self.status.setText(
                "Copied the final text. It is NOT checked: check it before posting."
            )
            return
        desktop.copy_text(text)
        assert self.record is not None
        self.status.setText(
            f"Copied the checked final text (evidence record #{self.record.id}). Paste it as it is."
        )

    def mark_as_posted(self) -> None:
        self.flush()
        result = self.evaluation
        if result is None:
            return
        checked = self.check_state() == "checked"
        if self.kind.currentData() == "advice" and not checked:
            QMessageBox.warning(
                self,
                "Check first",
                "An advice post is logged only after its current text passes the check: "
                "use Check first.",
            )
            return
        final_text = result.composition.final_text
        check_id = self.record.id if checked and self.record else None
        url, minutes, posted_at = self._post_defaults

        def log(when: datetime, address: str, spent: int) -> None:
            if self.post is None:
                data = posts_svc.PostData(
                    community_id=self.community.currentData(),
                    posted_at=when,
                    kind=self.kind.currentData(),
                    title=self.title.text(),
                    body=final_text,
                    url=address,
                    minutes_spent=spent,
                )
                self.saved_post_id = posts_svc.create_post(
                    self.store, self.actor, data, check_id=check_id
                )
                return
            data = replace(
                self.post.data(),
                community_id=self.community.currentData(),
                posted_at=when,
                kind=self.kind.currentData(),
                title=self.title.text(),
                body=final_text,
                url=address,
                minutes_spent=spent,
            )
            # The text and its check are saved in one transaction.
            posts_svc.update_post(
                self.store,
                self.actor,
                self.post.id,
                data,
                check_id=check_id,
                version=self.post.version,
            )
            self.saved_post_id = self.post.id

        dialog = MarkPostedDialog(log, url, minutes, posted_at, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.accept()
