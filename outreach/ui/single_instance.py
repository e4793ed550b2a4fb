"""One app per database: a second launch on the same database asks the first
window to come forward and exits, instead of opening a second writer.

The first instance holds a QLockFile and listens on a QLocalServer, both named
from a hash of the user and the database, so other databases and other users
are unaffected. QLockFile tells a live holder from a crashed one (it checks the
process id), and a crashed instance's socket is removed before listening again.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import time
from pathlib import Path

from PySide6.QtCore import QDir, QLockFile, QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger("outreach.ui.instance")

RAISE = b"raise\n"
ANSWER = b"ok\n"


def server_name(db_url: str) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no login name (some containers): the hash still separates databases
        user = ""
    digest = hashlib.sha256(f"{user}\0{db_url}".encode()).hexdigest()[:24]
    return f"outreach-{digest}"


class SingleInstance(QObject):
    """``acquire()`` is True for the first instance, which then emits ``activated``
    whenever a later launch asks it to come forward."""

    activated = Signal()

    def __init__(self, db_url: str, parent: QObject | None = None):
        super().__init__(parent)
        self.name = server_name(db_url)
        self._lock = QLockFile(str(Path(QDir.tempPath()) / f"{self.name}.lock"))
        # A lock is stale only when its process is gone, never by age: the app
        # may stay open for days.
        self._lock.setStaleLockTime(0)
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        if not self._lock.tryLock(0):
            if self._lock.error() == QLockFile.LockError.LockFailedError:
                return False
            # The temp folder is not writable: run without the guard rather than not at all.
            log.warning("Could not create the single-instance lock (%s)", self._lock.error())
            return True
        # We hold the lock, so any socket by this name is left from a crash.
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("Could not listen for other launches: %s", server.errorString())
            return True
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _on_connection(self) -> None:
        while self._server is not None and self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_message(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_message(socket)

    def _on_message(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE.strip()):
            log.info("Another launch on this database: bringing the window forward")
            socket.write(ANSWER)
            socket.flush()
            self.activated.emit()

    def ask_first_to_come_forward(self, timeout_s: float = 5.0) -> bool:
        """From a later launch: True once the first instance has answered.

        The first may hold the lock but still be starting (not listening yet),
        so connecting is retried until the deadline.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            socket = QLocalSocket()
            socket.connectToServer(self.name)
            if socket.waitForConnected(250):
                socket.write(RAISE)
                socket.waitForBytesWritten(1000)
                answer = b""
                while (
                    not answer.startswith(ANSWER)
                    and time.monotonic() < deadline
                    and socket.state() == QLocalSocket.LocalSocketState.ConnectedState
                ):
                    if socket.waitForReadyRead(250):
                        answer += bytes(socket.readAll().data())
                answered = answer.startswith(ANSWER)
                socket.disconnectFromServer()
                if answered:
                    return True
            else:
                socket.abort()
                # The holder may have just quit: take over if the lock is free now.
                if self._lock.tryLock(0):
                    self._lock.unlock()
                    return False
                time.sleep(0.05)
        return False


def bring_forward(window: QWidget) -> None:
    window.setWindowState(
        (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
    )
    window.show()
    window.raise_()
    window.activateWindow()
