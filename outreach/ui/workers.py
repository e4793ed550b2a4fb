"""Long work off the GUI thread: a QRunnable on the global pool that reports
progress through signals to a cancellable QProgressDialog."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from contextlib import contextmanager

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

_gc_lock = threading.Lock()
_gc_holds = 0
_gc_was_enabled = True


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while work runs on a worker thread.

    A collection runs in whichever thread happens to allocate. On a worker it can
    free an unreachable window or dialog (a Python reference cycle) and so delete
    its Qt object off the GUI thread, which crashes the process (seen here: a
    segfault "Garbage-collecting" inside roi_report). Paused, the collector runs
    again on the GUI thread afterwards.
    """
    global _gc_holds, _gc_was_enabled
    with _gc_lock:
        if _gc_holds == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holds += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holds -= 1
            if _gc_holds == 0 and _gc_was_enabled:
                gc.enable()


class _Signals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """Runs ``work(progress)``; ``progress(done, total)`` returns False once cancelled."""

    def __init__(self, work: Callable[[Callable[[int, int], bool]], object]):
        super().__init__()
        self.signals = _Signals()
        self._work = work
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    def _progress(self, done: int, total: int) -> bool:
        self.signals.progress.emit(done, total)
        return not self._cancelled.is_set()

    def run(self) -> None:
        try:
            with gc_paused():
                result = self._work(self._progress)
        except BaseException as exc:  # reported to the GUI thread, never lost
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


def run_with_progress(
    parent: QWidget,
    label: str,
    work: Callable[[Callable[[int, int], bool]], object],
    on_done: Callable[[object], None],
    on_error: Callable[[BaseException], None],
) -> Task:
    dialog = QProgressDialog(label, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Outreach")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAccessibleName(label)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    task = Task(work)

    def progress(done: int, total: int) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))

    def finished(result) -> None:
        dialog.close()
        on_done(result)

    def failed(exc) -> None:
        dialog.close()
        on_error(exc)

    task.signals.progress.connect(progress)
    task.signals.finished.connect(finished)
    task.signals.failed.connect(failed)
    dialog.canceled.connect(task.cancel)
    task.setAutoDelete(False)
    # Python must keep each task (and its signals) alive until it reports back,
    # even when several run at once from one window.
    running = parent.__dict__.setdefault("_running_tasks", set())
    running.add(task)
    task.signals.finished.connect(lambda _result: running.discard(task))
    task.signals.failed.connect(lambda _exc: running.discard(task))
    QThreadPool.globalInstance().start(task)
    return task
