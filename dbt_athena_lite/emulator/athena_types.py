"""Athena (Trino) type names parsed into a small tree, so results can be rendered by type.

The engine describes each result column with a type string such as "decimal(10,2)",
"array(row(a integer, b varchar))" or "timestamp(3) with time zone". Rendering needs the
structure (a map and a row are both Python dicts) and ColumnInfo needs the base name,
precision and scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# Hive DDL spellings and aliases an engine may report, mapped to the names Athena's
# query results use. Athena's ColumnInfo calls a REAL column "float". "string" stays:
# Athena types the columns of DDL results (SHOW, DESCRIBE) as "string".
_ALIASES = {
    "int": "integer",
    "real": "float",
    "struct": "row",
    "binary": "varbinary",
    "timestamptz": "timestamp with time zone",
}

_DEFAULT_TIMESTAMP_PRECISION = 3  # Athena engine v3 timestamps are millisecond precision


@dataclass(frozen=True)
class AthenaType:
    """One node of a parsed type: a base name, its numeric parameters and child types."""

    name: str  # "varchar", "decimal", "timestamp", "timestamp with time zone", "array", ...
    params: tuple[int, ...] = ()  # decimal (precision, scale); varchar/char length; time precision
    children: tuple[AthenaType, ...] = ()  # array: element; map: key, value; row: fields
    field_names: tuple[str | None, ...] = ()  # row only; None for an anonymous field

    @property
    def fractional_digits(self) -> int:
        """Digits after the second for timestamp and time values."""
        return self.params[0] if self.params else _DEFAULT_TIMESTAMP_PRECISION

    @property
    def decimal_scale(self) -> int:
        return self.params[1] if len(self.params) > 1 else 0


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses or double quotes."""
    parts: list[str] = []
    depth = 0
    quoted = False
    current: list[str] = []
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    if current or parts:
        parts.append("".join(current).strip())
    return parts


def _parse_row_field(text: str) -> tuple[str | None, AthenaType]:
    """`name type`, `"quoted name" type` or just `type` (an anonymous field)."""
    if text.startswith('"'):
        end = text.index('"', 1)
        return text[1:end], parse_type(text[end + 1 :])
    head, _, rest = text.partition(" ")
    if rest and "(" not in head:
        candidate = parse_type(rest)
        # An anonymous "timestamp with time zone" field is one type, not a field "timestamp".
        if candidate.name != "with time zone":
            return head, candidate
    return None, parse_type(text)


@lru_cache(maxsize=1024)
def parse_type(text: str) -> AthenaType:
    """Parse an Athena type string; unknown names are kept as they are (rendered as text).

    Hive's spelling from Glue ("array<int>", "struct<a:int,b:string>") is accepted too."""
    if "<" in text:
        text = text.replace("<", "(").replace(">", ")").replace(":", " ")
    source = " ".join(text.strip().split())
    lowered = source.lower()
    with_time_zone = lowered.endswith(" with time zone")
    if with_time_zone:
        source = source[: -len(" with time zone")].strip()
        lowered = source.lower()
    name, paren, inner = lowered.partition("(")
    name = name.strip()
    raw_inner = source[source.index("(") + 1 : source.rindex(")")] if paren else ""
    name = _ALIASES.get(name, name)
    if name in ("timestamp", "time") and with_time_zone:
        name = f"{name} with time zone"
    if name == "array":
        return AthenaType(name, children=(parse_type(raw_inner),))
    if name == "map":
        key, value = _split_top_level(raw_inner)
        return AthenaType(name, children=(parse_type(key), parse_type(value)))
    if name == "row":
        fields = [_parse_row_field(part) for part in _split_top_level(raw_inner)]
        return AthenaType(
            name,
            children=tuple(field_type for _, field_type in fields),
            field_names=tuple(field_name for field_name, _ in fields),
        )
    params = tuple(int(part) for part in _split_top_level(inner.rstrip(")")) if part.isdigit())
    return AthenaType(name, params=params)
