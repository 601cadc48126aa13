"""Hive's text encoding of arrays, maps and structs (LazySimpleSerDe), as DuckDB expressions.

Hive separates the items of a collection with Ctrl-B (\\x02), a map key from its value with
Ctrl-C (\\x03), and each deeper nesting level with the next control character; NULL inside a
collection is `\\N`. Top-level fields (Ctrl-A) and NULLs are the CSV writer's and reader's job.
"""

from __future__ import annotations

from dbt_athena_lite.emulator.engine.sqltext import quote_ident
from dbt_athena_lite.emulator.engine.types import SqlType

_NULL = "'\\N'"
COMPLEX = ("array", "map", "row")


def _separator(level: int) -> str:
    return f"chr({level + 1})"


def serialize(expression: str, sql_type: SqlType, level: int = 1) -> str:
    """A VARCHAR expression writing `expression` (of `sql_type`) the way Hive does."""
    if sql_type.name not in COMPLEX:
        return f"CAST({expression} AS VARCHAR)"
    item = f"e{level}"
    if sql_type.name == "array":
        element = _or_null(serialize(item, sql_type.fields[0][1], level + 1))
        return f"array_to_string(list_transform({expression}, {item} -> {element}), {_separator(level)})"
    if sql_type.name == "map":
        key = _or_null(serialize(f"{item}.key", sql_type.fields[0][1], level + 2))
        value = _or_null(serialize(f"{item}.value", sql_type.fields[1][1], level + 2))
        entry = f"{key} || {_separator(level + 1)} || {value}"
        return f"array_to_string(list_transform(map_entries({expression}), {item} -> {entry}), {_separator(level)})"
    fields = [
        _or_null(serialize(f"({expression}).{quote_ident(name or '')}", field_type, level + 1))
        for name, field_type in sql_type.fields
    ]
    return f"CASE WHEN {expression} IS NULL THEN NULL ELSE concat_ws({_separator(level)}, {', '.join(fields)}) END"


def deserialize(expression: str, sql_type: SqlType, level: int = 1) -> str:
    """An expression of `sql_type` reading Hive's text `expression`; what does not parse is NULL."""
    if sql_type.name not in COMPLEX:
        return f"TRY_CAST(NULLIF({expression}, {_NULL}) AS {sql_type.to_duckdb()})"
    item = f"e{level}"
    items = f"CASE WHEN {expression} = '' THEN []::VARCHAR[] ELSE string_split({expression}, {_separator(level)}) END"
    if sql_type.name == "array":
        element = deserialize(item, sql_type.fields[0][1], level + 1)
        body = f"list_transform({items}, {item} -> {element})"
    elif sql_type.name == "map":
        key = deserialize(f"split_part({item}, {_separator(level + 1)}, 1)", sql_type.fields[0][1], level + 2)
        value = deserialize(
            f"split_part({item}, {_separator(level + 1)}, 2)", sql_type.fields[1][1], level + 2
        )
        body = f"map_from_entries(list_transform({items}, {item} -> struct_pack(key := {key}, value := {value})))"
    else:
        fields = [
            f"{quote_ident(name or '')} := "
            + deserialize(f"split_part({expression}, {_separator(level)}, {index})", field_type, level + 1)
            for index, (name, field_type) in enumerate(sql_type.fields, start=1)
        ]
        body = f"struct_pack({', '.join(fields)})"
    return f"CASE WHEN NULLIF({expression}, {_NULL}) IS NULL THEN NULL ELSE {body} END"


def _or_null(expression: str) -> str:
    return f"coalesce({expression}, {_NULL})"
