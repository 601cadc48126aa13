"""Hive storage formats: how Athena registers each in Glue and how the emulator writes its files.

One table row per format (PyAthena style: lookup tables, not if-chains). Reading is in scan.py;
it recognises a table's format from its SerDe / InputFormat with `format_of_table`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.avro import write_avro
from dbt_athena_lite.emulator.engine.catalog import GlueTable
from dbt_athena_lite.emulator.engine.hive_text import COMPLEX, serialize
from dbt_athena_lite.emulator.engine.sqltext import quote_ident, quote_string
from dbt_athena_lite.emulator.engine.types import SqlType, UnsupportedType, parse_type

_TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
_TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
# Athena's CTAS default for TEXTFILE: Hive's Ctrl-A.
DEFAULT_FIELD_DELIMITER = "\x01"


@dataclass(frozen=True)
class StorageFormat:
    name: str  # Athena's `format` table property value
    classification: str  # Glue's "classification" parameter
    serde: str
    input_format: str
    output_format: str
    extension: str
    default_compression: str
    compression_property: str  # table parameter that records the codec
    # Athena codec name -> writer codec name (DuckDB COPY / pyarrow)
    codecs: dict[str, str] = field(default_factory=dict)


_TEXT_CODECS = {"GZIP": "gzip", "ZSTD": "zstd", "NONE": "none", "UNCOMPRESSED": "none"}
FORMATS: dict[str, StorageFormat] = {
    "PARQUET": StorageFormat(
        "PARQUET",
        "parquet",
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        ".parquet",
        "GZIP",  # Athena's documented default for Hive Parquet writes
        "parquet.compression",
        {
            "SNAPPY": "snappy",
            "GZIP": "gzip",
            "ZSTD": "zstd",
            "NONE": "uncompressed",
            "UNCOMPRESSED": "uncompressed",
        },
    ),
    "ORC": StorageFormat(
        "ORC",
        "orc",
        "org.apache.hadoop.hive.ql.io.orc.OrcSerde",
        "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat",
        "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat",
        ".orc",
        "ZLIB",
        "orc.compress",
        {"ZLIB": "zlib", "SNAPPY": "snappy", "ZSTD": "zstd", "LZ4": "lz4", "NONE": "uncompressed"},
    ),
    "JSON": StorageFormat(
        "JSON",
        "json",
        "org.apache.hive.hcatalog.data.JsonSerDe",
        _TEXT_INPUT,
        _TEXT_OUTPUT,
        ".json",
        "GZIP",
        "write.compression",
        _TEXT_CODECS,
    ),
    "TEXTFILE": StorageFormat(
        "TEXTFILE",
        "csv",
        LAZY_SIMPLE_SERDE,
        _TEXT_INPUT,
        _TEXT_OUTPUT,
        ".txt",
        "GZIP",
        "write.compression",
        _TEXT_CODECS,
    ),
    "AVRO": StorageFormat(
        "AVRO",
        "avro",
        "org.apache.hadoop.hive.serde2.avro.AvroSerDe",
        "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat",
        "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat",
        ".avro",
        "DEFLATE",
        "avro.compression",
        {"DEFLATE": "deflate", "NONE": "null", "UNCOMPRESSED": "null"},
    ),
}
_COMPRESSED_SUFFIX = {"gzip": ".gz", "zstd": ".zst"}


def hive_field_delimiter(serde_parameters: dict[str, str]) -> str:
    """The field delimiter LazySimpleSerDe uses: field.delim, else serialization.format, else Ctrl-A.

    Like Hive's LazySerDeParameters, a value that is a number is a byte value ("1" is Ctrl-A,
    "44" is a comma); anything else is taken by its first character.
    """
    value = serde_parameters.get("field.delim") or serde_parameters.get("serialization.format") or ""
    if not value:
        return DEFAULT_FIELD_DELIMITER
    return chr(int(value)) if value.isdigit() else value[0]


def storage_format(name: str) -> StorageFormat:
    found = FORMATS.get(name.upper())
    if found is None:
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY",
            f"Unsupported format '{name}': use one of {', '.join(sorted(FORMATS))}",
        )
    return found


def format_of_table(table: GlueTable) -> str:
    """Which reader a Hive table needs: parquet, orc, json, text (LazySimpleSerDe), csv (OpenCSVSerde),
    avro — decided by SerDe first (it decides how bytes become rows), then InputFormat."""
    descriptor = table.get("StorageDescriptor", {})
    serde = str(descriptor.get("SerdeInfo", {}).get("SerializationLibrary") or "").lower()
    input_format = str(descriptor.get("InputFormat") or "").lower()
    for needle, kind in (("parquet", "parquet"), ("orc", "orc"), ("avro", "avro"), ("json", "json")):
        if needle in serde or needle in input_format:
            return kind
    if "opencsv" in serde:
        return "csv"
    return "text"


def writer_codec(fmt: StorageFormat, compression: str | None) -> str:
    wanted = (compression or fmt.default_compression).upper()
    codec = fmt.codecs.get(wanted)
    if codec is None:
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY",
            f"write_compression '{wanted}' is not supported for {fmt.name}: "
            f"use one of {', '.join(sorted(fmt.codecs))}",
        )
    return codec


def file_suffix(fmt: StorageFormat, codec: str) -> str:
    if fmt.name in ("JSON", "TEXTFILE"):
        return fmt.extension + _COMPRESSED_SUFFIX.get(codec, "")
    return fmt.extension


def write_file(
    cursor: duckdb.DuckDBPyConnection,
    select_sql: str,
    path: Path,
    *,
    fmt: StorageFormat,
    codec: str,
    field_delimiter: str,
    parameters: Sequence[object] = (),
) -> int:
    """Write the rows of `select_sql` (with its `$n` parameters) to one local file; returns the row count."""
    if fmt.name in _ARROW_WRITERS:  # formats DuckDB cannot write: rows go through Arrow
        rows: Any = cursor.execute(select_sql, list(parameters)).to_arrow_table()
        return _ARROW_WRITERS[fmt.name](rows, path, codec)
    options = _COPY_OPTIONS[fmt.name].format(codec=codec)
    if fmt.name == "TEXTFILE":
        # Hive's LazySimpleSerDe: no quoting, \N for NULL, one-character field delimiter.
        options += ", DELIMITER " + quote_string(field_delimiter)
        select_sql = _hive_text_columns(cursor, select_sql, parameters)
    written = cursor.execute(
        f"COPY ({select_sql}) TO {quote_string(str(path))} ({options})", list(parameters)
    )
    row = written.fetchone()
    return int(row[0]) if row else 0


def _hive_text_columns(
    cursor: duckdb.DuckDBPyConnection, select_sql: str, parameters: Sequence[object]
) -> str:
    """Arrays, maps and structs in Hive's text encoding (scalars are already what Hive writes)."""
    described = cursor.execute(f"DESCRIBE {select_sql}", list(parameters)).fetchall()
    columns = [(str(row[0]), _described_type(str(row[1]))) for row in described]
    if not any(sql_type.name in COMPLEX for _, sql_type in columns):
        return select_sql
    projections = ", ".join(
        f"{serialize(quote_ident(name), sql_type) if sql_type.name in COMPLEX else quote_ident(name)} "
        f"AS {quote_ident(name)}"
        for name, sql_type in columns
    )
    return f"SELECT {projections} FROM ({select_sql}) AS __athena_hive_text"


def _described_type(duck_type: str) -> SqlType:
    """A DuckDB type as DESCRIBE prints it; one the emulator cannot name is written as text."""
    try:
        return parse_type(duck_type)
    except UnsupportedType:
        return SqlType("varchar")


_COPY_OPTIONS = {
    "PARQUET": "FORMAT parquet, COMPRESSION {codec}",
    "JSON": "FORMAT json, COMPRESSION {codec}",
    "TEXTFILE": "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', NULLSTR '\\N', COMPRESSION {codec}",
}


def _write_orc(table: Any, path: Path, codec: str) -> int:
    import pyarrow.orc  # DuckDB has no ORC writer; pyarrow's is the real ORC library

    pyarrow.orc.write_table(table, str(path), compression=codec)
    return int(table.num_rows)


_ARROW_WRITERS: dict[str, Callable[[Any, Path, str], int]] = {"ORC": _write_orc, "AVRO": write_avro}
