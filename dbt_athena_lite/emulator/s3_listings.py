"""Listings of S3 keys never overlap changes to them.

moto lists a bucket by iterating its key dictionary; a PutObject or DeleteObject on another thread
changes that dictionary mid-iteration, and moto answers 500 (a KeyError, or "dictionary changed
size during iteration"). S3 itself lists consistently. So listings run alongside each other, changes
run alongside each other, and one kind waits while the other is in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

from dbt_athena_lite.emulator.stats import ApiCall


class KeyAccess(Enum):
    LISTING = "listing"
    CHANGE = "change"


_LISTINGS = frozenset({"ListObjects", "ListObjectsV2", "ListObjectVersions"})
_CHANGES = frozenset({"PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CompleteMultipartUpload"})


def key_access(call: ApiCall | None) -> KeyAccess | None:
    """How an S3 call touches a bucket's key dictionary; None for everything else."""
    if call is None or call.service != "s3":
        return None
    if call.action in _LISTINGS:
        return KeyAccess.LISTING
    if call.action in _CHANGES:
        return KeyAccess.CHANGE
    return None


class ListingExclusion:
    """Any number of calls of one KeyAccess at a time, never both kinds at once."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._active = dict.fromkeys(KeyAccess, 0)
        self._waiting = dict.fromkeys(KeyAccess, 0)

    @contextmanager
    def hold(self, access: KeyAccess | None) -> Iterator[None]:
        if access is None:
            yield
            return
        other = KeyAccess.CHANGE if access is KeyAccess.LISTING else KeyAccess.LISTING
        with self._changed:
            self._waiting[access] += 1
            self._changed.wait_for(lambda: self._active[other] == 0)
            self._waiting[access] -= 1
            self._active[access] += 1
        try:
            yield
        finally:
            with self._changed:
                self._active[access] -= 1
                self._changed.notify_all()

    def waiting(self, access: KeyAccess) -> int:
        """Calls of this kind waiting for the other kind to finish."""
        with self._changed:
            return self._waiting[access]
