"""A Glue Hive table -> a DuckDB SELECT over its files, typed with the table's Glue columns.

Files are listed through the emulator's S3 API (Hive rules: hidden files skipped, recursive);
partition values come from the Glue partitions, never from folder names, exactly as Athena does.
Text formats are read as strings and cast to the declared types (unparseable values become NULL,
as with Hive's SerDes); Parquet, ORC and Avro columns are matched by name, missing ones read as NULL.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.avro import read_avro
from dbt_athena_lite.emulator.engine.catalog import GlueTable, get_partitions
from dbt_athena_lite.emulator.engine.catalog_glue import HIVE_DEFAULT_PARTITION, partition_path
from dbt_athena_lite.emulator.engine.formats import format_of_table, hive_field_delimiter
from dbt_athena_lite.emulator.engine.hive_text import COMPLEX, deserialize
from dbt_athena_lite.emulator.engine.projection import PartitionFiles, is_projected, projected_files
from dbt_athena_lite.emulator.engine.pruning import matching_partitions
from dbt_athena_lite.emulator.engine.sqltext import quote_ident, quote_string
from dbt_athena_lite.emulator.engine.storage import DataFile, folder_prefix, join_url, list_data_files
from dbt_athena_lite.emulator.engine.types import SqlType, UnsupportedType, parse_type

_FILE_COLUMN = "__athena_file"
_SIZE_COLUMN = "__athena_file_size"
# OpenCSVSerde has no NULL marker (an empty field is an empty string); DuckDB's reader needs one.
_NEVER_NULL = "<athena-lite: OpenCSVSerde has no NULL>"


@dataclass(frozen=True)
class Column:
    name: str
    type: SqlType


# Up to this many partitions, listing each is cheaper than listing the whole table location.
_LIST_EACH_UP_TO = 8
# Given the partitions' value tuples, the indexes of those to read.
PartitionChooser = Callable[[Sequence[tuple[str, ...]]], set[int]]

HIDDEN_COLUMNS = [Column("$path", SqlType("varchar")), Column("$file_size", SqlType("bigint"))]


@dataclass(frozen=True)
class TableScan:
    sql: str  # a DuckDB SELECT producing the table's columns, data columns then partition keys
    scanned_bytes: int
    column_types: dict[str, str]  # column -> Athena type, from Glue


def _scan(sql: str, scanned_bytes: int, columns: Sequence[Column]) -> TableScan:
    return TableScan(sql, scanned_bytes, {c.name: c.type.to_athena() for c in columns})


def serde_parameters(table: GlueTable) -> dict[str, str]:
    return dict(table.get("StorageDescriptor", {}).get("SerdeInfo", {}).get("Parameters") or {})


def table_columns(table: GlueTable, *, partition_keys: bool) -> list[Column]:
    key = "PartitionKeys" if partition_keys else "StorageDescriptor"
    raw = table.get(key, []) if partition_keys else table.get(key, {}).get("Columns", [])
    columns: list[Column] = []
    for column in raw:
        try:
            columns.append(Column(column["Name"].lower(), parse_type(column["Type"])))
        except UnsupportedType as error:
            raise AthenaQueryError("HIVE_INVALID_METADATA", f"Table '{table['Name']}': {error}") from error
    return columns


def scan_table(
    table: GlueTable,
    database: str,
    s3: Any,
    glue: Any,
    cursor: duckdb.DuckDBPyConnection,
    *,
    hidden_columns: bool = False,
    partition_predicate: str | None = None,
) -> TableScan:
    """`hidden_columns` adds Athena's "$path" and "$file_size" (only when a query names them, so
    that SELECT * stays as Athena has it); `partition_predicate` (DuckDB SQL over the partition
    keys, see pruning.py) leaves out the partitions it rejects."""
    data_columns = table_columns(table, partition_keys=False)
    keys = table_columns(table, partition_keys=True)
    location = table.get("StorageDescriptor", {}).get("Location") or ""
    if keys:
        key_types = [(k.name, k.type) for k in keys]

        def keep(partitions: Sequence[tuple[str, ...]]) -> set[int]:
            if partition_predicate is None:
                return set(range(len(partitions)))
            return matching_partitions(cursor, key_types, partitions, partition_predicate)

        files, values_by_file = _partitioned_files(table, database, s3, glue, keep)
    else:
        files = list_data_files(s3, location) if location else []
        values_by_file = {}
    scanned = sum(f.size for f in files)
    if not files:
        empty = [*data_columns, *keys, *(HIDDEN_COLUMNS if hidden_columns else [])]
        return _scan(_empty_select(empty), 0, empty)
    reader = _reader(table, files, cursor, s3)
    if format_of_table(table) in ("parquet", "orc", "avro", "json"):  # columns matched by name
        available = {name.lower(): name for name in cursor.sql(f"SELECT * FROM {reader} LIMIT 0").columns}
    else:
        available = {column.name: column.name for column in data_columns}
    projections = [_project(column, available, table) for column in data_columns]
    if not keys and not hidden_columns:
        return _scan(f"SELECT {', '.join(projections)} FROM {reader} AS f", scanned, data_columns)
    # Partition values (and Athena's hidden "$path" / "$file_size") come per file, joined by name.
    sizes = {f.url: f.size for f in files}
    mapping_rows = ", ".join(
        "(" + ", ".join([quote_string(url), str(sizes[url]), *(quote_string(v) for v in values)]) + ")"
        for url, values in (values_by_file or dict.fromkeys(sizes, ())).items()
    )
    projections += [
        f"TRY_CAST(NULLIF(m.{quote_ident(k.name)}, '{HIVE_DEFAULT_PARTITION}') AS {k.type.to_duckdb()}) "
        f"AS {quote_ident(k.name)}"
        for k in keys
    ]
    columns = [*data_columns, *keys]
    if hidden_columns:
        projections += [f'm.{_FILE_COLUMN} AS "$path"', f'm.{_SIZE_COLUMN} AS "$file_size"']
        columns += HIDDEN_COLUMNS
    key_names = "".join(f", {quote_ident(k.name)}" for k in keys)
    sql = (
        f"SELECT {', '.join(projections)} FROM {reader} AS f "
        f"JOIN (VALUES {mapping_rows}) AS m({_FILE_COLUMN}, {_SIZE_COLUMN}{key_names}) "
        f"ON f.{_FILE_COLUMN} = m.{_FILE_COLUMN}"
    )
    return _scan(sql, scanned, columns)


def _partitioned_files(
    table: GlueTable, database: str, s3: Any, glue: Any, keep: PartitionChooser
) -> tuple[list[DataFile], dict[str, tuple[str, ...]]]:
    """Data files of every partition `keep` chooses, and each file's partition values."""
    if is_projected(table):
        projected = projected_files(table, s3)
        chosen = keep([values for values, _ in projected])
        listed = [entry for index, entry in enumerate(projected) if index in chosen]
    else:
        listed = _glue_partition_files(table, database, s3, glue, keep)
    files: dict[str, DataFile] = {}
    values_by_file: dict[str, tuple[str, ...]] = {}
    for values, partition_files in listed:
        for data_file in partition_files:
            files[data_file.url] = data_file
            values_by_file[data_file.url] = values
    return list(files.values()), values_by_file


def _glue_partition_files(
    table: GlueTable, database: str, s3: Any, glue: Any, keep: PartitionChooser
) -> PartitionFiles:
    """Files of each chosen Glue partition. When many partitions live under the table location
    (the usual layout), one recursive listing serves them all instead of one listing each."""
    partitions = get_partitions(glue, database, table["Name"])
    table_location = table.get("StorageDescriptor", {}).get("Location") or ""
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    prefixes = [
        (
            p.get("StorageDescriptor", {}).get("Location")
            or join_url(table_location, partition_path(keys, p["Values"])),
            tuple(p["Values"]),
        )
        for p in partitions
    ]
    chosen = keep([values for _, values in prefixes])
    prefixes = [prefix for index, prefix in enumerate(prefixes) if index in chosen]
    if (
        table_location
        and len(prefixes) > _LIST_EACH_UP_TO
        and all(_under(loc, table_location) for loc, _ in prefixes)
    ):
        everything = list_data_files(s3, table_location)
        return [(values, [f for f in everything if _under(f.url, loc)]) for loc, values in prefixes]
    return [(values, list_data_files(s3, loc)) for loc, values in prefixes]


def _under(url: str, location: str) -> bool:
    bucket, prefix = folder_prefix(location)
    return url.startswith(f"s3://{bucket}/{prefix}")


def _empty_select(columns: Sequence[Column]) -> str:
    projections = ", ".join(f"CAST(NULL AS {c.type.to_duckdb()}) AS {quote_ident(c.name)}" for c in columns)
    return f"SELECT {projections} LIMIT 0"


def _project(column: Column, available: dict[str, str], table: GlueTable) -> str:
    source = available.get(column.name)
    target = column.type.to_duckdb()
    if source is None:
        return f"CAST(NULL AS {target}) AS {quote_ident(column.name)}"
    kind = format_of_table(table)
    if kind == "text" and column.type.name in COMPLEX:  # LazySimpleSerDe's collection delimiters
        return f"{deserialize(f'f.{quote_ident(source)}', column.type)} AS {quote_ident(column.name)}"
    # Text formats hold strings: a value that does not parse is NULL (Hive SerDe behaviour).
    cast = "TRY_CAST" if kind in ("text", "csv") else "CAST"
    return f"{cast}(f.{quote_ident(source)} AS {target}) AS {quote_ident(column.name)}"


def _reader(table: GlueTable, files: Sequence[DataFile], cursor: duckdb.DuckDBPyConnection, s3: Any) -> str:
    kind = format_of_table(table)
    urls = "[" + ", ".join(quote_string(f.url) for f in files) + "]"
    file_column = f"filename={quote_string(_FILE_COLUMN)}"
    if kind == "parquet":
        return f"read_parquet({urls}, union_by_name=true, {file_column})"
    if kind == "json":
        return _json_reader(table, urls, file_column, cursor)
    if kind in ("text", "csv"):
        return _csv_reader(table, urls, file_column)
    if kind in _ARROW_READERS:
        return _register_arrow(kind, files, cursor, s3)
    raise AthenaQueryError(
        "NOT_SUPPORTED",
        f"Reading {kind.upper()} tables is not supported by the emulator yet ({table['Name']})",
    )


def _json_reader(table: GlueTable, urls: str, file_column: str, cursor: duckdb.DuckDBPyConnection) -> str:
    """Hive's JSON SerDes match keys to columns case-insensitively (Glue names are lower case,
    JSON keys often are not): read the keys the files use, then each declared column by its key.
    With the SerDe's `ignore.malformed.json`, a line that is not JSON reads as a row of NULLs."""
    serde = serde_parameters(table)
    lenient = ", ignore_errors=true" if serde.get("ignore.malformed.json", "").lower() == "true" else ""
    keys = cursor.sql(
        f"SELECT DISTINCT unnest(json_keys(json)) FROM read_ndjson_objects({urls}{lenient})"
    ).fetchall()
    key_by_name: dict[str, str] = {}
    for (key,) in keys:
        key_by_name.setdefault(str(key).lower(), str(key))
    columns = {
        key_by_name[c.name]: c.type.to_duckdb()
        for c in table_columns(table, partition_keys=False)
        if c.name in key_by_name
    }
    # read_json needs at least one column; a table none of whose columns occur reads as NULLs.
    columns = columns or {"__athena_no_column": "VARCHAR"}
    return (
        f"read_json({urls}, format='newline_delimited', columns={_struct(columns)}, {file_column}{lenient})"
    )


def _csv_reader(table: GlueTable, urls: str, file_column: str) -> str:
    serde = serde_parameters(table)
    skip = int((table.get("Parameters", {}) or {}).get("skip.header.line.count", "0") or 0)
    if format_of_table(table) == "csv":  # OpenCSVSerde: quoted fields, empty strings stay strings
        options = {
            "delim": serde.get("separatorChar", ","),
            "quote": serde.get("quoteChar", '"'),
            "escape": serde.get("escapeChar", "\\"),
            "nullstr": _NEVER_NULL,
        }
    else:  # LazySimpleSerDe: no quoting, \N is NULL
        options = {
            "delim": hive_field_delimiter(serde),
            "quote": "",
            "escape": serde.get("escape.delim", ""),
            "nullstr": serde.get("serialization.null.format", "\\N"),
        }
    rendered = ", ".join(f"{name}={quote_string(value)}" for name, value in options.items())
    columns = {c.name: "VARCHAR" for c in table_columns(table, partition_keys=False)}
    return (
        f"read_csv({urls}, {rendered}, header=false, skip={skip}, columns={_struct(columns)}, "
        f"auto_detect=false, null_padding=true, strict_mode=false, {file_column})"
    )


def _read_orc(body: bytes) -> Any:
    import pyarrow.orc

    return pyarrow.orc.ORCFile(io.BytesIO(body)).read()


# Formats DuckDB cannot read: the files are read into Arrow and registered on the statement's cursor.
_ARROW_READERS: dict[str, Callable[[bytes], Any]] = {"orc": _read_orc, "avro": read_avro}


def _register_arrow(kind: str, files: Sequence[DataFile], cursor: duckdb.DuckDBPyConnection, s3: Any) -> str:
    tables = []
    for data_file in files:
        bucket, key = data_file.url.split("://", 1)[1].split("/", 1)
        arrow_table = _ARROW_READERS[kind](s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        tables.append(
            arrow_table.append_column(_FILE_COLUMN, pa.array([data_file.url] * arrow_table.num_rows))
        )
    name = f"__athena_{kind}_{len(files)}_{id(tables)}"
    cursor.register(name, pa.concat_tables(tables, promote_options="permissive"))
    return name


def _struct(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"{quote_string(name)}: {quote_string(t)}" for name, t in columns.items()) + "}"
