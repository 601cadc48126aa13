"""Athena's `information_schema` views (schemata, tables, columns, views), built from Glue.

The SQL engine's scan resolves `information_schema.<name>` to `information_schema_table(...)` and
filters the result with DuckDB, so each table is materialised whole: one paginated GetDatabases and
one paginated GetTables per database, never a call per table.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryContext
from dbt_athena_lite.emulator.engine.catalog_glue import (
    GlueTable,
    is_view,
    list_database_names,
    list_tables,
    view_sql,
)
from dbt_athena_lite.emulator.engine.catalog_show import all_columns
from dbt_athena_lite.emulator.engine.clients import EngineClients
from dbt_athena_lite.emulator.engine.types import UnsupportedType, parse_type

INFORMATION_SCHEMA = "information_schema"
_PARALLEL_GET_TABLES = 8  # the Glue client pool holds 32 connections; leave room for other queries

_SCHEMAS: dict[str, pa.Schema] = {
    "schemata": pa.schema([("catalog_name", pa.string()), ("schema_name", pa.string())]),
    "tables": pa.schema(
        [
            ("table_catalog", pa.string()),
            ("table_schema", pa.string()),
            ("table_name", pa.string()),
            ("table_type", pa.string()),
        ]
    ),
    "columns": pa.schema(
        [
            ("table_catalog", pa.string()),
            ("table_schema", pa.string()),
            ("table_name", pa.string()),
            ("column_name", pa.string()),
            ("ordinal_position", pa.int64()),
            ("column_default", pa.string()),
            ("is_nullable", pa.string()),
            ("data_type", pa.string()),
            ("comment", pa.string()),
            ("extra_info", pa.string()),
        ]
    ),
    "views": pa.schema(
        [
            ("table_catalog", pa.string()),
            ("table_schema", pa.string()),
            ("table_name", pa.string()),
            ("view_definition", pa.string()),
        ]
    ),
}
# The views information_schema itself lists, as Athena does.
_OWN_TABLES = tuple(_SCHEMAS)


def information_schema_names() -> tuple[str, ...]:
    return _OWN_TABLES


def information_schema_table(name: str, context: QueryContext, clients: EngineClients) -> pa.Table:
    """The rows of `information_schema.<name>` for the query's catalog."""
    builder = _BUILDERS.get(name.lower())
    if builder is None:
        raise AthenaQueryError(
            "TABLE_NOT_FOUND",
            f"Table '{context.catalog}.{INFORMATION_SCHEMA}.{name.lower()}' does not exist "
            f"(the emulator provides {', '.join(_OWN_TABLES)})",
        )
    rows = builder(context.catalog, clients)
    return pa.Table.from_pylist(rows, schema=_SCHEMAS[name.lower()])


Row = dict[str, object]


def _schemata(catalog: str, clients: EngineClients) -> list[Row]:
    names = sorted({*list_database_names(clients.glue), INFORMATION_SCHEMA})
    return [{"catalog_name": catalog, "schema_name": name} for name in names]


def _tables_by_database(clients: EngineClients) -> list[tuple[str, list[GlueTable]]]:
    """Every database with its tables, fetching databases concurrently (one GetTables each)."""
    databases = sorted(list_database_names(clients.glue))
    with ThreadPoolExecutor(max_workers=_PARALLEL_GET_TABLES) as pool:
        tables = list(pool.map(lambda database: list_tables(clients.glue, database), databases))
    return list(zip(databases, tables, strict=True))


def _tables(catalog: str, clients: EngineClients) -> list[Row]:
    rows: list[Row] = [
        {
            "table_catalog": catalog,
            "table_schema": INFORMATION_SCHEMA,
            "table_name": name,
            "table_type": "VIEW",
        }
        for name in _OWN_TABLES
    ]
    for database, tables in _tables_by_database(clients):
        rows += [
            {
                "table_catalog": catalog,
                "table_schema": database,
                "table_name": table["Name"],
                "table_type": "VIEW" if is_view(table) else "BASE TABLE",
            }
            for table in sorted(tables, key=lambda table: str(table["Name"]))
        ]
    return rows


def _columns(catalog: str, clients: EngineClients) -> list[Row]:
    rows: list[Row] = []
    for database, tables in _tables_by_database(clients):
        for table in sorted(tables, key=lambda table: str(table["Name"])):
            partition_keys = {key["Name"] for key in table.get("PartitionKeys", [])}
            for position, column in enumerate(all_columns(table), start=1):
                rows.append(
                    {
                        "table_catalog": catalog,
                        "table_schema": database,
                        "table_name": table["Name"],
                        "column_name": column["Name"],
                        "ordinal_position": position,
                        "column_default": None,
                        "is_nullable": "YES",
                        "data_type": _athena_type(column["Type"]),
                        "comment": column.get("Comment"),
                        "extra_info": "partition key" if column["Name"] in partition_keys else None,
                    }
                )
    return rows


def _athena_type(glue_type: str) -> str:
    """Glue's Hive spelling as Athena's information_schema prints it; unknown names pass through."""
    try:
        return parse_type(glue_type).to_athena()
    except UnsupportedType:
        return glue_type.lower()


def _views(catalog: str, clients: EngineClients) -> list[Row]:
    return [
        {
            "table_catalog": catalog,
            "table_schema": database,
            "table_name": table["Name"],
            "view_definition": view_sql(table),
        }
        for database, tables in _tables_by_database(clients)
        for table in sorted(tables, key=lambda table: str(table["Name"]))
        if is_view(table)
    ]


_BUILDERS: dict[str, Callable[[str, EngineClients], list[Row]]] = {
    "schemata": _schemata,
    "tables": _tables,
    "columns": _columns,
    "views": _views,
}
