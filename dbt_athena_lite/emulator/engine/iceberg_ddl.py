"""Iceberg DDL: CREATE TABLE ... TBLPROPERTIES ('table_type'='ICEBERG'), DROP TABLE, ALTER TABLE.

Schema, properties and partitioning live in the Iceberg metadata, so every change goes through
pyiceberg (which rewrites the Glue entry from the new metadata); changing Glue alone would leave
readers and writers disagreeing.
"""

from __future__ import annotations

import itertools
from typing import Any

from pyiceberg.schema import Schema
from pyiceberg.transforms import BucketTransform, IdentityTransform, TruncateTransform
from pyiceberg.types import NestedField
from sqlglot import exp

from dbt_athena_lite.emulator.engine import catalog
from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryResult
from dbt_athena_lite.emulator.engine.clients import EngineClients
from dbt_athena_lite.emulator.engine.iceberg_catalog import ALREADY_EXISTS, iceberg_catalog, load_table
from dbt_athena_lite.emulator.engine.iceberg_types import (
    ATHENA_ICEBERG_PROPERTIES,
    add_partitioning,
    glue_type_to_sql,
    iceberg_properties,
    iceberg_type,
    parse_partitioning,
)
from dbt_athena_lite.emulator.engine.properties import CreateProperties
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.storage import folder_prefix

HIVE_DDL_TASK = "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask."


def _done(substatement: str) -> QueryResult:
    return QueryResult(statement_type="DDL", substatement_type=substatement)


# --- CREATE TABLE --------------------------------------------------------------------------------


def create_table(statement: Statement, database: str, name: str, props: CreateProperties) -> QueryResult:
    """CREATE TABLE t (cols) [PARTITIONED BY (day(ts), ...)] LOCATION '...' TBLPROPERTIES (...)."""
    tree = statement.tree
    if props.external:
        raise AthenaQueryError("NOT_SUPPORTED", "External keyword not supported for table type ICEBERG")
    if not props.location:
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", "LOCATION is required to create an Iceberg table")
    athena = {k: v for k, v in props.tblproperties().items() if k != "table_type"}
    for key in athena:
        if key not in ATHENA_ICEBERG_PROPERTIES:
            raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"Unsupported table property key: {key}")
    schema = _schema(tree.this)
    transforms = [parse_partitioning(text) for text in _partition_texts(tree)]
    try:
        transaction = iceberg_catalog(statement.clients).create_table_transaction(
            (database, name),
            schema=schema,
            location=props.location.rstrip("/"),
            properties=iceberg_properties(athena),
        )
        add_partitioning(transaction, transforms)
        transaction.commit_transaction()
    except ALREADY_EXISTS as error:
        if not tree.args.get("exists"):
            raise AthenaQueryError(
                "ALREADY_EXISTS",
                f"{HIVE_DDL_TASK} AlreadyExistsException(message:Table {database}.{name} already exists)",
            ) from error
    return _done("CREATE_TABLE")


def _schema(node: exp.Expression) -> Schema:
    definitions = (
        [c for c in node.expressions if isinstance(c, exp.ColumnDef)] if isinstance(node, exp.Schema) else []
    )
    if not definitions:
        raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: An Iceberg table needs at least one column")
    ids = itertools.count(1)
    fields = []
    for column in definitions:
        kind = column.args.get("kind")
        if kind is None:
            raise AthenaQueryError("SYNTAX_ERROR", f"line 1:1: Column '{column.name}' needs a type")
        field_id = next(ids)
        column_type = iceberg_type(glue_type_to_sql(kind.sql(dialect="hive")), ids.__next__)
        comment = column.find(exp.CommentColumnConstraint)
        doc = str(comment.this.this) if comment is not None else None
        fields.append(NestedField(field_id, column.name.lower(), column_type, required=False, doc=doc))
    return Schema(*fields)


def _partition_texts(tree: exp.Expression) -> list[str]:
    """PARTITIONED BY (day(ts), bucket(4, id), truncate(3, s), col) as Athena's partitioning strings."""
    properties = tree.args.get("properties")
    found = properties.find(exp.PartitionedByProperty) if properties is not None else None
    if found is None or not isinstance(found.this, exp.Schema):
        return []
    texts = []
    for item in found.this.expressions:
        column = item if isinstance(item, exp.Identifier) else item.find(exp.Column, exp.Identifier)
        name = column.name if column is not None else item.sql("athena")
        if isinstance(item, exp.Identifier | exp.Column | exp.ColumnDef):
            texts.append(item.name)
        elif isinstance(item, exp.PartitionedByBucket | exp.PartitionByTruncate):
            kind = "bucket" if isinstance(item, exp.PartitionedByBucket) else "truncate"
            texts.append(f"{kind}({item.expression.sql()}, {name})")
        else:  # Year, Month, Day, Hour (or an unknown function: parse_partitioning reports it)
            texts.append(f"{type(item).__name__.lower()}({name})")
    return texts


# --- DROP TABLE ----------------------------------------------------------------------------------


def drop_table(statement: Statement, database: str, table: catalog.GlueTable) -> QueryResult:
    """Athena deletes an Iceberg table's data with it (unlike a Hive table's)."""
    statement.glue.delete_table(DatabaseName=database, Name=table["Name"])
    location = table.get("StorageDescriptor", {}).get("Location") or ""
    if location:
        _delete_prefix(statement.s3, location)
    return _done("DROP_TABLE")


def _delete_prefix(s3: Any, location: str) -> None:
    bucket, prefix = folder_prefix(location)
    if not prefix:  # never a whole bucket: a table at a bucket's root keeps its files
        return
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", ())]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


# --- SHOW CREATE TABLE ---------------------------------------------------------------------------


def show_create_details(
    clients: EngineClients, database: str, glue_table: catalog.GlueTable
) -> tuple[list[str], dict[str, str]]:
    """SHOW CREATE TABLE's partitioning ("day(ts)", "bucket(4, id)") and Athena-named properties."""
    table = load_table(clients, database, glue_table["Name"])
    schema = table.schema()
    partitioning = []
    for spec_field in table.spec().fields:
        column = schema.find_column_name(spec_field.source_id) or str(spec_field.source_id)
        transform = spec_field.transform
        if isinstance(transform, IdentityTransform):
            partitioning.append(column)
        elif isinstance(transform, BucketTransform | TruncateTransform):
            kind = "bucket" if isinstance(transform, BucketTransform) else "truncate"
            width = transform.num_buckets if isinstance(transform, BucketTransform) else transform.width
            partitioning.append(f"{kind}({width}, {column})")
        else:
            partitioning.append(f"{transform}({column})")
    properties = {k: v for k, v in table.properties.items() if k in ATHENA_ICEBERG_PROPERTIES}
    return partitioning, properties
