"""Glue calls the engine makes, with Glue's "not found" turned into None.

Everything goes through the emulator's own Glue API (EngineClients), never moto's internals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

GlueTable = dict[str, Any]

# Glue's BatchCreatePartition takes at most 100 partitions per call.
_PARTITION_BATCH = 100


def get_database(glue: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(glue.get_database(Name=name)["Database"])
    except glue.exceptions.EntityNotFoundException:
        return None


def get_table(glue: Any, database: str, name: str) -> GlueTable | None:
    try:
        return dict(glue.get_table(DatabaseName=database, Name=name)["Table"])
    except glue.exceptions.EntityNotFoundException:
        return None


def list_table_names(glue: Any, database: str) -> list[str]:
    names: list[str] = []
    for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
        names.extend(table["Name"] for table in page["TableList"])
    return names


def get_partitions(glue: Any, database: str, table: str) -> list[dict[str, Any]]:
    partitions: list[dict[str, Any]] = []
    for page in glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table):
        partitions.extend(page["Partitions"])
    return partitions


def is_view(table: GlueTable) -> bool:
    return table.get("TableType") == "VIRTUAL_VIEW"


def is_iceberg(table: GlueTable) -> bool:
    return str(table.get("Parameters", {}).get("table_type", "")).upper() == "ICEBERG"


def create_partitions(
    glue: Any,
    database: str,
    table: GlueTable,
    partitions: Sequence[tuple[Sequence[str], str]],
) -> None:
    """Register (values, location) partitions, sharing the table's storage settings."""
    descriptor = table.get("StorageDescriptor", {})
    inputs = [
        {
            "Values": list(values),
            "StorageDescriptor": {**_partition_storage(descriptor), "Location": location},
        }
        for values, location in partitions
    ]
    for batch in _chunks(inputs, _PARTITION_BATCH):
        response = glue.batch_create_partition(
            DatabaseName=database, TableName=table["Name"], PartitionInputList=batch
        )
        failures = [
            e for e in response.get("Errors", ()) if e["ErrorDetail"]["ErrorCode"] != "AlreadyExistsException"
        ]
        if failures:
            detail = failures[0]["ErrorDetail"]
            raise RuntimeError(f"Glue refused partition {failures[0]['PartitionValues']}: {detail}")


def _partition_storage(descriptor: dict[str, Any]) -> dict[str, Any]:
    keep = ("Columns", "InputFormat", "OutputFormat", "SerdeInfo", "Compressed", "Parameters")
    return {key: descriptor[key] for key in keep if key in descriptor}


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
