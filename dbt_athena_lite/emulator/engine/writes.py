"""CTAS and INSERT INTO for Hive tables: files in S3, then the Glue table and partitions.

Order matters for "nothing left behind": every check that can fail (names, location, partition
count) runs before the first upload; a Glue failure after the upload removes the files again.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlglot import exp

from dbt_athena_lite.emulator.engine import catalog
from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryResult
from dbt_athena_lite.emulator.engine.catalog_glue import table_input
from dbt_athena_lite.emulator.engine.ddl import check_column_names, require_database, target_name
from dbt_athena_lite.emulator.engine.errors import not_supported, position, qualified, table_not_found
from dbt_athena_lite.emulator.engine.formats import (
    DEFAULT_FIELD_DELIMITER,
    LAZY_SIMPLE_SERDE,
    StorageFormat,
    format_of_table,
    hive_field_delimiter,
    storage_format,
    writer_codec,
)
from dbt_athena_lite.emulator.engine.layout import WriteTarget, WrittenData, write_manifest, write_rows
from dbt_athena_lite.emulator.engine.properties import CreateProperties, read_properties
from dbt_athena_lite.emulator.engine.queries import PlannedQuery, plan_query
from dbt_athena_lite.emulator.engine.scan import table_columns
from dbt_athena_lite.emulator.engine.sqltext import quote_ident
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.storage import delete_objects, has_objects
from dbt_athena_lite.emulator.engine.translate import DEFAULT_CATALOG
from dbt_athena_lite.emulator.engine.types import UnsupportedType, from_duckdb

# Athena's CTAS properties for Hive tables (format and partitioned_by arrive as their own nodes).
_HIVE_CTAS_PROPERTIES = frozenset(
    {
        "table_type",
        "external_location",
        "is_external",
        "format",
        "partitioned_by",
        "bucketed_by",
        "bucket_count",
        "write_compression",
        "parquet_compression",
        "orc_compression",
        "compression_level",
        "field_delimiter",
    }
)
# Reader kind (formats.format_of_table) -> the format INSERT writes new files in.
_INSERT_FORMATS = {"parquet": "PARQUET", "orc": "ORC", "json": "JSON", "text": "TEXTFILE", "avro": "AVRO"}


def dml_result(statement: Statement, substatement: str, rows: int) -> QueryResult:
    return QueryResult(
        statement_type="DML",
        update_count=rows,
        data_scanned_bytes=statement.translator.scanned_bytes,
        substatement_type=substatement,
    )


# --- CTAS ----------------------------------------------------------------------------------------


def create_table_as(statement: Statement) -> QueryResult:
    tree = statement.tree
    node = tree.this
    props = read_properties(tree)
    database, name = target_name(statement, node)
    require_database(statement, node, database)
    if catalog.get_table(statement.glue, database, name) is not None:
        if tree.args.get("exists"):
            return dml_result(statement, "CREATE_TABLE_AS_SELECT", 0)
        raise AthenaQueryError(
            "ALREADY_EXISTS",
            f"{position(statement.sql, node)}: Table '{qualified(DEFAULT_CATALOG, database, name)}' already exists",
        )
    if (props.text("table_type") or "HIVE").upper() == "ICEBERG":
        from dbt_athena_lite.emulator.engine import iceberg_writes  # imports this module's helpers

        return iceberg_writes.create_table_as(statement, database, name)
    _check_ctas_properties(props)
    fmt = storage_format(props.file_format or props.text("format") or "PARQUET")
    legacy_codec = props.text(f"{fmt.name.lower()}_compression")  # parquet_compression, orc_compression
    codec_name = (props.text("write_compression") or legacy_codec or fmt.default_compression).upper()
    codec = writer_codec(fmt, codec_name)
    location = props.text("external_location") or _default_location(statement)
    if has_objects(statement.s3, location):
        raise AthenaQueryError(
            "HIVE_PATH_ALREADY_EXISTS",
            f"Target directory for table '{database}.{name}' already exists: {location}. "
            "Empty that location or choose another external_location",
        )
    planned = plan_query(statement, tree.expression)
    check_column_names(planned.names)
    keys = _partition_keys(props, planned.names)
    buckets = props.names("bucketed_by")
    bucket_count = int(props.text("bucket_count") or 0)
    _check_buckets(buckets, bucket_count, planned.names)
    glue_types = [_glue_type(t) for t in planned.duck_types]
    rows_sql = planned.renamed_sql() + (" LIMIT 0" if props.with_no_data else "")
    target = WriteTarget(
        location=location,
        fmt=fmt,
        codec=codec,
        field_delimiter=props.text("field_delimiter") or DEFAULT_FIELD_DELIMITER,
        query_id=statement.context.query_id,
        data_columns=[n for n in planned.names if n not in keys],
        partition_columns=keys,
        bucket_columns=buckets,
        bucket_count=bucket_count,
    )
    statement.check_cancelled()
    written = write_rows(statement.cursor, rows_sql, target, statement.s3, statement.check_cancelled)
    table_input = _ctas_table_input(
        name, target, codec_name, dict(zip(planned.names, glue_types, strict=True))
    )
    _register(statement, database, table_input, written, create=True)
    write_manifest(statement.s3, statement.context, written.urls)
    return dml_result(statement, "CREATE_TABLE_AS_SELECT", written.rows)


def _check_ctas_properties(props: CreateProperties) -> None:
    """A misspelt property is an error in Athena, not something silently ignored."""
    for name in props.named:
        if name not in _HIVE_CTAS_PROPERTIES:
            raise AthenaQueryError(
                "INVALID_TABLE_PROPERTY",
                f"Catalog '{DEFAULT_CATALOG}' table property '{name}' does not exist "
                f"(Hive CTAS properties: {', '.join(sorted(_HIVE_CTAS_PROPERTIES))})",
            )
    if (props.text("is_external") or "true").lower() != "true":
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY", "is_external=false is only for Iceberg tables: set table_type='ICEBERG'"
        )


def _default_location(statement: Statement) -> str:
    """Athena's CTAS default: <query result location>tables/<query id>."""
    output = statement.context.output_location
    if not output:
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY",
            "No location for the new table: set external_location, or an output location on the query or workgroup",
        )
    return f"{output.rstrip('/')}/tables/{statement.context.query_id}"


def _partition_keys(props: CreateProperties, names: list[str]) -> list[str]:
    keys = props.partitioned_by or props.names("partitioned_by")
    missing = [k for k in keys if k not in names]
    if missing:
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY", f"Partition column {missing[0]} is not present in the query"
        )
    if keys and names[-len(keys) :] != keys:
        raise AthenaQueryError(
            "HIVE_COLUMN_ORDER_MISMATCH",
            "Partition keys must be the last columns in the table and in the same order as the table "
            f"properties: [{', '.join(keys)}]",
        )
    if len(keys) == len(names):
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", "Table contains only partition columns")
    return keys


def _check_buckets(buckets: list[str], bucket_count: int, names: list[str]) -> None:
    if bool(buckets) != (bucket_count > 0):
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", "bucketed_by and bucket_count must be set together")
    missing = [b for b in buckets if b not in names]
    if missing:
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY", f"Bucket column {missing[0]} is not present in the query"
        )


def _glue_type(duck_type: Any) -> str:
    try:
        return from_duckdb(duck_type).to_glue()
    except UnsupportedType as error:
        raise AthenaQueryError("NOT_SUPPORTED", str(error)) from error


def _ctas_table_input(
    name: str, target: WriteTarget, codec_name: str, types: dict[str, str]
) -> dict[str, Any]:
    fmt = target.fmt
    serde_parameters = {"serialization.format": "1"}
    if fmt.serde == LAZY_SIMPLE_SERDE:
        serde_parameters = {
            "field.delim": target.field_delimiter,
            "serialization.format": target.field_delimiter,
        }
    descriptor: dict[str, Any] = {
        "Columns": [{"Name": n, "Type": types[n]} for n in target.data_columns],
        "Location": target.location,
        "InputFormat": fmt.input_format,
        "OutputFormat": fmt.output_format,
        "Compressed": False,
        "SerdeInfo": {"SerializationLibrary": fmt.serde, "Parameters": serde_parameters},
    }
    if target.bucket_columns:
        descriptor["BucketColumns"] = list(target.bucket_columns)
        descriptor["NumberOfBuckets"] = target.bucket_count
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "EXTERNAL": "TRUE",
            "has_encrypted_data": "false",
            "classification": fmt.classification,
            fmt.compression_property: codec_name,
        },
        "PartitionKeys": [{"Name": k, "Type": types[k]} for k in target.partition_columns],
        "StorageDescriptor": descriptor,
    }


def _register(
    statement: Statement, database: str, table_input: dict[str, Any], written: WrittenData, *, create: bool
) -> None:
    """Glue table (for CTAS) and partitions; on failure the files just written are removed."""
    try:
        statement.check_cancelled()
        if create:
            statement.glue.create_table(DatabaseName=database, TableInput=table_input)
        new_partitions = [(values, location) for values, location in written.partitions]
        if new_partitions:
            catalog.create_partitions(statement.glue, database, table_input, new_partitions)
    except BaseException:
        delete_objects(statement.s3, written.urls)
        if create:
            with contextlib.suppress(statement.glue.exceptions.EntityNotFoundException):
                statement.glue.delete_table(DatabaseName=database, Name=table_input["Name"])
        raise


# --- INSERT INTO ---------------------------------------------------------------------------------


def insert_into(statement: Statement) -> QueryResult:
    tree = statement.tree
    if tree.args.get("overwrite"):
        raise AthenaQueryError(
            "SYNTAX_ERROR",
            "line 1:8: mismatched input 'OVERWRITE'. Expecting: 'INTO' (Athena has no INSERT OVERWRITE)",
        )
    target_node = tree.this
    node = target_node.this if isinstance(target_node, exp.Schema) else target_node
    database, name, table = _target_table(statement, node)
    if catalog.is_view(table):
        raise not_supported(f"Inserting into views is not supported: '{database}.{name}' is a view")
    if catalog.is_iceberg(table):
        from dbt_athena_lite.emulator.engine import iceberg_writes  # imports this module's helpers

        return iceberg_writes.insert_into(statement, database, name)
    data_columns = table_columns(table, partition_keys=False)
    keys = table_columns(table, partition_keys=True)
    columns = [*data_columns, *keys]
    targets = insert_columns(statement, target_node, [c.name for c in columns])
    planned = plan_query(statement, tree.expression)
    check_insert_arity(planned, targets, columns)
    rows_sql = insert_rows_sql(planned, targets, columns)
    fmt = _insert_format(table)
    parameters = table.get("Parameters", {}) or {}
    serde = table["StorageDescriptor"].get("SerdeInfo", {}).get("Parameters", {}) or {}
    codec = writer_codec(fmt, parameters.get(fmt.compression_property))
    existing = {
        tuple(p["Values"]): p["StorageDescriptor"]["Location"]
        for p in (catalog.get_partitions(statement.glue, database, name) if keys else [])
    }
    target = WriteTarget(
        location=table["StorageDescriptor"].get("Location") or "",
        fmt=fmt,
        codec=codec,
        field_delimiter=hive_field_delimiter(serde),
        query_id=statement.context.query_id,
        data_columns=[c.name for c in data_columns],
        partition_columns=[k.name for k in keys],
        bucket_columns=table["StorageDescriptor"].get("BucketColumns") or [],
        bucket_count=int(table["StorageDescriptor"].get("NumberOfBuckets") or 0),
        partition_locations=existing,
    )
    statement.check_cancelled()
    written = write_rows(statement.cursor, rows_sql, target, statement.s3, statement.check_cancelled)
    written.partitions = [(v, loc) for v, loc in written.partitions if v not in existing]
    _register(statement, database, table_input(table), written, create=False)
    write_manifest(statement.s3, statement.context, written.urls)
    return dml_result(statement, "INSERT", written.rows)


def _target_table(statement: Statement, node: exp.Table) -> tuple[str, str, catalog.GlueTable]:
    """(database, name, Glue table) a DML statement writes to; Athena's errors when it is missing."""
    database, name = target_name(statement, node)
    table = catalog.get_table(statement.glue, database, name)
    if table is None:
        require_database(statement, node, database)
        raise table_not_found(statement.sql, node, qualified(DEFAULT_CATALOG, database, name))
    return database, name, table


def insert_columns(statement: Statement, target_node: exp.Expression, names: list[str]) -> list[str]:
    if not isinstance(target_node, exp.Schema):
        return names
    listed = [ident.name.lower() for ident in target_node.expressions]
    for column in listed:
        if column not in names:
            raise AthenaQueryError(
                "COLUMN_NOT_FOUND",
                f"{position(statement.sql, target_node)}: Insert column name does not exist in target table: {column}",
            )
    return listed


def check_insert_arity(planned: PlannedQuery, targets: list[str], columns: list[Any]) -> None:
    """Athena's error when an INSERT's query has more or fewer columns than it writes to."""
    if len(planned.duck_types) != len(targets):
        raise AthenaQueryError(
            "TYPE_MISMATCH",
            "Insert query has mismatched column types: "
            f"Table: [{', '.join(c.type.to_athena() for c in columns if c.name in targets)}], "
            f"Query: [{', '.join(planned.athena_types())}]",
        )


def insert_rows_sql(planned: PlannedQuery, targets: list[str], columns: list[Any]) -> str:
    """Query columns by position onto the listed table columns, cast to the table's types."""
    source = {name: f"__athena_c{i}" for i, name in enumerate(targets)}
    projections = [
        f"CAST({quote_ident(source[c.name]) if c.name in source else 'NULL'} AS {c.type.to_duckdb()}) "
        f"AS {quote_ident(c.name)}"
        for c in columns
    ]
    aliases = ", ".join(quote_ident(a) for a in source.values())
    return f"SELECT {', '.join(projections)} FROM ({planned.sql}) AS __athena_insert({aliases})"


def _insert_format(table: catalog.GlueTable) -> StorageFormat:
    kind = format_of_table(table)
    if kind not in _INSERT_FORMATS:
        raise not_supported(f"INSERT INTO a {kind.upper()} table is not supported by the emulator yet")
    return storage_format(_INSERT_FORMATS[kind])


# --- UPDATE / DELETE / MERGE --------------------------------------------------------------------


def modify_rows(statement: Statement) -> QueryResult:
    """Row-level changes: Athena allows them on Iceberg tables only."""
    node = statement.tree.this
    table_node = node.find(exp.Table) if not isinstance(node, exp.Table) else node
    if table_node is None:
        raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: A target table is required")
    database, name, table = _target_table(statement, table_node)
    if catalog.is_iceberg(table):
        from dbt_athena_lite.emulator.engine import iceberg_modify  # imports this module's helpers

        return iceberg_modify.modify_rows(statement, database, name)
    raise AthenaQueryError(
        "NOT_SUPPORTED",
        "Modifying Hive table rows is only supported for transactional tables (use an Iceberg table)",
    )
