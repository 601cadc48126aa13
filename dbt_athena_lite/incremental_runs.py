"""The Glue and S3 steps of an incremental run: replacing partitions, dropping the staging table.

SQL runs in the macros; this removes what an insert_overwrite replaces and what a run leaves behind.
Every S3 delete goes through `s3_guard`, every one checked before the first one runs.
"""

from __future__ import annotations

from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import s3_paths, table_swap
from dbt_athena_lite.aws.glue_tables import GlueTableStore
from dbt_athena_lite.aws.s3 import S3Objects
from dbt_athena_lite.incremental import partition_values_to_replace
from dbt_athena_lite.s3_guard import DeleteRequest, check_delete, guarded_delete
from dbt_athena_lite.table_builds import GuardScope, TablePlan

logger = AdapterLogger("AthenaLite")


class IncrementalRuns:
    def __init__(self, store: GlueTableStore, s3: S3Objects) -> None:
        self._store = store
        self._s3 = s3

    def partition_count(self, plan: TablePlan) -> int:
        return len(self._store.get_partitions(plan.schema, plan.identifier))

    def replace_partitions(self, staging: TablePlan, schema: str, target: str, scope: GuardScope) -> int:
        """Remove the partitions of `schema.target` that the staging table has new rows for: their
        data (through the S3 guard), then their Glue entries. Returns how many were removed.

        Data goes first: an entry removed while its data stayed would let the INSERT recreate the
        partition at the same prefix and read the old files again."""
        raw = self._store.get_raw_table(schema, target)
        if raw is None:
            raise DbtRuntimeError(
                f"Cannot replace partitions of {schema}.{target}: it is not in the Glue catalog"
            )
        table_location = table_swap.storage_location(raw)
        current = self._store.get_partitions(schema, target)
        doomed = partition_values_to_replace(
            self._store.get_partitions(staging.schema, staging.identifier), current
        )
        if not doomed:
            return 0
        locations = {tuple(p["Values"]): table_swap.storage_location(p) for p in current}
        requests = [
            _partition_request(scope, f"{schema}.{target}", table_location, values, locations[tuple(values)])
            for values in doomed
        ]
        for request in requests:
            check_delete(request)
        guarded_delete(self._s3, requests)
        self._store.delete_partitions(schema, target, doomed)
        logger.info(f"Replacing {len(doomed)} partitions of {schema}.{target}")
        return len(doomed)

    def drop_staging(self, plan: TablePlan) -> None:
        """Drop a staging table (this run's, or one an interrupted run left) and its data."""
        raw = self._store.get_raw_table(plan.schema, plan.identifier)
        if raw is None:
            return
        location = table_swap.storage_location(raw)
        partitions = self._store.get_partitions(plan.schema, plan.identifier)
        requests = [
            plan.scope.request(prefix, f"{plan.schema}.{plan.identifier}", location)
            for prefix in table_swap.data_locations(raw, partitions)
            if location is not None
        ]
        for request in requests:
            check_delete(request)
        self._store.delete_table(plan.schema, plan.identifier)
        guarded_delete(self._s3, requests)


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
