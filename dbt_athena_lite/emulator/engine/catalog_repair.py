"""MSCK REPAIR TABLE: register the Hive-style `k=v/` folders under a table's location that Glue lacks.

Like Athena it only adds partitions, never removes one whose folder is gone, and ignores folders
that do not follow the table's partition keys in order.
"""

from __future__ import annotations

from typing import Any

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryCancelled, QueryContext
from dbt_athena_lite.emulator.engine.catalog_glue import (
    GlueClient,
    GlueTable,
    create_partitions,
    is_iceberg,
    join_location,
    list_partitions,
    partition_key_names,
    table_location,
    unescape_path_name,
)


def split_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix/")."""
    if not url.startswith(("s3://", "s3a://", "s3n://")):
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"Table location {url!r} is not an s3:// URL")
    bucket, _, key = url.split("://", 1)[1].partition("/")
    return bucket, (key.rstrip("/") + "/") if key else ""


def partition_folders(keys: list[str], relative_paths: list[str]) -> dict[tuple[str, ...], str]:
    """Map partition values to their folder (relative to the table) for every object path that
    starts with `k1=v1/k2=v2/` in the table's key order."""
    found: dict[tuple[str, ...], str] = {}
    for path in relative_paths:
        segments = path.split("/")
        if len(segments) <= len(keys):  # the object must sit inside the deepest partition folder
            continue
        values: list[str] = []
        for key, segment in zip(keys, segments, strict=False):
            name, separator, value = segment.partition("=")
            if not separator or unescape_path_name(name).lower() != key.lower():
                break
            values.append(unescape_path_name(value))
        if len(values) == len(keys):
            found.setdefault(tuple(values), "/".join(segments[: len(keys)]))
    return found


def repair_table(
    glue: GlueClient, s3: Any, database: str, table: GlueTable, context: QueryContext
) -> list[tuple[str, ...]]:
    """Add the missing partitions; return the values of those added (sorted). Listing a big table
    takes a while, so a StopQueryExecution is honoured between pages."""
    keys = partition_key_names(table)
    if not keys or is_iceberg(table):
        return []  # Athena accepts MSCK on unpartitioned tables and does nothing
    location = table_location(table)
    bucket, prefix = split_s3_url(location)
    relative_paths: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        if context.cancelled.is_set():
            raise QueryCancelled(context.query_id)
        relative_paths.extend(item["Key"][len(prefix) :] for item in page.get("Contents", []))
    folders = partition_folders(keys, relative_paths)
    existing = {tuple(partition["Values"]) for partition in list_partitions(glue, database, table["Name"])}
    missing = sorted(values for values in folders if values not in existing)
    create_partitions(
        glue, database, table, [(values, join_location(location, folders[values])) for values in missing]
    )
    return missing
