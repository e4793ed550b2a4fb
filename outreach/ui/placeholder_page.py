"""A page whose feature arrives with later work says so in a sentence."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .forms import heading

PLACEHOLDERS = {
    "Compliance": (
        "Compliance will hold your malpractice-policy profile, the pre-post checklist and the "
        "risk-phrase scan that every advice post passes, kept as evidence. Not available yet: "
        "advice posts are logged as 'not checked' until then."
    ),
}


class PlaceholderPage(QWidget):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        title_label = heading(title)
        self.text = QLabel(PLACEHOLDERS[title])
        self.text.setWordWrap(True)
        self.text.setAccessibleName(f"{title}: not available yet")
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label)
        layout.addWidget(self.text)
        layout.addStretch(1)
