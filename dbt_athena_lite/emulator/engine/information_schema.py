"""Athena's `information_schema` views (schemata, tables, columns, views), built from Glue.

The SQL engine's scan resolves `information_schema.<name>` to `information_schema_table(...)` and
filters the result with DuckDB, so each table is materialised whole: one paginated GetDatabases and
one paginated GetTables per database, never a call per table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

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


def information_schema_table(
    name: str,
    context: QueryContext,
    clients: EngineClients,
    *,
    databases: Collection[str] | None = None,
) -> pa.Table:
    """The rows of `information_schema.<name>` for the query's catalog.

    `databases`, when the caller knows the query only asks about some (`WHERE table_schema = 'x'`),
    limits the Glue reads to those; the rows are the same as filtering the full table."""
    builder = _BUILDERS.get(name.lower())
    if builder is None:
        raise AthenaQueryError(
            "TABLE_NOT_FOUND",
            f"Table '{context.catalog}.{INFORMATION_SCHEMA}.{name.lower()}' does not exist "
            f"(the emulator provides {', '.join(_OWN_TABLES)})",
        )
    rows = builder(_Catalog(context.catalog, clients, databases))
    return pa.Table.from_pylist(rows, schema=_SCHEMAS[name.lower()])


Row = dict[str, object]


@dataclass(frozen=True)
class _Catalog:
    """The Glue catalog as information_schema sees it, optionally narrowed to some databases."""

    name: str
    clients: EngineClients
    only: Collection[str] | None

    def database_names(self) -> list[str]:
        names = list_database_names(self.clients.glue)
        if self.only is not None:
            wanted = {database.lower() for database in self.only}
            names = [name for name in names if name.lower() in wanted]
        return sorted(names)

    def tables_by_database(self) -> list[tuple[str, list[GlueTable]]]:
        """Each database with its tables sorted by name: one GetTables per database, concurrently."""
        databases = self.database_names()
        with ThreadPoolExecutor(max_workers=_PARALLEL_GET_TABLES) as pool:
            tables = list(pool.map(lambda database: list_tables(self.clients.glue, database), databases))
        return [
            (database, sorted(database_tables, key=lambda table: str(table["Name"])))
            for database, database_tables in zip(databases, tables, strict=True)
        ]

    def includes_own_schema(self) -> bool:
        return self.only is None or INFORMATION_SCHEMA in {database.lower() for database in self.only}


def _schemata(catalog: _Catalog) -> list[Row]:
    names = catalog.database_names() + ([INFORMATION_SCHEMA] if catalog.includes_own_schema() else [])
    return [{"catalog_name": catalog.name, "schema_name": name} for name in sorted(names)]


def _tables(catalog: _Catalog) -> list[Row]:
    own = _OWN_TABLES if catalog.includes_own_schema() else ()
    rows: list[Row] = [
        {
            "table_catalog": catalog.name,
            "table_schema": INFORMATION_SCHEMA,
            "table_name": name,
            "table_type": "VIEW",
        }
        for name in own
    ]
    for database, tables in catalog.tables_by_database():
        rows += [
            {
                "table_catalog": catalog.name,
                "table_schema": database,
                "table_name": table["Name"],
                "table_type": "VIEW" if is_view(table) else "BASE TABLE",
            }
            for table in tables
        ]
    return rows


def _columns(catalog: _Catalog) -> list[Row]:
    rows: list[Row] = []
    for database, tables in catalog.tables_by_database():
        for table in tables:
            partition_keys = {key["Name"] for key in table.get("PartitionKeys", [])}
            for position, column in enumerate(all_columns(table), start=1):
                rows.append(
                    {
                        "table_catalog": catalog.name,
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


def _views(catalog: _Catalog) -> list[Row]:
    return [
        {
            "table_catalog": catalog.name,
            "table_schema": database,
            "table_name": table["Name"],
            "view_definition": view_sql(table),
        }
        for database, tables in catalog.tables_by_database()
        for table in tables
        if is_view(table)
    ]


_BUILDERS: dict[str, Callable[[_Catalog], list[Row]]] = {
    "schemata": _schemata,
    "tables": _tables,
    "columns": _columns,
    "views": _views,
}
