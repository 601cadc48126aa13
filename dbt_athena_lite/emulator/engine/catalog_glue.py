"""Glue look-ups and conversions shared by the catalog statements and information_schema.

Everything goes through the engine's boto3 Glue client; Glue's "not found" errors become the
AthenaQueryError a user would see from Athena.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryContext
from dbt_athena_lite.emulator.engine.catalog import GlueTable, create_partitions, is_iceberg, is_view
from dbt_athena_lite.emulator.engine.catalog import get_partitions as list_partitions

GlueClient = Any

__all__ = ["GlueTable", "create_partitions", "is_iceberg", "is_view", "list_partitions"]

# GetTable returns read-only fields that CreateTable/UpdateTable reject; these are the writable ones.
_TABLE_INPUT_KEYS = (
    "Name",
    "Description",
    "Owner",
    "LastAccessTime",
    "LastAnalyzedTime",
    "Retention",
    "StorageDescriptor",
    "PartitionKeys",
    "ViewOriginalText",
    "ViewExpandedText",
    "TableType",
    "Parameters",
    "TargetTable",
)
_PARTITION_INPUT_KEYS = ("Values", "LastAccessTime", "StorageDescriptor", "Parameters", "LastAnalyzedTime")
BATCH_PARTITION_LIMIT = 100  # BatchCreatePartition / BatchDeletePartition take at most 100 entries
HIVE_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
_PRESTO_VIEW = re.compile(r"/\*\s*Presto View:\s*([A-Za-z0-9+/=\s]+?)\s*\*/", re.DOTALL)
# Characters Hive's FileUtils.escapePathName writes as %XX in partition folder names.
_HIVE_ESCAPED_CHARS = frozenset("\"#%'*/:=?\\\x7f{[]^") | frozenset(chr(code) for code in range(1, 32))


def database_name(qualifier: str | None, context: QueryContext) -> str:
    """The database a statement means: the one it names, else the query's, else Athena's default."""
    return qualifier or context.database or "default"


def is_not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "EntityNotFoundException"


# Athena runs these statements through its Hive DDL executor, so failures carry Hive's wording.
def table_not_found(database: str, name: str) -> AthenaQueryError:
    return AthenaQueryError(
        "TABLE_NOT_FOUND", f"FAILED: SemanticException [Error 10001]: Table not found {database}.{name}"
    )


def database_not_found(database: str) -> AthenaQueryError:
    return AthenaQueryError(
        "SCHEMA_NOT_FOUND", f"FAILED: SemanticException [Error 10072]: Database does not exist: {database}"
    )


def get_table(glue: GlueClient, database: str, name: str) -> GlueTable:
    try:
        table: GlueTable = glue.get_table(DatabaseName=database, Name=name)["Table"]
    except ClientError as error:
        if not is_not_found(error):
            raise
        require_database(glue, database)
        raise table_not_found(database, name) from error
    return table


def require_database(glue: GlueClient, database: str) -> None:
    try:
        glue.get_database(Name=database)
    except ClientError as error:
        if is_not_found(error):
            raise database_not_found(database) from error
        raise


def list_database_names(glue: GlueClient) -> list[str]:
    names: list[str] = []
    for page in glue.get_paginator("get_databases").paginate():
        names.extend(database["Name"] for database in page["DatabaseList"])
    return names


def list_tables(glue: GlueClient, database: str) -> list[GlueTable]:
    """All tables of one database, with their columns: one paginated GetTables call."""
    tables: list[GlueTable] = []
    try:
        for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
            tables.extend(page["TableList"])
    except ClientError as error:
        if is_not_found(error):
            raise database_not_found(database) from error
        raise
    return tables


def table_input(table: GlueTable, **overrides: Any) -> dict[str, Any]:
    """A CreateTable/UpdateTable TableInput equal to `table`, with `overrides` applied."""
    result = {key: table[key] for key in _TABLE_INPUT_KEYS if key in table}
    result.update(overrides)
    return result


def partition_input(partition: dict[str, Any]) -> dict[str, Any]:
    return {key: partition[key] for key in _PARTITION_INPUT_KEYS if key in partition}


def batched(items: list[Any], size: int = BATCH_PARTITION_LIMIT) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def table_location(table: GlueTable) -> str:
    return str(table.get("StorageDescriptor", {}).get("Location", ""))


def partition_key_names(table: GlueTable) -> list[str]:
    return [key["Name"] for key in table.get("PartitionKeys", [])]


def escape_path_name(value: str) -> str:
    """Hive's FileUtils.escapePathName: how a partition key or value is spelled in its folder."""
    if value == "":
        return HIVE_DEFAULT_PARTITION
    return "".join(f"%{ord(char):02X}" if char in _HIVE_ESCAPED_CHARS else char for char in value)


def unescape_path_name(text: str) -> str:
    return unquote(text)


def partition_path(keys: list[str], values: list[str]) -> str:
    """`k1=v1/k2=v2`, as SHOW PARTITIONS prints it and as partition folders are named."""
    return "/".join(
        f"{escape_path_name(key)}={escape_path_name(value)}" for key, value in zip(keys, values, strict=True)
    )


def join_location(base: str, relative: str) -> str:
    return f"{base.rstrip('/')}/{relative}"


def view_sql(table: GlueTable) -> str | None:
    """The SQL a view was created with, from Athena's `/* Presto View: <base64 json> */` text."""
    text = str(table.get("ViewOriginalText") or "")
    match = _PRESTO_VIEW.fullmatch(text.strip())
    if match is None:
        return text or None
    try:
        document = json.loads(base64.b64decode(match.group(1)))
    except (ValueError, binascii.Error):
        return None
    original = document.get("originalSql") if isinstance(document, dict) else None
    return str(original) if original is not None else None
