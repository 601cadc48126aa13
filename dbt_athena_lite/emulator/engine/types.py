"""Column types in the three spellings the emulator meets: Athena (Trino), Glue (Hive) and DuckDB.

Every spelling is parsed into one `SqlType` tree named with Athena's canonical names, then rendered
for whichever side needs it. Conversions are lookup tables, not if-chains, so adding a type is one
line per table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SqlType",
    "UnsupportedType",
    "athena_type_of_duckdb",
    "from_duckdb",
    "glue_type_of_duckdb",
    "parse_type",
]


class UnsupportedType(ValueError):
    """A type spelling the emulator cannot map (the message names the type)."""


@dataclass(frozen=True)
class SqlType:
    """A type in Athena's vocabulary.

    `params` holds precision/scale/length; `fields` holds the element type of an array, the key and
    value types of a map, or the named fields of a row (names are None for array/map children).
    """

    name: str
    params: tuple[int, ...] = ()
    fields: tuple[tuple[str | None, SqlType], ...] = ()

    def to_athena(self) -> str:
        return _render(self, _ATHENA_NAMES, athena=True)

    def to_glue(self) -> str:
        return _render(self, _GLUE_NAMES, athena=False)

    def to_duckdb(self) -> str:
        return _render_duckdb(self)


# Any spelling (Hive, Trino, DuckDB-ish) -> Athena canonical name.
_ALIASES = {
    "boolean": "boolean",
    "bool": "boolean",
    "tinyint": "tinyint",
    "smallint": "smallint",
    "int": "integer",
    "integer": "integer",
    "bigint": "bigint",
    "float": "real",
    "real": "real",
    "double": "double",
    "double precision": "double",
    "decimal": "decimal",
    "numeric": "decimal",
    "string": "varchar",
    "varchar": "varchar",
    "char": "char",
    "binary": "varbinary",
    "varbinary": "varbinary",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp with time zone": "timestamp with time zone",
    "time": "time",
    "interval day to second": "interval day to second",
    "interval year to month": "interval year to month",
    "json": "json",
    "uuid": "uuid",
    "array": "array",
    "map": "map",
    "struct": "row",
    "row": "row",
    "list": "array",
    # DuckDB spellings DESCRIBE prints (the engine reads the types of rows it is about to write).
    "blob": "varbinary",
    "hugeint": "bigint",
    "timestamp_s": "timestamp",
    "timestamp_ms": "timestamp",
    "timestamp_ns": "timestamp",
    "timestamptz": "timestamp with time zone",
    "interval": "interval day to second",
}

# "unknown" is the type of a bare NULL: Athena reports it in results but cannot store it.
_ATHENA_NAMES = {name: name for name in {*_ALIASES.values(), "unknown"}}
# Glue stores Hive spellings. Hive has no json, uuid, time or zoned timestamp: Athena's CTAS refuses
# them ("Unsupported Hive type"), so they have no Glue spelling here (empty string).
_GLUE_NAMES = {
    **_ATHENA_NAMES,
    "integer": "int",
    "real": "float",
    "varchar": "string",
    "varbinary": "binary",
    "row": "struct",
    "json": "",
    "uuid": "",
    "time": "",
    "interval day to second": "",
    "interval year to month": "",
    "timestamp with time zone": "",
    "unknown": "",
}
_DUCKDB_NAMES = {
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "real": "FLOAT",
    "double": "DOUBLE",
    "varchar": "VARCHAR",
    "char": "VARCHAR",
    "varbinary": "BLOB",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
    "time": "TIME",
    "json": "JSON",
    "uuid": "UUID",
    "interval day to second": "INTERVAL",
    "interval year to month": "INTERVAL",
}

# DuckDB type ids (DuckDBPyType.id) -> Athena name. DuckDB computes some results in types Athena
# does not have (HUGEINT from sum(bigint), unsigned ints): they map to the Athena type of the same
# values' natural result.
_FROM_DUCKDB_ID = {
    "boolean": "boolean",
    "tinyint": "tinyint",
    "smallint": "smallint",
    "integer": "integer",
    "bigint": "bigint",
    "hugeint": "bigint",
    "utinyint": "smallint",
    "usmallint": "integer",
    "uinteger": "bigint",
    "ubigint": "bigint",
    "uhugeint": "bigint",
    "float": "real",
    "double": "double",
    "varchar": "varchar",
    "enum": "varchar",
    "blob": "varbinary",
    "bit": "varbinary",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_ms": "timestamp",
    "timestamp_s": "timestamp",
    "timestamp_ns": "timestamp",
    "timestamp with time zone": "timestamp with time zone",
    "time": "time",
    "time with time zone": "time",
    "uuid": "uuid",
    "json": "json",
    "null": "unknown",
    "interval": "interval day to second",
}

_TOKEN = re.compile(
    r"\s*(?:(?P<punct>[<>(),:\[\]])|(?P<quoted>\"(?:[^\"]|\"\")*\"|`[^`]*`)|(?P<word>[\w$.]+))"
)
_MULTI_WORD = (
    "double precision",
    "timestamp with time zone",
    "time with time zone",
    "interval day to second",
    "interval year to month",
)


def parse_type(text: str) -> SqlType:
    """Parse a Hive (`array<struct<a:int>>`), Athena (`array(row(a integer))`) or DuckDB scalar
    spelling into a SqlType. Raises UnsupportedType naming the type when it is not understood."""
    tokens = _tokenize(text)
    parser = _Parser(tokens, text)
    result = parser.parse()
    if parser.pos != len(tokens):
        raise UnsupportedType(f"Unexpected text after the type in {text!r}")
    return result


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        match = _TOKEN.match(stripped, pos)
        if match is None:
            raise UnsupportedType(f"Cannot read the type {text!r} at {stripped[pos:]!r}")
        tokens.append(match.group(match.lastgroup or "word"))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], text: str) -> None:
        self.tokens = tokens
        self.text = text
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise UnsupportedType(f"Cannot read the type {self.text!r}: expected {expected or 'more'}")
        self.pos += 1
        return token

    def parse(self) -> SqlType:
        parsed = self._parse_one()
        while self.peek() == "[":  # DuckDB's list spelling: INTEGER[]
            self.take("[")
            self.take("]")
            parsed = SqlType("array", (), ((None, parsed),))
        return parsed

    def _parse_one(self) -> SqlType:
        word = self.take().lower()
        for phrase in _MULTI_WORD:  # "timestamp with time zone" arrives as several words
            words = phrase.split()
            if (
                word == words[0]
                and [t.lower() for t in self.tokens[self.pos : self.pos + len(words) - 1]] == words[1:]
            ):
                self.pos += len(words) - 1
                word = phrase
        name = _ALIASES.get(word)
        if name is None:
            raise UnsupportedType(f"Unknown column type {word!r} in {self.text!r}")
        if name in ("array", "map", "row"):
            return self._parse_nested(name)
        params = self._parse_params()
        if name == "timestamp" and self._skip_words("with", "time", "zone"):
            name = "timestamp with time zone"
        if name == "timestamp":  # Athena's timestamp is timestamp(3): precision is implied
            params = ()
        return SqlType(name, params)

    def _skip_words(self, *words: str) -> bool:
        window = [t.lower() for t in self.tokens[self.pos : self.pos + len(words)]]
        if window == list(words):
            self.pos += len(words)
            return True
        return False

    def _parse_params(self) -> tuple[int, ...]:
        if self.peek() != "(":
            return ()
        self.take("(")
        values = [int(self.take())]
        while self.peek() == ",":
            self.take(",")
            values.append(int(self.take()))
        self.take(")")
        return tuple(values)

    def _parse_nested(self, name: str) -> SqlType:
        opener = self.take()
        if opener not in ("<", "("):
            raise UnsupportedType(f"Cannot read the type {self.text!r}: {name} needs element types")
        closer = ">" if opener == "<" else ")"
        fields: list[tuple[str | None, SqlType]] = []
        while True:
            if name == "row":
                field_name = self.take().strip('"`')
                if self.peek() == ":":
                    self.take(":")
                fields.append((field_name.lower(), self.parse()))
            else:
                fields.append((None, self.parse()))
            if self.peek() == ",":
                self.take(",")
                continue
            self.take(closer)
            break
        return SqlType(name, (), tuple(fields))


def _render(sql_type: SqlType, names: dict[str, str], *, athena: bool) -> str:
    name = names[sql_type.name]
    if not name:
        raise UnsupportedType(f"Unsupported Hive type: {sql_type.to_athena()}")
    children = [_render(child, names, athena=athena) for _, child in sql_type.fields]
    if sql_type.name == "array":
        return f"array({children[0]})" if athena else f"array<{children[0]}>"
    if sql_type.name == "map":
        return f"map({children[0]},{children[1]})" if athena else f"map<{children[0]},{children[1]}>"
    if sql_type.name == "row":
        if athena:
            return (
                "row("
                + ", ".join(
                    f"{_field_name(n)} {c}" for (n, _), c in zip(sql_type.fields, children, strict=True)
                )
                + ")"
            )
        return (
            "struct<"
            + ",".join(f"{n}:{c}" for (n, _), c in zip(sql_type.fields, children, strict=True))
            + ">"
        )
    if sql_type.params and sql_type.name in ("decimal", "char", "varchar"):
        return f"{sql_type.name}({','.join(str(p) for p in sql_type.params)})"
    return name


def _field_name(name: str | None) -> str:
    """Row field names are quoted in Athena's spelling only when they are not plain identifiers."""
    text = name or ""
    return text if re.fullmatch(r"[a-z_][a-z0-9_]*", text) else '"' + text.replace('"', '""') + '"'


def _render_duckdb(sql_type: SqlType) -> str:
    if sql_type.name == "array":
        return f"{_render_duckdb(sql_type.fields[0][1])}[]"
    if sql_type.name == "map":
        return f"MAP({_render_duckdb(sql_type.fields[0][1])}, {_render_duckdb(sql_type.fields[1][1])})"
    if sql_type.name == "row":
        inner = ", ".join(f'"{n}" {_render_duckdb(child)}' for n, child in sql_type.fields)
        return f"STRUCT({inner})"
    if sql_type.name == "decimal":
        precision, scale = (sql_type.params + (10, 0)[len(sql_type.params) :])[:2]  # Hive: decimal(10,0)
        return f"DECIMAL({precision},{scale})"
    duck = _DUCKDB_NAMES.get(sql_type.name)
    if duck is None:
        raise UnsupportedType(f"Type {sql_type.name!r} has no DuckDB equivalent")
    return duck


def from_duckdb(duck_type: Any) -> SqlType:
    """Convert a DuckDBPyType (from a relation's `.types`) into a SqlType."""
    type_id = duck_type.id
    if type_id in ("list", "array"):
        return SqlType("array", (), ((None, from_duckdb(duck_type.child)),))
    if type_id == "map":
        return SqlType("map", (), ((None, from_duckdb(duck_type.key)), (None, from_duckdb(duck_type.value))))
    if type_id == "struct":
        return SqlType(
            "row", (), tuple((name.lower(), from_duckdb(child)) for name, child in duck_type.children)
        )
    if type_id == "decimal":
        params = dict(duck_type.children)
        return SqlType("decimal", (int(params["precision"]), int(params["scale"])))
    if type_id == "varchar" and str(duck_type) == "JSON":
        return SqlType("json")
    name = _FROM_DUCKDB_ID.get(type_id)
    if name is None:
        raise UnsupportedType(f"DuckDB type {duck_type} has no Athena equivalent")
    return SqlType(name)


def athena_type_of_duckdb(duck_type: Any) -> str:
    """Athena's type name for a DuckDB result column (what GetQueryResults reports)."""
    return from_duckdb(duck_type).to_athena()


def glue_type_of_duckdb(duck_type: Any) -> str:
    """The Hive type Athena's CTAS would register in Glue for a DuckDB result column."""
    return from_duckdb(duck_type).to_glue()
