"""The dashboard: headline counts now; the ROI work adds cost and patients."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from outreach.services.summary import activity_summary

from .formatting import hours
from .forms import heading


class DashboardPage(QWidget):
    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        title_label = heading("Dashboard")
        box = QGroupBox("Your outreach so far")
        grid = QGridLayout(box)
        self.values: dict[str, QLabel] = {}
        rows = [
            ("communities", "Active communities"),
            ("posts", "Posts logged"),
            ("hours", "Hours spent"),
            ("month_posts", "Posts this month"),
            ("month_hours", "Hours this month"),
            ("unchecked", "Advice posts not checked"),
        ]
        for position, (key, label) in enumerate(rows):
            caption = QLabel(label)
            value = QLabel()
            value.setAccessibleName(label)
            big = value.font()
            big.setPointSizeF(big.pointSizeF() * 1.3)
            big.setBold(True)
            value.setFont(big)
            grid.addWidget(caption, position // 3 * 2, position % 3)
            grid.addWidget(value, position // 3 * 2 + 1, position % 3)
            self.values[key] = value
        later = QLabel(
            "Cost, contacts, patients and return on time per community arrive with the ROI "
            "reports; until then this page counts what you have logged."
        )
        later.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(title_label)
        layout.addWidget(box)
        layout.addWidget(later)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        s = activity_summary(self.store)
        self.values["communities"].setText(f"{s.communities:,}")
        self.values["posts"].setText(f"{s.posts:,}")
        self.values["hours"].setText(hours(s.minutes))
        self.values["month_posts"].setText(f"{s.posts_this_month:,}")
        self.values["month_hours"].setText(hours(s.minutes_this_month))
        self.values["unchecked"].setText(f"{s.unchecked_advice:,}")
