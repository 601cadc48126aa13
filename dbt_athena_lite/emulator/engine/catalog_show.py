"""Result sets of SHOW / DESCRIBE, built from Glue metadata the way Athena's Hive DDL executor prints them.

Athena returns these as UTILITY statements whose GetQueryResults has no header row. Where Hive
prints several tab-separated fields (DESCRIBE, SHOW TBLPROPERTIES) Athena declares one column per
field in the metadata but returns each row as ONE tab-joined value (uber/athenadriver documents
this and splits the value itself); the emulator keeps that quirk so clients meet it locally.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from dbt_athena_lite.emulator.engine.api import QueryResult, ResultColumn
from dbt_athena_lite.emulator.engine.catalog_glue import (
    GlueTable,
    is_iceberg,
    is_view,
    partition_key_names,
    partition_path,
    table_location,
    view_sql,
)

_HIVE_COLUMN_WIDTH = 20  # Hive's MetaDataFormatUtils pads each DESCRIBE field to 20 characters


def utility_result(column_names: Sequence[str], values: Iterable[str], substatement_type: str) -> QueryResult:
    """A headerless UTILITY result with varchar columns and one value per row."""
    return QueryResult(
        statement_type="UTILITY",
        columns=[ResultColumn(name, "varchar") for name in column_names],
        rows=[(value,) for value in values],
        has_header_row=False,
        substatement_type=substatement_type,
    )


def hive_pattern_matches(pattern: str | None, name: str) -> bool:
    """SHOW ... LIKE 'pattern': `*` (or `.*`) matches anything, `|` separates alternatives."""
    if pattern is None:
        return True
    for alternative in pattern.split("|"):
        regex = re.sub(r"(?<!\.)\*", ".*", alternative.strip())
        try:
            if re.fullmatch(regex, name, flags=re.IGNORECASE):
                return True
        except re.error:
            if alternative.strip().lower() == name.lower():
                return True
    return False


def data_columns(table: GlueTable) -> list[dict[str, Any]]:
    """The table's columns, without those an Iceberg schema change retired: Iceberg's Glue
    catalog keeps them, marked `iceberg.field.current` = false."""
    return [
        column
        for column in table.get("StorageDescriptor", {}).get("Columns", [])
        if column.get("Parameters", {}).get("iceberg.field.current", "true") != "false"
    ]


def all_columns(table: GlueTable) -> list[dict[str, Any]]:
    """Data columns then partition keys: the order Athena shows them in."""
    return data_columns(table) + list(table.get("PartitionKeys", []))


def show_columns(table: GlueTable) -> QueryResult:
    return utility_result(["field"], [column["Name"] for column in all_columns(table)], "SHOW_COLUMNS")


def show_partitions(table: GlueTable, partitions: list[dict[str, Any]]) -> QueryResult:
    keys = partition_key_names(table)
    paths = sorted(partition_path(keys, list(partition["Values"])) for partition in partitions)
    return utility_result(["partition"], paths, "SHOW_PARTITIONS")


def show_table_properties(database: str, table: GlueTable, key: str | None) -> QueryResult:
    properties: dict[str, str] = dict(table.get("Parameters", {}))
    if key is not None:
        # Hive answers a single-key request with the bare value (or a "does not have property" note).
        value = properties.get(key, f"Table {database}.{table['Name']} does not have property: {key}")
        return utility_result(["prpt_name", "prpt_value"], [value], "SHOW_TBLPROPERTIES")
    lines = [f"{name}\t{value}" for name, value in sorted(properties.items())]
    return utility_result(["prpt_name", "prpt_value"], lines, "SHOW_TBLPROPERTIES")


def _describe_line(*fields: str) -> str:
    return "\t".join(field.ljust(_HIVE_COLUMN_WIDTH) for field in fields)


def describe_table(table: GlueTable, *, formatted: bool) -> QueryResult:
    partition_keys = table.get("PartitionKeys", [])
    lines = [
        _describe_line(column["Name"], column["Type"], column.get("Comment", ""))
        for column in all_columns(table)
    ]
    if partition_keys:
        lines += ["", "# Partition Information", _describe_line("# col_name", "data_type", "comment"), ""]
        lines += [_describe_line(key["Name"], key["Type"], key.get("Comment", "")) for key in partition_keys]
    if formatted:
        lines += ["", *_detailed_table_information(table)]
    return utility_result(["col_name", "data_type", "comment"], lines, "DESCRIBE_TABLE")


def _detailed_table_information(table: GlueTable) -> list[str]:
    descriptor = table.get("StorageDescriptor", {})
    serde = descriptor.get("SerdeInfo", {})
    lines = [
        "# Detailed Table Information",
        _describe_line("Database:", table.get("DatabaseName", "")),
        _describe_line("Owner:", table.get("Owner", "hadoop")),
        _describe_line("Location:", descriptor.get("Location", "")),
        _describe_line("Table Type:", table.get("TableType", "EXTERNAL_TABLE")),
        "Table Parameters:",
    ]
    lines += [
        f"\t{name.ljust(_HIVE_COLUMN_WIDTH)}\t{value}"
        for name, value in sorted(table.get("Parameters", {}).items())
    ]
    lines += [
        "",
        "# Storage Information",
        _describe_line("SerDe Library:", serde.get("SerializationLibrary", "")),
        _describe_line("InputFormat:", descriptor.get("InputFormat", "")),
        _describe_line("OutputFormat:", descriptor.get("OutputFormat", "")),
    ]
    return lines


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _column_lines(columns: list[dict[str, Any]]) -> list[str]:
    lines = []
    for position, column in enumerate(columns):
        comment = f" COMMENT {_quote(column['Comment'])}" if column.get("Comment") else ""
        separator = ", " if position < len(columns) - 1 else ")"
        lines.append(f"  `{column['Name']}` {column['Type']}{comment}{separator}")
    return lines


def _property_lines(properties: dict[str, str]) -> list[str]:
    items = sorted(properties.items())
    return [
        f"  {_quote(key)}={_quote(value)}{', ' if index < len(items) - 1 else ')'}"
        for index, (key, value) in enumerate(items)
    ]


def show_create_table(database: str, table: GlueTable) -> QueryResult:
    """Hive's SHOW CREATE TABLE text, one line per row (column `createtab_stmt`)."""
    descriptor = table.get("StorageDescriptor", {})
    columns = data_columns(table)
    if is_iceberg(table):
        return show_create_iceberg_table(database, table, partition_key_names(table), {})
    serde = descriptor.get("SerdeInfo", {})
    lines = [f"CREATE EXTERNAL TABLE `{database}.{table['Name']}`("]
    lines += _column_lines(columns)
    if table.get("PartitionKeys"):
        lines += ["PARTITIONED BY ( ", *_column_lines(table["PartitionKeys"])]
    lines += ["ROW FORMAT SERDE ", f"  {_quote(serde.get('SerializationLibrary', ''))} "]
    if serde.get("Parameters"):
        lines += ["WITH SERDEPROPERTIES ( ", *_property_lines(serde["Parameters"])]
    lines += [
        "STORED AS INPUTFORMAT ",
        f"  {_quote(descriptor.get('InputFormat', ''))} ",
        "OUTPUTFORMAT ",
        f"  {_quote(descriptor.get('OutputFormat', ''))}",
        "LOCATION",
        f"  {_quote(table_location(table))}",
    ]
    if table.get("Parameters"):
        lines += ["TBLPROPERTIES (", *_property_lines(table["Parameters"])]
    return utility_result(["createtab_stmt"], lines, "SHOW_CREATE_TABLE")


def show_create_iceberg_table(
    database: str, table: GlueTable, partitioning: Sequence[str], properties: dict[str, str]
) -> QueryResult:
    """Athena prints Iceberg tables as Trino-style DDL: partition transforms ("day(ts)",
    "bucket(4, id)") and the Iceberg properties Athena knows, from the table's metadata."""
    lines = [f"CREATE TABLE {database}.{table['Name']} ("]
    lines += [line.replace("`", "") for line in _column_lines(data_columns(table))]
    if partitioning:
        lines.append(f"PARTITIONED BY ({', '.join(partitioning)})")
    lines += ["LOCATION " + _quote(table_location(table)), "TBLPROPERTIES ("]
    lines += _property_lines({"table_type": "iceberg", **properties})
    return utility_result(["createtab_stmt"], lines, "SHOW_CREATE_TABLE")


def show_create_view(catalog: str, database: str, table: GlueTable) -> QueryResult:
    """Trino's SHOW CREATE VIEW: Athena runs it on the SQL engine, one row with the whole text."""
    text = (
        f'CREATE VIEW "{catalog}"."{database}"."{table["Name"]}" SECURITY DEFINER AS\n{view_sql(table) or ""}'
    )
    return utility_result(["Create View"], [text], "SHOW_CREATE_VIEW")


def show_tables(tables: list[GlueTable], pattern: str | None, *, views_only: bool) -> QueryResult:
    names = sorted(
        table["Name"]
        for table in tables
        if (is_view(table) or not views_only) and hive_pattern_matches(pattern, table["Name"])
    )
    if views_only:
        return utility_result(["views"], names, "SHOW_VIEWS")
    return utility_result(["tab_name"], names, "SHOW_TABLES")


def show_databases(names: list[str], pattern: str | None) -> QueryResult:
    matching = sorted(name for name in names if hive_pattern_matches(pattern, name))
    return utility_result(["database_name"], matching, "SHOW_DATABASES")
