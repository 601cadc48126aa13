"""The Glue and S3 steps of an incremental run: adopting partitions, dropping the staging table.

SQL runs in the macros. A Hive insert_overwrite (and microbatch) never deletes a partition before its
replacement is readable: the staging table is written to a fresh directory inside the target's
location, the target's partition entries are pointed at the staging partitions' data (one Glue call
for the replaced ones, one for the new ones), the staging entry is removed without its data, and
only then is the replaced data deleted (noted on the target first: see pending_deletes). A reader,
or a run killed at any step, sees each partition with its old data or its new data, never without
data. Every S3 delete goes through `s3_guard`, every one checked before the first change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import pending_deletes, s3_paths, table_swap
from dbt_athena_lite.aws.glue import table_input_from
from dbt_athena_lite.aws.glue_tables import GlueTableStore
from dbt_athena_lite.aws.s3 import S3Objects
from dbt_athena_lite.s3_guard import DeleteRequest, check_delete, guarded_delete
from dbt_athena_lite.table_builds import TMP_SUFFIX, GuardScope, TablePlan

logger = AdapterLogger("AthenaLite")


class IncrementalRuns:
    def __init__(self, store: GlueTableStore, s3: S3Objects) -> None:
        self._store = store
        self._s3 = s3

    def partition_count(self, plan: TablePlan) -> int:
        return len(self._store.get_partitions(plan.schema, plan.identifier))

    def adoption_location(self, schema: str, target: str) -> str | None:
        """Where a run that replaces partitions of `schema.target` writes its staging table: the
        target's own location (a partitioned Hive table reads only its partitions' directories, so
        the staging data there is invisible until adopted). None when there is no such table yet."""
        raw = self._store.get_raw_table(schema, target)
        if raw is None or raw.get("TableType") == "VIRTUAL_VIEW" or not raw.get("PartitionKeys"):
            return None
        return table_swap.storage_location(raw)

    def adopt_partitions(self, staging: TablePlan, schema: str, target: str, scope: GuardScope) -> int:
        """Point the partitions of `schema.target` that the staging table has at the staging data
        (replacing or adding them), drop the staging entry, then delete the replaced partitions' data.
        Returns how many partitions were written."""
        table = f"{schema}.{target}"
        raw = self._store.get_raw_table(schema, target)
        staged = self._store.get_raw_table(staging.schema, staging.identifier)
        if raw is None or staged is None:
            missing = table if raw is None else staging.table
            raise DbtRuntimeError(
                f"Cannot replace partitions of {table}: {missing} is not in the Glue catalog"
            )
        _check_same_layout(table, raw, staged)
        table_location = table_swap.storage_location(raw)
        new = self._store.get_partitions(staging.schema, staging.identifier)
        current = {tuple(p["Values"]): p for p in self._store.get_partitions(schema, target)}
        replaced = [current[tuple(p["Values"])] for p in new if tuple(p["Values"]) in current]
        inputs = [_adopted_input(table, table_location, raw, p) for p in new]
        requests = [
            _partition_request(scope, table, table_location, p["Values"], table_swap.storage_location(p))
            for p in replaced
        ]
        # Data an interrupted run replaced but did not delete (its note), unless read again.
        read = [*table_swap.data_locations({}, list(current.values())), *(_location(p) for p in inputs)]
        requests += pending_deletes.leftover_requests(
            raw, read, lambda prefix: scope.request(prefix, table, prefix)
        )
        for request in requests:
            check_delete(request)
        if requests:
            self._note(schema, raw, [request.prefix for request in requests])
        updates = [p for p in inputs if tuple(p["Values"]) in current]
        creates = [p for p in inputs if tuple(p["Values"]) not in current]
        self._store.update_partitions(schema, target, updates)
        self._store.create_partitions(schema, target, creates)
        # The target reads the staging data now: only the staging entry goes, never its data.
        self._store.delete_table(staging.schema, staging.identifier)
        guarded_delete(self._s3, requests)
        if requests or pending_deletes.recorded(raw):
            self._note(schema, raw, [])
        logger.info(f"Replaced {len(replaced)} and added {len(new) - len(replaced)} partitions of {table}")
        return len(new)

    def _note(self, schema: str, raw: dict[str, Any], prefixes: Sequence[str]) -> None:
        """Write (or, with no prefixes, clear) the target's note of pending deletes."""
        parameters = pending_deletes.with_note(raw.get("Parameters"), prefixes)
        # Parameters only, not a new definition: no archived Glue version for it.
        self._store.update_table(schema, table_input_from(raw, Parameters=parameters), skip_archive=True)

    def drop_staging(self, plan: TablePlan) -> None:
        """Drop a staging table (this run's, or one an interrupted run left) and its data, except
        data a partition of the target points at (adopted before the run was interrupted)."""
        raw = self._store.get_raw_table(plan.schema, plan.identifier)
        if raw is None:
            return
        location = table_swap.storage_location(raw)
        partitions = table_swap.partitions_of(self._store, plan.schema, raw)
        adopted = self._adopted_locations(plan, location) if partitions else []
        requests = [
            plan.scope.request(prefix, plan.table, location)
            for prefix in table_swap.data_locations(raw, partitions)
            if location is not None and not s3_paths.overlaps(prefix, adopted)
        ]
        for request in requests:
            check_delete(request)
        self._store.delete_table(plan.schema, plan.identifier)
        guarded_delete(self._s3, requests)

    def _adopted_locations(self, plan: TablePlan, staging_location: str | None) -> list[str]:
        """The target's partition locations, when the staging table lies inside the target."""
        target = plan.identifier.removesuffix(TMP_SUFFIX)
        raw = self._store.get_raw_table(plan.schema, target)
        target_location = None if raw is None else table_swap.storage_location(raw)
        if staging_location is None or target_location is None:
            return []
        if not s3_paths.is_within(staging_location, target_location):
            return []
        found = (table_swap.storage_location(p) for p in self._store.get_partitions(plan.schema, target))
        return [location for location in found if location]


def _location(partition: dict[str, Any]) -> str:
    return str(partition["StorageDescriptor"]["Location"])


def _keys(raw: dict[str, Any]) -> list[str]:
    return [str(k["Name"]).lower() for k in raw.get("PartitionKeys") or []]


def _columns(raw: dict[str, Any]) -> dict[str, str]:
    columns = (raw.get("StorageDescriptor") or {}).get("Columns") or []
    return {str(c["Name"]).lower(): str(c.get("Type", "")).lower() for c in columns}


def _reads_by_name(raw: dict[str, Any]) -> bool:
    """Parquet columns are matched by name, so extra or missing columns in a file do no harm."""
    return "parquet" in str((raw.get("StorageDescriptor") or {}).get("InputFormat", "")).lower()


def _check_same_layout(table: str, target: dict[str, Any], staging: dict[str, Any]) -> None:
    """The staging data must read correctly through the target's definition, which the adopted
    partitions take: the same partition keys, and columns the target's format reads the same way."""
    if _keys(target) != _keys(staging):
        raise DbtRuntimeError(
            f"Cannot replace partitions of {table}: it is partitioned by {_keys(target)} in Glue but the "
            f"model now writes {_keys(staging)}. Run the model with --full-refresh to rebuild it"
        )
    wanted, written = _columns(target), _columns(staging)
    if list(wanted.items()) == list(written.items()):
        return
    changed = sorted(name for name in wanted.keys() & written.keys() if wanted[name] != written[name])
    if _reads_by_name(target) and not changed:
        return
    raise DbtRuntimeError(
        f"Cannot replace partitions of {table}: the model's columns ({', '.join(written)}) differ from "
        f"the table's ({', '.join(wanted)})"
        + (f", and the types of {', '.join(changed)} changed" if changed else "")
        + ". Set on_schema_change='sync_all_columns' (or 'append_new_columns'), or run with --full-refresh"
    )


def _adopted_input(
    table: str, table_location: str | None, target: dict[str, Any], staged: dict[str, Any]
) -> dict[str, Any]:
    """A PartitionInput for the target: its own storage definition, at the staging partition's data."""
    location = table_swap.storage_location(staged)
    if table_location is None or location is None or not s3_paths.is_within(location, table_location):
        raise DbtRuntimeError(
            f"Cannot replace partition {staged['Values']} of {table}: the new data at {location} is not "
            f"below the table's location {table_location}. Run the model again: the next run writes there"
        )
    descriptor = {**(target.get("StorageDescriptor") or {}), "Location": location}
    return {"Values": list(staged["Values"]), "StorageDescriptor": descriptor}


def _partition_request(
    scope: GuardScope, table: str, table_location: str | None, values: list[str], location: str | None
) -> DeleteRequest:
    """The delete of one partition's data. A partition that is not a directory below the table's
    location (registered elsewhere, or at the table's root) is refused: its data is not only its own."""
    where = f"partition {values} of {table}"
    if table_location is None or location is None:
        raise DbtRuntimeError(f"Cannot replace {where}: it has no S3 location in Glue")
    inside = s3_paths.is_within(location, table_location)
    if not inside or s3_paths.as_directory(location) == s3_paths.as_directory(table_location):
        raise DbtRuntimeError(
            f"Cannot replace {where}: its data at {location} is not a directory of its own below the "
            f"table's location {table_location}, so dbt cannot delete it without deleting other data. "
            "Move the partition below the table's location (ALTER TABLE ... PARTITION ... SET LOCATION), "
            "or rebuild the table with --full-refresh"
        )
    return scope.request(location, table, table_location)
