"""Avro files for Hive tables: DuckDB has no Avro reader or writer, fastavro does both.

Schemas are derived from the Arrow schema of the rows (every field nullable, as Hive writes them);
timestamps are timestamp-millis, Athena's precision.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path
from typing import Any

import fastavro
import pyarrow as pa

# Arrow type id -> Avro primitive (or logical) type.
_PRIMITIVES: dict[Any, Any] = {
    pa.int8(): "int",
    pa.int16(): "int",
    pa.int32(): "int",
    pa.int64(): "long",
    pa.float32(): "float",
    pa.float64(): "double",
    pa.bool_(): "boolean",
    pa.string(): "string",
    pa.large_string(): "string",
    pa.binary(): "bytes",
    pa.large_binary(): "bytes",
    pa.date32(): {"type": "int", "logicalType": "date"},
}


def avro_schema(schema: pa.Schema) -> dict[str, Any]:
    names = (f"record_{n}" for n in itertools.count())
    return {
        "type": "record",
        "name": "athena_lite_row",
        "fields": [{"name": f.name, "type": _nullable(f.type, names), "default": None} for f in schema],
    }


def _nullable(arrow_type: pa.DataType, names: Any) -> list[Any]:
    return ["null", _avro_type(arrow_type, names)]


def _avro_type(arrow_type: pa.DataType, names: Any) -> Any:
    if arrow_type in _PRIMITIVES:
        return _PRIMITIVES[arrow_type]
    if pa.types.is_timestamp(arrow_type):
        return {"type": "long", "logicalType": "timestamp-millis"}
    if pa.types.is_decimal(arrow_type):
        return {
            "type": "bytes",
            "logicalType": "decimal",
            "precision": arrow_type.precision,
            "scale": arrow_type.scale,
        }
    if pa.types.is_map(arrow_type):
        return {"type": "map", "values": _nullable(arrow_type.item_type, names)}
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return {"type": "array", "items": _nullable(arrow_type.value_type, names)}
    if pa.types.is_struct(arrow_type):
        fields = [{"name": f.name, "type": _nullable(f.type, names)} for f in arrow_type]
        return {"type": "record", "name": next(names), "fields": fields}
    raise ValueError(f"Cannot write {arrow_type} to Avro")


def _python_rows(table: pa.Table) -> list[dict[str, Any]]:
    """Arrow rows as fastavro takes them (maps become dicts)."""
    map_columns = [f.name for f in table.schema if pa.types.is_map(f.type)]
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        for name in map_columns:
            if row[name] is not None:
                row[name] = dict(row[name])
    return rows


def write_avro(table: pa.Table, path: Path, codec: str) -> int:
    with path.open("wb") as target:
        fastavro.writer(
            target, fastavro.parse_schema(avro_schema(table.schema)), _python_rows(table), codec=codec
        )
    return int(table.num_rows)


def read_avro(body: bytes) -> pa.Table:
    """An Avro file as Arrow, typed from the file's own schema (not guessed from values)."""
    reader = fastavro.reader(io.BytesIO(body))
    schema = reader.writer_schema
    records = list(reader)
    if not isinstance(schema, dict) or schema.get("type") != "record":
        raise ValueError("Avro files of a table hold records")
    arrow_schema = pa.schema([pa.field(f["name"], _arrow_type(f["type"])) for f in schema["fields"]])
    return pa.Table.from_pylist(records, schema=arrow_schema)


_FROM_AVRO: dict[str, pa.DataType] = {
    "null": pa.null(),
    "boolean": pa.bool_(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "bytes": pa.binary(),
    "string": pa.string(),
    "enum": pa.string(),
    "fixed": pa.binary(),
}


def _arrow_type(avro_type: Any) -> pa.DataType:
    if isinstance(avro_type, list):  # a union: Hive writes ["null", T]
        members = [t for t in avro_type if t != "null"]
        return _arrow_type(members[0]) if members else pa.null()
    if isinstance(avro_type, str):
        return _FROM_AVRO.get(avro_type, pa.string())
    logical = avro_type.get("logicalType")
    if logical == "date":
        return pa.date32()
    if logical in ("timestamp-millis", "timestamp-micros"):
        return pa.timestamp("ms" if logical == "timestamp-millis" else "us", tz="UTC")
    if logical == "decimal":
        return pa.decimal128(int(avro_type["precision"]), int(avro_type.get("scale", 0)))
    kind = avro_type["type"]
    if kind == "array":
        return pa.list_(_arrow_type(avro_type["items"]))
    if kind == "map":
        return pa.map_(pa.string(), _arrow_type(avro_type["values"]))
    if kind == "record":
        return pa.struct([pa.field(f["name"], _arrow_type(f["type"])) for f in avro_type["fields"]])
    return _arrow_type(kind)
