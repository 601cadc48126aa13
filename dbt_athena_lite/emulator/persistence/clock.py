"""moto's clock, pinned per thread: what the journal replays is dated as it first was.

moto stamps S3 objects (LastModified) and Glue databases, tables and partitions
(CreateTime, UpdateTime) with `utcnow()`, which its model modules import by name. We
replace that name, once, with a clock that reads a time we choose on the current thread
and the real time otherwise. A journaled request is applied with the clock pinned to the
time written in its record, and replayed with the same time, so a restart changes no date.
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# moto modules that import `utcnow` by name to date what they create.
_CLOCKED_MOTO_MODULES = ("moto.s3.models", "moto.glue.models")


class PinnedClock:
    """A drop-in for moto's `utcnow` (naive UTC datetimes)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self) -> dt.datetime:
        at: float | None = getattr(self._local, "at", None)
        moment = (
            dt.datetime.now(dt.timezone.utc) if at is None else dt.datetime.fromtimestamp(at, dt.timezone.utc)
        )
        return moment.replace(tzinfo=None)

    @contextmanager
    def pinned(self, at: float) -> Iterator[None]:
        """moto reads `at` (epoch seconds) as now, on this thread, inside the block."""
        self._local.at = at
        try:
            yield
        finally:
            self._local.at = None


_CLOCK = PinnedClock()
_install_lock = threading.Lock()
_installed_in: set[str] = set()


def moto_clock() -> PinnedClock:
    """The clock, installed in moto's S3 and Glue models on first use (importing them late
    keeps the emulator's start fast when no data dir is used)."""
    with _install_lock:
        for name in _CLOCKED_MOTO_MODULES:
            if name not in _installed_in:
                module = importlib.import_module(name)
                if hasattr(module, "utcnow"):  # a moto that drops the name just loses the dates
                    module.utcnow = _CLOCK  # type: ignore[attr-defined]  # moto imports it by name
                _installed_in.add(name)
    return _CLOCK
