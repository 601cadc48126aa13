"""Deletes a run records in Glue before it makes data unread, so that a run killed before deleting
it leaves a note the next run acts on, instead of orphaned S3 data nobody knows about.

A table swap writes the old data's prefixes into the target's Parameters in the same UpdateTable
that stops the table reading them; a partition adoption writes them just before it repoints the
partitions. Once deleted, the note is cleared. A later run that finds a note deletes the prefixes
(through the S3 guard) with the table's other old data, except any the table reads again by then
(a fixed location a rebuild moved back to).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dbt.adapters.events.logging import AdapterLogger

from dbt_athena_lite import s3_paths
from dbt_athena_lite.s3_guard import DeleteRequest, S3DeleteRefused, check_delete

logger = AdapterLogger("AthenaLite")

PARAMETER = "dbt_athena_lite.pending_deletes"


def recorded(raw: Mapping[str, Any]) -> list[str]:
    """The prefixes a table's note names (none when it has no note, or one dbt did not write)."""
    text = (raw.get("Parameters") or {}).get(PARAMETER)
    try:
        found = json.loads(text) if text else []
    except ValueError:
        return []
    return [prefix for prefix in found if _is_s3_path(prefix)] if isinstance(found, list) else []


def _is_s3_path(value: Any) -> bool:
    try:
        return isinstance(value, str) and bool(s3_paths.parse_s3_path(value))
    except s3_paths.InvalidS3Path:
        return False


def with_note(parameters: Mapping[str, str] | None, prefixes: Sequence[str]) -> dict[str, str]:
    """Table Parameters with the note set to `prefixes` (removed when there are none)."""
    updated = {k: v for k, v in (parameters or {}).items() if k != PARAMETER}
    if prefixes:
        updated[PARAMETER] = json.dumps(sorted(set(prefixes)))
    return updated


def leftovers(raw: Mapping[str, Any], read: Sequence[str]) -> list[str]:
    """The noted prefixes that overlap nothing the table reads now (`read`: its data locations)."""
    return [prefix for prefix in recorded(raw) if not s3_paths.overlaps(prefix, read)]


def leftover_requests(
    raw: Mapping[str, Any], read: Sequence[str], request: Callable[[str], DeleteRequest]
) -> list[DeleteRequest]:
    """The deletes of the leftovers the guard allows (`request` makes one for a prefix). One it
    refuses now (the model's config changed since) is kept and named: a note never fails a run."""
    allowed: list[DeleteRequest] = []
    for prefix in leftovers(raw, read):
        try:
            check_delete(request(prefix))
        except S3DeleteRefused as error:
            logger.warning(f"Kept {prefix}, which an interrupted run was to delete: {error}")
        else:
            allowed.append(request(prefix))
    return allowed
