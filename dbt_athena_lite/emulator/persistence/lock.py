"""One emulator per data directory: an fcntl lock held for the process's lifetime.

The lock file also holds the owner's pid, so a second emulator can say who has the
directory. The kernel drops the lock when the owner exits, even on `kill -9`, so a stale
pid file never blocks a restart.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_FILE = "emulator.pid"


class DataDirInUseError(RuntimeError):
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
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise DataDirInUseError(
                f"data directory {self.directory} is in use by another emulator (pid {owner}); "
                "stop that emulator, point a client at it, or choose another --data-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # no pid left behind once we are gone
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
