"""Compaction placeholder (filled in below)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dbt_athena_lite.emulator.persistence.journal import JournalRecord


def compact(
    records: Sequence[JournalRecord], body_of: Callable[[JournalRecord], bytes]
) -> list[JournalRecord]:
    return list(records)
