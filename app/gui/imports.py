"""Imports from the window: one at a time in the background, with progress, cancel and a summary."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.tasks import Tasks
from app.library.records import CancelToken, ImportProgress, ImportReport
from app.library.service import LibraryService, Target


@dataclass(frozen=True, slots=True)
class ImportJob:
    paths: tuple[Path, ...]
    target: Target
    label: str  # where it goes, for the progress line


class ImportController(QObject):
    """Runs ImportJobs in order on the tasks' import lane; the window only listens."""

    import_started = Signal(object)  # ImportJob
    import_progressed = Signal(object)  # ImportProgress (a copy)
    assets_committed = Signal(int)  # how many are in the library so far in this import
    import_finished = Signal(object, object)  # ImportJob, ImportReport
    import_failed = Signal(object, str)  # ImportJob, one-line reason
    _progress_from_worker = Signal(object)

    def __init__(self, library: LibraryService, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.tasks = tasks
        self._queue: deque[ImportJob] = deque()
        self._running: ImportJob | None = None
        self._cancel: CancelToken | None = None
        self._imported = 0
        self._progress_from_worker.connect(self._on_progress)

    @property
    def busy(self) -> bool:
        return self._running is not None

    @property
    def queued(self) -> int:
        return len(self._queue)

    def start(self, paths: list[Path], target: Target, label: str) -> None:
        self._queue.append(ImportJob(tuple(paths), target, label))
        if self._running is None:
            self._next()

    def cancel(self) -> None:
        """Stop the running import at the next file and drop the queued ones."""
        self._queue.clear()
        if self._cancel is not None:
            self._cancel.cancel()

    def _next(self) -> None:
        if not self._queue:
            return
        job = self._queue.popleft()
        self._running, self._cancel, self._imported = job, CancelToken(), 0
        cancel, lib, emit = self._cancel, self.library, self._progress_from_worker.emit
        self.import_started.emit(job)
        self.tasks.run(
            lambda: lib.import_paths(list(job.paths), job.target, progress=lambda p: emit(replace(p)), cancel=cancel),
            lambda report: self._done(job, report, None),
            lambda error: self._done(job, None, error),
            lane="import",
        )

    @Slot(object)
    def _on_progress(self, progress: ImportProgress) -> None:
        self.import_progressed.emit(progress)
        if progress.imported != self._imported:
            self._imported = progress.imported
            self.assets_committed.emit(progress.imported)

    def _done(self, job: ImportJob, report: ImportReport | None, error: object) -> None:
        self._running, self._cancel = None, None
        if report is not None:
            self.import_finished.emit(job, report)
        else:
            self.import_failed.emit(job, str(error) or error.__class__.__name__)
        self._next()


class ImportBar(QWidget):
    """Shown under the grid while an import runs: what, how far, and Cancel."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ImportBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.label = QLabel("")
        self.detail = QLabel("")
        self.detail.setObjectName("Muted")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.label)
        texts.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 8, 14, 8)
        layout.setSpacing(14)
        layout.addLayout(texts, 2)
        layout.addWidget(self.bar, 3)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.hide()

    @Slot(object)
    def started(self, job: ImportJob) -> None:
        self.label.setText(f"Importing into {job.label}…")
        self.detail.setText("Looking for files")
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.show()

    @Slot(object)
    def progressed(self, p: ImportProgress) -> None:
        self.bar.setRange(0, max(1, p.total))
        self.bar.setValue(p.done)
        parts = [f"{p.done} of {p.total}"]
        if p.rejected:
            parts.append(f"{p.rejected} rejected")
        if p.duplicates:
            parts.append(f"{p.duplicates} already in the library")
        if p.current:
            parts.append(p.current)
        self.detail.setText("  ·  ".join(parts))

    def cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.detail.setText("Stopping after the current files…")


def summary_line(report: ImportReport) -> str:
    parts = [f"{len(report.imported)} imported"]
    if report.duplicates:
        parts.append(f"{len(report.duplicates)} already in the library")
    if report.rejected:
        parts.append(f"{len(report.rejected)} rejected")
    if report.looks_like:
        n = len(report.looks_like)
        parts.append(f"{n} looks like an asset already here" if n == 1 else f"{n} look like assets already here")
    if report.cancelled:
        parts.append("cancelled")
    return ", ".join(parts)


class ImportSummaryDialog(QDialog):
    """Non-modal: every rejected file with its reason, the duplicates that were skipped, and
    the imported files that look like an asset already here (kept, for the user to judge)."""

    def __init__(self, report: ImportReport, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished")
        self.setModal(False)
        self.resize(720, 420)
        self.report = report
        headline = QLabel(f"Import into {label}: {summary_line(report)}")
        headline.setWordWrap(True)
        font = QFont(headline.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setWeight(QFont.Weight.DemiBold)
        headline.setFont(font)
        kept = bool(report.looks_like)
        skipped = bool(report.rejected or report.duplicates)
        note = QLabel(
            "These files were not imported, or were and look like an asset already here:"
            if kept and skipped
            else "These files were imported and look like an asset already here:"
            if kept
            else "These files were not imported:"
        )
        note.setObjectName("Muted")
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("ReportTable")
        self.table.setHorizontalHeaderLabels(["File", "Reason"])
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setWordWrap(True)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setColumnWidth(0, 210)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        for rejected in report.rejected:
            self._add(rejected.path, rejected.reason)
        for dup in report.duplicates:
            self._add(dup.path, f"Already in the library as {dup.existing_name}")
        for _asset_id, name, _like_id, like_name, _bits in report.looks_like:
            self._add(Path(name), f"Imported; looks like {like_name} (a resized or re-encoded copy?)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        layout.setSpacing(8)
        layout.addWidget(headline)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def _add(self, path: Path, reason: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name = QTableWidgetItem(path.name)
        name.setToolTip(str(path))
        why = QTableWidgetItem(reason)
        why.setToolTip(reason)
        self.table.setItem(row, 0, name)
        self.table.setItem(row, 1, why)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.table.resizeRowsToContents()  # long reasons wrap onto a second line

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
