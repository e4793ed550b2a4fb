"""Pick well-known patient communities from the starter catalog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from outreach.errors import OutreachError
from outreach.services import communities as communities_svc
from outreach.services.catalog import add_from_catalog, load_catalog, present_names

from .formatting import rule


class CatalogDialog(QDialog):
    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.added: list[int] = []
        self.setWindowTitle("Add communities from the catalog")
        self.setAccessibleName(self.windowTitle())
        intro = QLabel(
            "Well-known patient communities and what their published rules say about advice "
            "and promotion. Check the ones you take part in. Rules change: read each "
            "community's own guidelines before posting."
        )
        intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Catalog communities")
        self.tree.setHeaderLabels(
            ["Community", "Platform", "Topic", "Advice", "Promotion", "Rules"]
        )
        self.tree.setRootIsDecorated(False)
        present = present_names(store)
        for entry in load_catalog():
            item = QTreeWidgetItem(
                [
                    entry.name,
                    communities_svc.PLATFORM_LABELS.get(entry.platform, entry.platform),
                    entry.topic,
                    rule(entry.advice_allowed),
                    rule(entry.self_promotion_allowed),
                    entry.rules_summary,
                ]
            )
            item.setToolTip(5, entry.rules_summary)
            item.setData(0, Qt.ItemDataRole.UserRole, entry.name)
            if entry.name.lower() in present:
                item.setText(0, f"{entry.name} (already added)")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(0, Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(item)
        for column in range(5):
            self.tree.resizeColumnToContents(column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("&Add selected", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setAccessibleName("Add selected communities")
        buttons.accepted.connect(self.add)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(900, 560)

    def checked_names(self) -> list[str]:
        names = []
        for position in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(position)
            if (
                item.flags() & Qt.ItemFlag.ItemIsUserCheckable
                and item.checkState(0) == Qt.CheckState.Checked
            ):
                names.append(item.data(0, Qt.ItemDataRole.UserRole))
        return names

    def add(self) -> None:
        try:
            self.added = add_from_catalog(self.store, self.actor, self.checked_names())
        except OutreachError as exc:
            QMessageBox.warning(self, "Cannot add", str(exc))
            return
        self.accept()
