"""Iceberg schemas in the emulator's terms: column types, partition transforms, table properties."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.table import Transaction
from pyiceberg.transforms import (
    BucketTransform,
    DayTransform,
    HourTransform,
    IdentityTransform,
    MonthTransform,
    Transform,
    TruncateTransform,
    YearTransform,
)
from pyiceberg.types import (
    BinaryType,
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    FixedType,
    FloatType,
    IcebergType,
    IntegerType,
    ListType,
    LongType,
    MapType,
    NestedField,
    StringType,
    StructType,
    TimestampType,
    TimestamptzType,
    TimeType,
    UUIDType,
)

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.types import SqlType, UnsupportedType, parse_type

_PRIMITIVES: dict[type[IcebergType], str] = {
    BooleanType: "boolean",
    IntegerType: "integer",
    LongType: "bigint",
    FloatType: "real",
    DoubleType: "double",
    DateType: "date",
    TimeType: "time",
    TimestampType: "timestamp",
    TimestamptzType: "timestamp with time zone",
    StringType: "varchar",
    UUIDType: "uuid",
    FixedType: "varbinary",
    BinaryType: "varbinary",
}


def athena_type_text(iceberg_type: IcebergType) -> str:
    """The Athena spelling of an Iceberg type (long -> bigint, list<x> -> array(x), ...)."""
    if isinstance(iceberg_type, DecimalType):
        return f"decimal({iceberg_type.precision},{iceberg_type.scale})"
    if isinstance(iceberg_type, ListType):
        return f"array({athena_type_text(iceberg_type.element_type)})"
    if isinstance(iceberg_type, MapType):
        return f"map({athena_type_text(iceberg_type.key_type)},{athena_type_text(iceberg_type.value_type)})"
    if isinstance(iceberg_type, StructType):
        fields = ", ".join(f"{f.name} {athena_type_text(f.field_type)}" for f in iceberg_type.fields)
        return f"row({fields})"
    return _PRIMITIVES[type(iceberg_type)]


def sql_type(iceberg_type: IcebergType) -> SqlType:
    return parse_type(athena_type_text(iceberg_type))


# Athena type -> Iceberg type for DDL; Iceberg has no tinyint/smallint/char: the nearest wider type.
_FROM_ATHENA: dict[str, IcebergType] = {
    **{
        athena: iceberg_type()
        for iceberg_type, athena in _PRIMITIVES.items()
        if iceberg_type is not FixedType
    },
    "tinyint": IntegerType(),
    "smallint": IntegerType(),
    "char": StringType(),
}


def iceberg_type(sql: SqlType, next_id: Callable[[], int]) -> IcebergType:
    """The Iceberg type of an Athena/Hive column type; nested fields numbered by `next_id`
    (pyiceberg renumbers a new table's fields, and assigns new ones in a schema update)."""
    if sql.name == "decimal":
        precision, scale = (*sql.params, 0)[:2] if sql.params else (38, 0)
        return DecimalType(precision, scale)
    if sql.name == "array":
        element = iceberg_type(sql.fields[0][1], next_id)
        return ListType(next_id(), element, element_required=False)
    if sql.name == "map":
        key, value = (iceberg_type(t, next_id) for _, t in sql.fields)
        return MapType(next_id(), key, next_id(), value, value_required=False)
    if sql.name == "row":
        return StructType(
            *(NestedField(next_id(), str(n), iceberg_type(t, next_id), required=False) for n, t in sql.fields)
        )
    if sql.name not in _FROM_ATHENA:
        raise AthenaQueryError("NOT_SUPPORTED", f"Type not supported for Iceberg: {sql.to_athena()}")
    return _FROM_ATHENA[sql.name]


@dataclass(frozen=True)
class IcebergColumn:
    field_id: int
    name: str
    type: SqlType


def table_columns(schema: Schema) -> list[IcebergColumn]:
    return [IcebergColumn(f.field_id, f.name, sql_type(f.field_type)) for f in schema.fields]


# Iceberg has no tinyint/smallint and stores timestamps in microseconds: Athena widens a CTAS
# query's columns to the nearest Iceberg type, as Trino's Iceberg connector does.
_ARROW_WIDENING = {
    pa.int8(): pa.int32(),
    pa.int16(): pa.int32(),
    pa.uint8(): pa.int32(),
    pa.uint16(): pa.int32(),
    pa.uint32(): pa.int64(),
}


def _iceberg_arrow_type(arrow_type: pa.DataType) -> pa.DataType:
    if arrow_type in _ARROW_WIDENING:
        return _ARROW_WIDENING[arrow_type]
    if pa.types.is_timestamp(arrow_type):
        return pa.timestamp("us", tz="UTC" if arrow_type.tz else None)
    if pa.types.is_string_view(arrow_type) or pa.types.is_large_string(arrow_type):
        return pa.string()
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return pa.list_(_iceberg_arrow_type(arrow_type.value_type))
    if pa.types.is_map(arrow_type):
        return pa.map_(_iceberg_arrow_type(arrow_type.key_type), _iceberg_arrow_type(arrow_type.item_type))
    if pa.types.is_struct(arrow_type):
        return pa.struct([f.with_type(_iceberg_arrow_type(f.type)) for f in arrow_type])
    if pa.types.is_null(arrow_type):
        raise AthenaQueryError("NOT_SUPPORTED", "Unsupported column type: unknown (cast NULL to a type)")
    return arrow_type


def iceberg_arrow_schema(arrow_schema: pa.Schema) -> pa.Schema:
    """The Arrow schema a query result is stored with in a new Iceberg table."""
    return pa.schema([f.with_type(_iceberg_arrow_type(f.type)) for f in arrow_schema])


# --- partition transforms -----------------------------------------------------------------------

_TRANSFORM = re.compile(
    r"^\s*(?:(?P<name>year|month|day|hour|bucket|truncate)\s*\(\s*(?:(?P<width>\d+)\s*,\s*)?"
    r"(?P<arg>[\w\"`]+)\s*\)|(?P<column>[\w\"`]+))\s*$",
    re.IGNORECASE,
)
_SIMPLE_TRANSFORMS: dict[str, Transform[Any, Any]] = {
    "year": YearTransform(),
    "month": MonthTransform(),
    "day": DayTransform(),
    "hour": HourTransform(),
}
# Partition field names as Athena (Trino) gives them: ts_day, id_bucket, s_trunc, col.
_SUFFIX = {
    "year": "year",
    "month": "month",
    "day": "day",
    "hour": "hour",
    "bucket": "bucket",
    "truncate": "trunc",
}


@dataclass(frozen=True)
class PartitionTransform:
    column: str
    transform: Transform[Any, Any]
    field_name: str


def parse_partitioning(text: str) -> PartitionTransform:
    """'day(ts)', 'bucket(16, id)', 'truncate(3, s)', 'col' -> the transform Athena means."""
    match = _TRANSFORM.match(text)
    if match is None:
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"Unable to parse partitioning value: {text}")
    if match.group("column"):
        column = match.group("column").strip('"`').lower()
        return PartitionTransform(column, IdentityTransform(), column)
    name = match.group("name").lower()
    column = match.group("arg").strip('"`').lower()
    width = match.group("width")
    transform: Transform[Any, Any]
    if name in ("bucket", "truncate"):
        if width is None:
            raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"{name} needs a width: {name}(n, column)")
        transform = BucketTransform(int(width)) if name == "bucket" else TruncateTransform(int(width))
    elif width is not None:
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"Unable to parse partitioning value: {text}")
    else:
        transform = _SIMPLE_TRANSFORMS[name]
    return PartitionTransform(column, transform, f"{column}_{_SUFFIX[name]}")


def add_partitioning(transaction: Transaction, transforms: list[PartitionTransform]) -> None:
    columns = {f.name for f in transaction.table_metadata.schema().fields}
    for item in transforms:
        if item.column not in columns:
            raise AthenaQueryError(
                "COLUMN_NOT_FOUND", f"Column '{item.column}' specified in partitioning not found in table"
            )
    if not transforms:
        return
    with transaction.update_spec() as spec:
        for item in transforms:
            spec.add_field(item.column, item.transform, item.field_name)


def glue_type_to_sql(text: str) -> SqlType:
    try:
        return parse_type(text)
    except UnsupportedType as error:
        raise AthenaQueryError("NOT_SUPPORTED", str(error)) from error


# --- table properties ---------------------------------------------------------------------------

# Athena's Iceberg table properties (CTAS WITH, TBLPROPERTIES) beyond table_type/location/partitioning.
ATHENA_ICEBERG_PROPERTIES = frozenset(
    {
        "format",
        "write_compression",
        "write_target_data_file_size_bytes",
        "optimize_rewrite_min_data_file_size_bytes",
        "optimize_rewrite_max_data_file_size_bytes",
        "optimize_rewrite_data_file_threshold",
        "optimize_rewrite_delete_file_threshold",
        "vacuum_min_snapshots_to_keep",
        "vacuum_max_snapshot_age_seconds",
        "vacuum_max_metadata_files_to_keep",
    }
)
# Athena property -> the Iceberg property the writers (pyiceberg, and VACUUM here) act on.
_ICEBERG_NAMES = {
    "write_compression": "write.parquet.compression-codec",
    "write_target_data_file_size_bytes": "write.target-file-size-bytes",
    "vacuum_min_snapshots_to_keep": "history.expire.min-snapshots-to-keep",
    "vacuum_max_metadata_files_to_keep": "write.metadata.previous-versions-max",
}
_FORMATS = frozenset({"parquet", "orc", "avro"})
_CODECS = {"none": "uncompressed", "uncompressed": "uncompressed", "gzip": "gzip", "snappy": "snappy"}
_CODECS.update({"zstd": "zstd", "lz4": "lz4", "brotli": "brotli"})


def iceberg_properties(athena: dict[str, str]) -> dict[str, str]:
    """Athena's names kept (SHOW TBLPROPERTIES shows them) plus the Iceberg ones they stand for."""
    stored = {key: value for key, value in athena.items() if key not in ("table_type", "location")}
    codec = athena.get("write_compression")
    if codec is not None and codec.lower() not in _CODECS:
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY", f"Unsupported write_compression for Iceberg PARQUET: {codec}"
        )
    for name, value in athena.items():
        if name in _ICEBERG_NAMES:
            stored[_ICEBERG_NAMES[name]] = _CODECS[value.lower()] if name == "write_compression" else value
    if "vacuum_max_snapshot_age_seconds" in athena:
        seconds = int(athena["vacuum_max_snapshot_age_seconds"])
        stored["history.expire.max-snapshot-age-ms"] = str(seconds * 1000)
    if "format" in athena:
        fmt = athena["format"].lower()
        if fmt not in _FORMATS:
            raise AthenaQueryError(
                "INVALID_TABLE_PROPERTY", f"Unsupported format for Iceberg tables: {athena['format']}"
            )
        # pyiceberg writes Parquet only: an ORC or Avro table keeps its `format` property but its
        # files are Parquet (each data file's format is in the metadata, so readers are not misled).
        stored["write.format.default"] = "parquet"
    return stored
