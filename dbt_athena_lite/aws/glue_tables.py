"""Glue writes behind table swaps: UpdateTable, partition entries, table versions.

Reads and the simple catalog operations live in `GlueCatalog`; this adds the calls that replace a
table's storage in place, so the table name never disappears from the catalog.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError
from dbt.adapters.events.logging import AdapterLogger

from dbt_athena_lite.aws.glue import GlueCatalog

logger = AdapterLogger("AthenaLite")

# Per-request limits of the batch APIs.
CREATE_PARTITIONS_BATCH = 100
UPDATE_PARTITIONS_BATCH = 100
DELETE_PARTITIONS_BATCH = 25
DELETE_VERSIONS_BATCH = 100

PARTITION_INPUT_FIELDS = frozenset({"Values", "StorageDescriptor", "Parameters", "LastAccessTime"})


def partition_input(raw: dict[str, Any]) -> dict[str, Any]:
    """A PartitionInput from a GetPartitions entry."""
    return {k: v for k, v in raw.items() if k in PARTITION_INPUT_FIELDS}


def chunks(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def versions_to_delete(version_ids: Sequence[str], keep: int) -> list[str]:
    """The ids beyond the newest `keep` (Glue version ids are increasing integers, as strings)."""
    ordered = sorted(version_ids, key=int, reverse=True)
    return ordered[keep:]


class GlueBatchError(RuntimeError):
    """A Glue batch call reported per-entry errors."""


class GlueTableStore(GlueCatalog):
    @classmethod
    def of(cls, catalog: GlueCatalog) -> GlueTableStore:
        """The same Glue catalog (client and catalog id) with the write operations below."""
        store = cls(catalog._glue)
        store._catalog = dict(catalog._catalog)
        return store

    def get_partitions(self, database: str, name: str) -> list[dict[str, Any]]:
        return [
            partition
            for page in self._pages("get_partitions", "Partitions", DatabaseName=database, TableName=name)
            for partition in page
        ]

    def create_partitions(self, database: str, name: str, partitions: Sequence[dict[str, Any]]) -> None:
        for batch in chunks(partitions, CREATE_PARTITIONS_BATCH):
            response = self._glue.batch_create_partition(
                DatabaseName=database, TableName=name, PartitionInputList=batch, **self._catalog
            )
            _raise_errors(response, f"create partitions of {database}.{name}")

    def update_partitions(self, database: str, name: str, partitions: Sequence[dict[str, Any]]) -> None:
        for batch in chunks(partitions, UPDATE_PARTITIONS_BATCH):
            entries = [{"PartitionValueList": p["Values"], "PartitionInput": p} for p in batch]
            response = self._glue.batch_update_partition(
                DatabaseName=database, TableName=name, Entries=entries, **self._catalog
            )
            _raise_errors(response, f"update partitions of {database}.{name}")

    def delete_partitions(self, database: str, name: str, values: Sequence[list[str]]) -> None:
        for batch in chunks(values, DELETE_PARTITIONS_BATCH):
            response = self._glue.batch_delete_partition(
                DatabaseName=database,
                TableName=name,
                PartitionsToDelete=[{"Values": v} for v in batch],
                **self._catalog,
            )
            _raise_errors(response, f"delete partitions of {database}.{name}")

    def prune_versions(self, database: str, name: str, keep: int) -> int:
        """Delete all but the newest `keep` versions of a table; returns how many were deleted."""
        ids = [
            str(v["VersionId"])
            for page in self._pages(
                "get_table_versions", "TableVersions", DatabaseName=database, TableName=name
            )
            for v in page
        ]
        doomed = versions_to_delete(ids, keep)
        for batch in chunks(doomed, DELETE_VERSIONS_BATCH):
            try:
                self._glue.batch_delete_table_version(
                    DatabaseName=database, TableName=name, VersionIds=batch, **self._catalog
                )
            except (ClientError, NotImplementedError) as error:
                # Glue-compatible catalogs (moto, LocalStack) may lack the batch call: one at a time.
                logger.debug(f"BatchDeleteTableVersion unavailable ({error}); deleting versions one by one")
                for version in batch:
                    self._glue.delete_table_version(
                        DatabaseName=database, TableName=name, VersionId=version, **self._catalog
                    )
        return len(doomed)


def _raise_errors(response: dict[str, Any], action: str) -> None:
    errors = response.get("Errors") or []
    if errors:
        sample = "; ".join(str(e.get("ErrorDetail", e)) for e in errors[:3])
        raise GlueBatchError(f"Glue could not {action}: {sample}")
