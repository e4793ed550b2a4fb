"""The pipeline board: a column per open stage; drag a card, or select it and
press Move, to change its stage (a dated stage change)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from outreach.models import OPEN_STAGES, STAGES
from outreach.services import contacts as svc

from .formatting import local_date

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class StageColumn(QListWidget):
    def __init__(self, board: PipelineDialog, stage: str):
        super().__init__()
        self.board, self.stage = board, stage
        self.setAccessibleName(f"{svc.STAGE_LABELS[stage]} contacts")
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSpacing(4)
        self.setAlternatingRowColors(True)

    def dropEvent(self, event) -> None:
        source = event.source()
        if isinstance(source, StageColumn) and source is not self and source.currentItem():
            contact_id = source.currentItem().data(ID_ROLE)
            event.setDropAction(Qt.DropAction.IgnoreAction)
            event.accept()
            self.board.move(contact_id, self.stage)
        else:
            event.ignore()


class PipelineDialog(QDialog):
    def __init__(self, store, actor, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.moved = 0
        self.setWindowTitle("Pipeline")
        self.setAccessibleName("Pipeline")
        self.columns: dict[str, StageColumn] = {}
        self.headers: dict[str, QLabel] = {}
        row = QHBoxLayout()
        for stage in OPEN_STAGES:
            cards = StageColumn(self, stage)
            header = QLabel()
            header.setBuddy(cards)
            self.columns[stage], self.headers[stage] = cards, header
            column = QVBoxLayout()
            column.addWidget(header)
            column.addWidget(cards)
            row.addLayout(column)
        self.target = QComboBox()
        self.target.setAccessibleName("Move the selected contact to")
        for stage in STAGES:
            self.target.addItem(svc.STAGE_LABELS[stage], stage)
        move = QPushButton("&Move selected to")
        move.setAccessibleName("Move the selected contact")
        move.clicked.connect(self.move_selected)
        controls = QHBoxLayout()
        controls.addWidget(move)
        controls.addWidget(self.target)
        controls.addStretch(1)
        self.totals = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Open contacts by stage, most recently moved first. Drag a card to move it.")
        )
        layout.addLayout(row, 1)
        layout.addLayout(controls)
        layout.addWidget(self.totals)
        layout.addWidget(buttons)
        self.resize(1100, 620)
        self.reload()

    def reload(self) -> None:
        board = svc.pipeline(self.store)
        for stage, (count, cards) in board.items():
            self.headers[stage].setText(f"{svc.STAGE_LABELS[stage]} ({count:,})")
            column = self.columns[stage]
            column.clear()
            for card in cards:
                item = QListWidgetItem(
                    f"{card.title}\n{card.community or 'Unattributed'} · {local_date(card.since)}"
                )
                item.setData(ID_ROLE, card.id)
                column.addItem(item)
        counts = svc.stage_counts(self.store)
        self.totals.setText(
            f"Patients {counts['patient']:,} · lost {counts['lost']:,} · not a fit {counts['not_a_fit']:,}"
        )

    def selected_id(self) -> int | None:
        for column in self.columns.values():
            if column.hasFocus() and column.currentItem():
                return column.currentItem().data(ID_ROLE)
        for column in self.columns.values():
            if column.currentItem() and column.currentItem().isSelected():
                return column.currentItem().data(ID_ROLE)
        return None

    def move_selected(self) -> None:
        contact_id = self.selected_id()
        if contact_id is not None:
            self.move(contact_id, self.target.currentData())

    def move(self, contact_id: int, stage: str) -> None:
        if svc.move_stage(self.store, self.actor, contact_id, stage):
            self.moved += 1
        self.reload()
