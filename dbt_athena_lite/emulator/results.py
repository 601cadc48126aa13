"""Query results as Athena shows them: value text, ColumnInfo, GetQueryResults pages and the
CSV / TXT files written to the output location.

Athena returns every value as text (`VarCharValue`) rendered the way its Java engine prints
it: doubles as Java's Double.toString ("1.0E10"), timestamps with milliseconds, arrays as
"[1, 2]", maps and rows as "{a=1, b=2}", varbinary as space-separated hex. Clients such as
PyAthena parse exactly these forms, so they are reproduced here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import struct
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dbt_athena_lite.emulator.athena_types import AthenaType, parse_type
from dbt_athena_lite.emulator.engine.api import QueryResult, ResultColumn

# ColumnInfo.Precision by type, as Athena reports it (varchar/char/decimal/time types
# take theirs from the type parameters).
_DEFAULT_PRECISION = {
    "boolean": 0,
    "tinyint": 3,
    "smallint": 5,
    "integer": 10,
    "bigint": 19,
    "float": 17,
    "double": 17,
    "varchar": 2147483647,
    "char": 1,
    "date": 0,
    "varbinary": 1073741824,
}
_CASE_SENSITIVE_TYPES = frozenset({"varchar", "char"})

Row = tuple[str | None, ...]


# ---------------------------------------------------------------- numbers


def _java_digits(shortest_repr: str, value: float) -> str:
    """Java's Float/Double.toString layout for the shortest round-trip digits of `value`:
    plain notation for 1e-3 <= |v| < 1e7, otherwise d.dddE<exp>."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    number = Decimal(shortest_repr)
    if 1e-3 <= abs(value) < 1e7:
        text = format(number, "f")
        return text if "." in text else f"{text}.0"
    sign, digit_tuple, exponent = number.normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    scientific_exponent = int(exponent) + len(digits) - 1
    mantissa = f"{digits[0]}.{digits[1:] or '0'}"
    return f"{'-' if sign else ''}{mantissa}E{scientific_exponent}"


def render_double(value: float) -> str:
    return _java_digits(repr(float(value)), float(value))


def render_real(value: float) -> str:
    """A REAL (32-bit float) with the fewest digits that read back as the same float."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    if math.isnan(single) or math.isinf(single) or single == 0:
        return _java_digits("0", single)
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return _java_digits(text, single)
    return _java_digits(repr(single), single)


def render_decimal(value: Any, athena_type: AthenaType) -> str:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    scale = athena_type.decimal_scale
    return format(number.quantize(Decimal(1).scaleb(-scale)), "f")


# ---------------------------------------------------------------- date and time


def _fraction(microseconds: int, digits: int) -> str:
    if digits <= 0:
        return ""
    text = f"{microseconds:06d}"
    return "." + (text[:digits] if digits <= 6 else text + "0" * (digits - 6))


def _zone_name(value: dt.datetime | dt.time) -> str:
    zone = value.tzinfo
    key = getattr(zone, "key", None)  # zoneinfo.ZoneInfo names its region
    if isinstance(key, str):
        return key
    offset = value.utcoffset()
    if offset is None or offset == dt.timedelta(0):
        return "UTC"
    total_minutes = int(offset.total_seconds() // 60)
    sign = "+" if total_minutes >= 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def render_timestamp(value: Any, athena_type: AthenaType) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, dt.datetime):  # a date where a timestamp was asked for
        value = dt.datetime(value.year, value.month, value.day)
    text = f"{value:%Y-%m-%d %H:%M:%S}" + _fraction(value.microsecond, athena_type.fractional_digits)
    if athena_type.name.endswith("with time zone"):
        text += f" {_zone_name(value)}"
    return text


def render_time(value: Any, athena_type: AthenaType) -> str:
    if isinstance(value, str):
        return value
    text = f"{value:%H:%M:%S}" + _fraction(value.microsecond, athena_type.fractional_digits)
    if athena_type.name.endswith("with time zone"):
        text += f" {_zone_name(value)}"
    return text


def render_date(value: Any, _athena_type: AthenaType) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def render_interval_day_to_second(value: Any, _athena_type: AthenaType) -> str:
    """Trino's `D HH:MM:SS.fff`, e.g. 1 02:03:04.500 (a negative interval leads with '-')."""
    if not isinstance(value, dt.timedelta):
        return str(value)
    total_ms = round(value.total_seconds() * 1000)
    sign = "-" if total_ms < 0 else ""
    seconds, millis = divmod(abs(total_ms), 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{sign}{days} {hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


# ---------------------------------------------------------------- nested values


def _pairs(value: Any) -> list[tuple[Any, Any]]:
    """A map value as (key, value) pairs: engines hand maps over as dicts, as lists of
    pairs, or (DuckDB) as {"key": [...], "value": [...]}."""
    if isinstance(value, Mapping):
        if set(value) == {"key", "value"} and isinstance(value["key"], list):
            return list(zip(value["key"], value["value"], strict=False))
        return list(value.items())
    return [tuple(pair) for pair in value]


def render_array(value: Any, athena_type: AthenaType) -> str:
    element = athena_type.children[0]
    return "[" + ", ".join(_render_nested(item, element) for item in value) + "]"


def render_map(value: Any, athena_type: AthenaType) -> str:
    key_type, value_type = athena_type.children
    entries = (
        f"{_render_nested(key, key_type)}={_render_nested(item, value_type)}" for key, item in _pairs(value)
    )
    return "{" + ", ".join(entries) + "}"


def render_row(value: Any, athena_type: AthenaType) -> str:
    names = athena_type.field_names
    fields = (
        [value.get(name) if name is not None else None for name in names]
        if isinstance(value, Mapping)
        else list(value)
    )
    parts = []
    for name, field_type, item in zip(names, athena_type.children, fields, strict=False):
        text = _render_nested(item, field_type)
        # Athena prints named fields as name=value and anonymous ones as the bare value.
        parts.append(text if name is None else f"{name}={text}")
    return "{" + ", ".join(parts) + "}"


def render_json(value: Any, _athena_type: AthenaType) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def render_varbinary(value: Any, _athena_type: AthenaType) -> str:
    return " ".join(f"{byte:02x}" for byte in bytes(value))


def render_boolean(value: Any, _athena_type: AthenaType) -> str:
    if isinstance(value, str):
        return value.lower()
    return "true" if value else "false"


def _render_integer(value: Any, _athena_type: AthenaType) -> str:
    return str(int(value))


def _render_text(value: Any, _athena_type: AthenaType) -> str:
    return str(value)


_RENDERERS: dict[str, Callable[[Any, AthenaType], str]] = {
    "boolean": render_boolean,
    "tinyint": _render_integer,
    "smallint": _render_integer,
    "integer": _render_integer,
    "bigint": _render_integer,
    "double": lambda value, _t: render_double(value),
    "float": lambda value, _t: render_real(value),
    "decimal": render_decimal,
    "date": render_date,
    "timestamp": render_timestamp,
    "timestamp with time zone": render_timestamp,
    "time": render_time,
    "time with time zone": render_time,
    "interval day to second": render_interval_day_to_second,
    "varbinary": render_varbinary,
    "json": render_json,
    "array": render_array,
    "map": render_map,
    "row": render_row,
}


def render_value(value: Any, athena_type: AthenaType) -> str | None:
    """A top-level value as GetQueryResults' VarCharValue; None for SQL NULL."""
    if value is None:
        return None
    return _RENDERERS.get(athena_type.name, _render_text)(value, athena_type)


def _render_nested(value: Any, athena_type: AthenaType) -> str:
    """Inside arrays, maps and rows NULL prints as `null` (Java's toString)."""
    rendered = render_value(value, athena_type)
    return "null" if rendered is None else rendered


# ---------------------------------------------------------------- result sets


def column_info(column: ResultColumn) -> dict[str, Any]:
    athena_type = parse_type(column.athena_type)
    if athena_type.name == "decimal":
        precision = athena_type.params[0] if athena_type.params else 38
        scale = athena_type.decimal_scale
    elif athena_type.name in ("varchar", "char") and athena_type.params:
        precision, scale = athena_type.params[0], 0
    elif athena_type.name.startswith(("timestamp", "time")):
        precision, scale = athena_type.fractional_digits, 0
    else:
        precision, scale = _DEFAULT_PRECISION.get(athena_type.name, 0), 0
    return {
        "CatalogName": "hive",
        "SchemaName": "",
        "TableName": "",
        "Name": column.name,
        "Label": column.name,
        "Type": athena_type.name,
        "Precision": precision,
        "Scale": scale,
        "Nullable": column.nullable,
        "CaseSensitive": athena_type.name in _CASE_SENSITIVE_TYPES,
    }


@dataclass(frozen=True)
class RenderedResult:
    """A finished statement's result, rendered once and then paged and written from."""

    columns: tuple[dict[str, Any], ...]
    header: Row | None  # the column labels SELECT results start with; None for DDL/DML
    rows: tuple[Row, ...]
    update_count: int | None

    @property
    def total_rows(self) -> int:
        return len(self.rows) + (1 if self.header is not None else 0)

    def row_at(self, index: int) -> Row:
        if self.header is not None:
            return self.header if index == 0 else self.rows[index - 1]
        return self.rows[index]


def render_result(result: QueryResult) -> RenderedResult:
    types = [parse_type(column.athena_type) for column in result.columns]
    rows = tuple(
        tuple(render_value(value, athena_type) for value, athena_type in zip(row, types, strict=False))
        for row in result.rows
    )
    header = tuple(column.name for column in result.columns) if result.has_header_row else None
    return RenderedResult(
        columns=tuple(column_info(column) for column in result.columns),
        header=header,
        rows=rows,
        update_count=result.update_count,
    )


def page_rows(
    result: RenderedResult, start: int, max_results: int
) -> tuple[list[dict[str, Any]], int | None]:
    """GetQueryResults' `Rows` from `start` (the header counts as a row, as in Athena) and
    the offset of the next page, or None when this page is the last."""
    end = min(start + max_results, result.total_rows)
    page = [
        {"Data": [{} if value is None else {"VarCharValue": value} for value in result.row_at(index)]}
        for index in range(start, end)
    ]
    return page, (end if end < result.total_rows else None)


def _csv_field(value: str | None) -> str:
    return "" if value is None else '"' + value.replace('"', '""') + '"'


def csv_bytes(result: RenderedResult) -> bytes:
    """The `<id>.csv` Athena writes: a quoted header of the labels, every value quoted,
    NULL as an empty unquoted field, LF line ends. Nothing at all for a result without columns."""
    if not result.columns:
        return b""
    labels = [column["Label"] for column in result.columns]
    lines = [",".join(map(_csv_field, labels))]
    lines.extend(",".join(map(_csv_field, row)) for row in result.rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def txt_bytes(rows: Sequence[Row]) -> bytes:
    """The `<id>.txt` of a DDL statement: tab-separated values, no header."""
    return "".join("\t".join(value or "" for value in row) + "\n" for row in rows).encode("utf-8")


def parse_csv_rows(data: bytes) -> list[Row]:
    """The data rows of a CSV written by `csv_bytes` (the header line dropped). Unlike the
    csv module, this tells NULL (an empty unquoted field) from '' (a quoted empty one)."""
    text = data.decode("utf-8")
    rows: list[Row] = []
    row: list[str | None] = []
    index, length = 0, len(text)
    while index < length:
        if text[index] == '"':
            parts, start = [], index + 1
            while True:
                end = text.index('"', start)
                if text.startswith('""', end):  # an escaped quote inside the value
                    parts.append(text[start : end + 1])
                    start = end + 2
                    continue
                parts.append(text[start:end])
                index = end + 1
                break
            row.append("".join(parts))
        else:
            row.append(None)
        if index >= length or text[index] == "\n":
            rows.append(tuple(row))
            row = []
        elif text[index] != ",":
            raise ValueError(f"not an Athena result CSV: unexpected {text[index]!r} at offset {index}")
        index += 1
    return rows[1:]


def parse_txt_rows(data: bytes) -> list[Row]:
    """The rows of a `<id>.txt` (tab-separated; it cannot tell NULL from '', like Athena's)."""
    return [tuple(line.split("\t")) for line in data.decode("utf-8").splitlines()]
