"""Replacing a table's storage in the Glue catalog without the table ever going missing.

A rebuilt table is first created under a temporary name (`<name>__dbt_tmp`) at a fresh location.
`swap_storage` then points the target's Glue entry at the new storage with one UpdateTable (for Hive
and Iceberg alike: an Iceberg table in Glue is a pointer to its `metadata_location`, so moving the
pointer is atomic, where a rename swap would leave a moment with no target), brings the partition
entries in line, and removes the temporary entry. The old data is deleted afterwards, by the caller,
through the S3 guard (noted on the target by the same UpdateTable, so that a run killed before the
delete leaves a note for the next one: see pending_deletes): readers see the old table or the new
one, never neither.

Fixed locations (`s3_data_naming` 'table' / 'schema_table', `external_location`) cannot hold the new
data beside the old, so `table_builds` runs: swap to the temporary location (readable), empty the
fixed location, copy the data there, `relocate` the target back to it (readable), delete the
temporary copy. A crash at any step leaves the target pointing at complete data: either location
holds a full copy whenever the table points at it.

Partitions: when the partition keys are unchanged, new partitions are created and changed ones
updated before the table entry moves, and the ones that no longer exist are removed after it, so no
partition is ever missing. When the keys change, the old entries cannot describe the new table:
they are removed after the table entry moves, and a reader may briefly see the new table with only
some of its partitions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dbt_athena_lite import pending_deletes, s3_paths
from dbt_athena_lite.aws.glue import table_input_from
from dbt_athena_lite.aws.glue_tables import GlueTableStore, partition_input


@dataclass(frozen=True)
class PartitionChanges:
    create: list[dict[str, Any]]
    update: list[dict[str, Any]]
    delete: list[list[str]]


def partition_changes(
    current: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], *, same_keys: bool
) -> PartitionChanges:
    """Which partition entries to create, update and delete so `current` becomes `new`."""
    if not same_keys:
        return PartitionChanges(
            create=[partition_input(p) for p in new], update=[], delete=[list(p["Values"]) for p in current]
        )
    existing = {tuple(p["Values"]) for p in current}
    wanted = {tuple(p["Values"]) for p in new}
    return PartitionChanges(
        create=[partition_input(p) for p in new if tuple(p["Values"]) not in existing],
        update=[partition_input(p) for p in new if tuple(p["Values"]) in existing],
        delete=[list(p["Values"]) for p in current if tuple(p["Values"]) not in wanted],
    )


def storage_location(raw: dict[str, Any]) -> str | None:
    location = (raw.get("StorageDescriptor") or {}).get("Location")
    return str(location) if location else None


def data_locations(raw_table: dict[str, Any], partitions: Sequence[dict[str, Any]]) -> list[str]:
    """Every S3 prefix a table reads: its location and its partitions' locations."""
    found = [storage_location(raw_table)] + [storage_location(p) for p in partitions]
    return list(dict.fromkeys(location for location in found if location))


def rebase(location: str, old_root: str, new_root: str) -> str:
    """`location` moved from below `old_root` to the same place below `new_root`."""
    if not s3_paths.is_within(location, old_root):
        raise ValueError(f"{location} is not within {old_root}; it cannot be moved with the table")
    old_dir = s3_paths.as_directory(old_root)
    relative = s3_paths.as_directory(location)[len(old_dir) :]
    return s3_paths.join(new_root, relative.rstrip("/"))


def with_location(entry: dict[str, Any], old_root: str, new_root: str) -> dict[str, Any]:
    """A copy of a table or partition input whose StorageDescriptor.Location is rebased."""
    descriptor = dict(entry.get("StorageDescriptor") or {})
    location = descriptor.get("Location")
    if location:
        descriptor["Location"] = rebase(location, old_root, new_root)
    return {**entry, "StorageDescriptor": descriptor}


def _keys(raw: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k["Name"], k.get("Type", "")) for k in raw.get("PartitionKeys") or []]


def partitions_of(store: GlueTableStore, database: str, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's Glue partitions; none to ask Glue for when it has no partition keys (Iceberg
    tables and unpartitioned Hive tables)."""
    if not raw.get("PartitionKeys"):
        return []
    return store.get_partitions(database, raw["Name"])


@dataclass(frozen=True)
class StoredTable:
    """A table's Glue entry and its partitions, as read at one moment."""

    raw: dict[str, Any]
    partitions: list[dict[str, Any]]


def read_stored(store: GlueTableStore, database: str, name: str) -> StoredTable | None:
    raw = store.get_raw_table(database, name)
    return None if raw is None else StoredTable(raw, partitions_of(store, database, raw))


def swap_storage(
    store: GlueTableStore,
    database: str,
    target: str,
    source: str,
    *,
    pending: Sequence[str] = (),
    current: StoredTable | None = None,
) -> list[str]:
    """Point `target` at `source`'s storage, schema and partitions, then remove the `source` entry.
    `pending`: the deletes the caller will run, noted on the target in the same update that makes
    them unread (pending_deletes), so that a run killed before them leaves a note, not orphans.
    `current` is the target as the caller just read it (read here if not given); a change since then
    makes Glue refuse the UpdateTable (its VersionId).

    Returns the data locations `target` read before the swap (for the caller to delete).
    """
    before = current or read_stored(store, database, target)
    built = read_stored(store, database, source)
    if before is None or built is None:
        missing = target if before is None else source
        raise LookupError(f"Cannot swap {database}.{target}: {database}.{missing} is not in the Glue catalog")
    (old, old_partitions), (new, new_partitions) = (
        (before.raw, before.partitions),
        (built.raw, built.partitions),
    )
    same_keys = _keys(old) == _keys(new)
    changes = partition_changes(old_partitions, new_partitions, same_keys=same_keys)
    # Refused if another run swapped the target since it was read: its data would be orphaned.
    version = old.get("VersionId")
    swapped = table_input_from(
        new, Name=target, Parameters=pending_deletes.with_note(new.get("Parameters"), pending)
    )
    if same_keys:
        store.create_partitions(database, target, changes.create)
        store.update_partitions(database, target, changes.update)
        store.update_table(database, swapped, version_id=version)
        store.delete_partitions(database, target, changes.delete)
    else:
        store.update_table(database, swapped, version_id=version)
        store.delete_partitions(database, target, changes.delete)
        store.create_partitions(database, target, changes.create)
    store.delete_table(database, source)
    return data_locations(old, old_partitions)


def relocate(store: GlueTableStore, database: str, table: str, old_root: str, new_root: str) -> None:
    """Point a table and its partitions from below `old_root` to the same places below `new_root`
    (after the data was copied there)."""
    raw = store.get_raw_table(database, table)
    if raw is None:
        raise LookupError(f"{database}.{table} is not in the Glue catalog")
    partitions = [
        with_location(partition_input(p), old_root, new_root) for p in partitions_of(store, database, raw)
    ]
    store.update_partitions(database, table, partitions)
    store.update_table(
        database, with_location(table_input_from(raw), old_root, new_root), version_id=raw.get("VersionId")
    )
