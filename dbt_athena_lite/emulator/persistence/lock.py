"""One emulator per data directory: an fcntl lock held for the process's lifetime.

The lock file also holds the owner's pid, so a second emulator can say who has the
directory. The kernel drops the lock when the owner exits, even on `kill -9`, so a stale
pid file never blocks a restart. An owner that is shutting down says so in the file: a
newcomer then waits for it (a restart right after a stop) instead of refusing.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

LOCK_FILE = "emulator.pid"
_STOPPING = "stopping"
WAIT_FOR_STOPPING_OWNER_SECONDS = 60.0


class DataDirError(RuntimeError):
    """The data directory cannot be used (the message says why and names it)."""


class DataDirInUseError(DataDirError):
    """Another running emulator holds the data directory."""


class DataDirLock:
    """Hold `directory/emulator.pid` locked and write our pid into it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + WAIT_FOR_STOPPING_OWNER_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                owner = os.pread(fd, 64, 0).decode(errors="replace").split()
                if owner[1:] == [_STOPPING] and time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                os.close(fd)
                raise DataDirInUseError(
                    f"data directory {self.directory} is in use by another emulator "
                    f"(pid {owner[0] if owner else 'unknown'}); stop that emulator, point a client "
                    "at it, or choose another --data-dir"
                ) from None
        self._write(fd, str(os.getpid()))
        self._fd = fd

    @staticmethod
    def _write(fd: int, content: str) -> None:
        # Write, then cut: a newcomer reading meanwhile never sees an empty file.
        data = f"{content}\n".encode()
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
        os.fsync(fd)

    def mark_stopping(self) -> None:
        """Tell a newcomer to wait for the lock rather than refuse: we are on our way out."""
        if self._fd is not None:
            self._write(self._fd, f"{os.getpid()} {_STOPPING}")

    def release(self) -> None:
        if self._fd is not None:
            # The pid stays in the file: it is read only while someone holds the lock, and
            # the next owner overwrites it.
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
