"""The catalog `dbt docs generate` writes, read from Glue rather than from Athena queries.

A schema costs one GetTables call per 100 tables, where information_schema would cost an Athena
query (start, polls, result pages); and Glue holds what Athena's information_schema lacks: table
comments and owners. Column types are shown as Athena spells them (`varchar`, not Glue's `string`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from dbt_common.contracts.metadata import CatalogTable, ColumnMetadata, StatsItem, TableMetadata

from dbt_athena_lite.aws.glue import GlueCatalog, table_from_glue
from dbt_athena_lite.column import athena_type_name

if TYPE_CHECKING:
    import agate

CATALOG_COLUMNS = (
    "table_database",
    "table_schema",
    "table_name",
    "table_type",
    "table_comment",
    "table_owner",
    "column_name",
    "column_index",
    "column_type",
    "column_comment",
)

# A few selected relations are cheaper to fetch one GetTable each; past this many per schema, one
# GetTables listing (100 tables a page) costs fewer calls for schemas of ordinary size.
MAX_SINGLE_LOOKUPS = 5


# Athena marks its views with this comment; it describes nothing.
_VIEW_MARKER = "Presto View"


def table_comment(raw: Mapping[str, Any]) -> str | None:
    """The comment Athena shows (`Parameters.comment`, set by DDL), else Glue's own Description."""
    parameters = raw.get("Parameters") or {}
    comment = parameters.get("comment")
    if comment == _VIEW_MARKER and raw.get("TableType") == "VIRTUAL_VIEW":
        comment = None
    return comment or raw.get("Description") or None


def catalog_rows(catalog_name: str, raw: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """One row per column (partition keys last, as Athena lists them) of a GetTable(s) entry."""
    table = table_from_glue(raw)
    comment = table_comment(raw)
    owner = raw.get("Owner") or None
    return [
        (
            catalog_name,
            table.database,
            table.name,
            table.kind,
            comment,
            owner,
            column.name,
            index,
            athena_type_name(column.data_type),
            column.comment or None,
        )
        for index, column in enumerate(table.columns, start=1)
    ]


def catalog_entry(catalog_name: str, raw: Mapping[str, Any]) -> CatalogTable:
    """One relation's entry, as `dbt docs` shows it, from the same rows as the whole catalog."""
    rows = [dict(zip(CATALOG_COLUMNS, row, strict=True)) for row in catalog_rows(catalog_name, raw)]
    return CatalogTable(
        metadata=TableMetadata(
            type=table_from_glue(raw).kind,
            schema=raw["DatabaseName"],
            name=raw["Name"],
            database=catalog_name,
            comment=table_comment(raw),
            owner=raw.get("Owner") or None,
        ),
        columns={
            row["column_name"]: ColumnMetadata(
                type=row["column_type"],
                index=row["column_index"],
                name=row["column_name"],
                comment=row["column_comment"],
            )
            for row in rows
        },
        # What dbt records for a table without statistics (Glue keeps none Athena would report).
        stats={
            "has_stats": StatsItem(
                id="has_stats",
                label="Has Stats?",
                value=False,
                include=False,
                description="Indicates whether there are statistics for this table",
            )
        },
    )


def as_table(rows: list[tuple[Any, ...]]) -> agate.Table:
    from dbt_common.clients.agate_helper import table_from_rows

    return table_from_rows(
        rows, CATALOG_COLUMNS, text_only_columns=[c for c in CATALOG_COLUMNS if c != "column_index"]
    )


def schemas_catalog(glue: GlueCatalog, catalog_name: str, schemas: Iterable[str]) -> agate.Table:
    """Every table and view of `schemas` (a schema that does not exist contributes nothing)."""
    rows = [
        row
        for schema in sorted(schemas)
        for raw in glue.list_raw_tables(schema)
        for row in catalog_rows(catalog_name, raw)
    ]
    return as_table(rows)


def relations_catalog(
    glue: GlueCatalog, catalog_name: str, relations: Iterable[tuple[str, str]]
) -> agate.Table:
    """Only the (schema, name) pairs given; names absent from Glue are left out."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for schema, name in relations:
        wanted[schema.lower()].add(name.lower())
    rows: list[tuple[Any, ...]] = []
    for schema, names in sorted(wanted.items()):
        if len(names) > MAX_SINGLE_LOOKUPS:
            found = [raw for raw in glue.list_raw_tables(schema) if raw["Name"].lower() in names]
        else:
            found = [raw for name in sorted(names) if (raw := glue.get_raw_table(schema, name)) is not None]
        rows.extend(row for raw in found for row in catalog_rows(catalog_name, raw))
    return as_table(rows)
