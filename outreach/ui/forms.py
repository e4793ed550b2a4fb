"""Form helpers: a label under each field for the service's validation reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from outreach.errors import ChangedElsewhere, NotFound, ValidationError


class ErrorLabel(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWordWrap(True)
        # Emphasis without a hard-coded colour: dark mode stays readable.
        font = self.font()
        font.setItalic(True)
        self.setFont(font)
        self.hide()

    def show_error(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


class FieldForm(QFormLayout):
    """A QFormLayout whose rows can each show an error beside the field."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._fields: dict[str, tuple[QWidget, ErrorLabel]] = {}

    def add(self, key: str, label: str, widget: QWidget, accessible: str | None = None) -> QWidget:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        error = ErrorLabel()
        error.setAccessibleName(f"{accessible or label.replace('&', '')} error")
        column.addWidget(error)
        caption = QLabel(label)
        caption.setBuddy(widget)
        widget.setAccessibleName(accessible or label.replace("&", "").rstrip(":"))
        caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.addRow(caption, holder)
        self._fields[key] = (widget, error)
        return widget

    def share_error(self, key: str, widget: QWidget, with_key: str) -> None:
        """Report ``key``'s errors in ``with_key``'s label (several spin boxes on one row)."""
        self._fields[key] = (widget, self._fields[with_key][1])

    def clear_errors(self) -> None:
        for _, error in self._fields.values():
            error.show_error("")

    def show_errors(
        self, errors: dict[str, str], aliases: dict[str, str] | None = None
    ) -> list[str]:
        """Show each reason beside its field; return the reasons that have no field."""
        self.clear_errors()
        unplaced = []
        first = None
        for key, reason in errors.items():
            key = (aliases or {}).get(key, key)
            if key in self._fields:
                widget, error = self._fields[key]
                error.show_error(reason[:1].upper() + reason[1:])
                first = first or widget
            else:
                unplaced.append(f"{key.replace('_', ' ').capitalize()}: {reason}")
        if first is not None:
            first.setFocus()
        return unplaced

    def error_text(self, key: str) -> str:
        return (
            self._fields[key][1].text()
            if self._fields[key][1].isVisible() or self._fields[key][1].text()
            else ""
        )


def heading(text: str) -> QLabel:
    """A page or dialog title: larger and bold, in the palette's own colour."""
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    return label


def save_or_show(dialog: QDialog, form: FieldForm, action) -> bool:
    """Run a service call for an edit dialog: on success accept the dialog; on a
    validation error show each reason beside its field and keep what was typed."""
    try:
        action()
    except ValidationError as exc:
        rest = form.show_errors(exc.errors)
        if rest:
            QMessageBox.warning(dialog, "Cannot save", "\n".join(rest))
        return False
    except (NotFound, ChangedElsewhere) as exc:
        # Kept open: what was typed stays, to copy after reloading the record.
        QMessageBox.warning(dialog, "Cannot save", str(exc))
        return False
    dialog.accept()
    return True


def fill_posts(combo, store, community_id: int | None, keep: int | None = None) -> None:
    """The community's 50 latest posts, for "which post started it"."""
    from outreach.services.posts import PostQuery, list_posts
    from outreach.timeutil import to_local

    combo.clear()
    combo.addItem("(no particular post)", None)
    if community_id is None:
        return
    for row in list_posts(store, PostQuery(community_id=community_id, limit=50)).rows:
        label = row.title or row.body[:60].replace("\n", " ") or row.url
        combo.addItem(f"{to_local(row.posted_at):%Y-%m-%d} {label}", row.id)
    if keep is not None:
        combo.setCurrentIndex(max(0, combo.findData(keep)))
