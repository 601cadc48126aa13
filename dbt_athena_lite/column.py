"""Column types as Athena names them.

Glue stores Hive DDL spellings (`string`, `int`, `array<struct<a:int>>`); Athena's SQL, its query
results and its information_schema use Trino's (`varchar`, `integer`, `array(row(a integer))`). dbt
shows the latter, and casts in SQL need them.
"""

from __future__ import annotations

# Hive spelling -> Athena spelling; names not listed are the same in both.
_HIVE_TO_ATHENA = {
    "string": "varchar",
    "int": "integer",
    "float": "real",
    "binary": "varbinary",
}
_HIVE_CONTAINERS = {"array": "array", "map": "map", "struct": "row"}


def athena_type_name(glue_type: str) -> str:
    """`array<struct<a:int,b:string>>` -> `array(row(a integer, b varchar))`; Athena spellings pass."""
    text = glue_type.strip()
    open_at = text.find("<")
    if open_at < 0 or not text.endswith(">"):
        base = text.lower()
        return _HIVE_TO_ATHENA.get(base, base)
    container = text[:open_at].strip().lower()
    members = _split_top_level(text[open_at + 1 : -1])
    if container == "struct":
        fields = [member.split(":", 1) for member in members]
        inner = ", ".join(f"{name.strip()} {athena_type_name(kind)}" for name, kind in fields)
    else:
        inner = ", ".join(athena_type_name(member) for member in members)
    return f"{_HIVE_CONTAINERS.get(container, container)}({inner})"


def _split_top_level(text: str) -> list[str]:
    """Split on the commas of this nesting level only (`a:int,b:map<int,int>` -> two members)."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts]
