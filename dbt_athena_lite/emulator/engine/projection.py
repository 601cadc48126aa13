"""Athena partition projection: partitions computed from table properties, not read from Glue.

With `projection.enabled=true` Athena ignores the Glue partitions. It projects the values of each
partition key (enum, integer, date or injected) into `storage.location.template` (default:
`<location>/k1=${k1}/k2=${k2}`). The emulator does the inverse, which needs one listing instead
of one per projected value: it lists the template's fixed prefix, matches each file against the
template and keeps the files whose values lie in the projected ranges.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.catalog import GlueTable
from dbt_athena_lite.emulator.engine.storage import DataFile, list_data_files

PartitionFiles = list[tuple[tuple[str, ...], list[DataFile]]]

# Java DateTimeFormatter letters Athena's date projection uses -> strptime directives.
_JAVA_DATE_TOKENS = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
_NOW = re.compile(
    r"NOW\s*(?:(?P<sign>[+-])\s*(?P<amount>\d+)\s*(?P<unit>YEARS?|MONTHS?|WEEKS?|DAYS?|HOURS?))?$", re.I
)


def is_projected(table: GlueTable) -> bool:
    return str((table.get("Parameters") or {}).get("projection.enabled", "")).strip().lower() == "true"


def projected_files(table: GlueTable, s3: Any) -> PartitionFiles:
    """Every (partition values, files) pair of a projected table present in S3."""
    parameters: dict[str, str] = table.get("Parameters") or {}
    keys = [k["Name"].lower() for k in table.get("PartitionKeys", [])]
    location = str(table.get("StorageDescriptor", {}).get("Location") or "").rstrip("/")
    template = parameters.get("storage.location.template") or "/".join(
        [location, *(f"{k}=${{{k}}}" for k in keys)]
    )
    template = template.rstrip("/")
    fixed_prefix = template.split("${", 1)[0]
    pattern, order = _template_pattern(template, {key: _value_pattern(parameters, key) for key in keys})
    accepts = {key: _value_check(parameters, key) for key in keys}
    grouped: dict[tuple[str, ...], list[DataFile]] = {}
    for data_file in list_data_files(s3, fixed_prefix.rsplit("/", 1)[0]):
        match = pattern.match(data_file.url)
        if match is None:
            continue
        values = dict(zip(order, match.groups(), strict=True))
        if all(accepts[key](values[key]) for key in keys):
            grouped.setdefault(tuple(values[key] for key in keys), []).append(data_file)
    return list(grouped.items())


def _template_pattern(template: str, patterns: dict[str, str]) -> tuple[re.Pattern[str], list[str]]:
    order: list[str] = []
    parts: list[str] = []
    for index, piece in enumerate(re.split(r"\$\{([^}]+)\}", template)):
        if index % 2 == 0:
            parts.append(re.escape(piece))
            continue
        name = piece.strip().lower()
        if name not in patterns:
            raise AthenaQueryError(
                "HIVE_INVALID_METADATA",
                f"storage.location.template names '{piece}', which is not a partition key",
            )
        order.append(name)
        parts.append(f"({patterns[name]})")
    return re.compile("".join(parts) + "/.+"), order


def _value_pattern(parameters: dict[str, str], key: str) -> str:
    """What a value of `key` looks like in a path (a date format may contain slashes)."""
    kind = parameters.get(f"projection.{key}.type", "").strip().lower()
    if kind == "date":
        java_format = parameters.get(f"projection.{key}.format", "yyyy-MM-dd")
        pieces = re.split(f"({'|'.join(_JAVA_DATE_TOKENS)})", java_format)
        return "".join(rf"\d{{{len(p)}}}" if p in _JAVA_DATE_TOKENS else re.escape(p) for p in pieces)
    if kind == "integer":
        return r"-?\d+"
    return "[^/]+"


def _value_check(parameters: dict[str, str], key: str) -> Callable[[str], bool]:
    kind = parameters.get(f"projection.{key}.type", "").strip().lower()
    if kind == "enum":
        allowed = set(parameters.get(f"projection.{key}.values", "").split(","))
        return allowed.__contains__
    if kind == "integer":
        low, high = (int(v) for v in parameters.get(f"projection.{key}.range", "").split(","))
        return lambda value: value.lstrip("-").isdigit() and low <= int(value) <= high
    if kind == "date":
        return _date_check(parameters, key)
    if kind == "injected":
        return lambda value: True
    raise AthenaQueryError(
        "HIVE_INVALID_METADATA",
        f"Partition projection for '{key}' needs projection.{key}.type = enum, integer, date or injected",
    )


def _date_check(parameters: dict[str, str], key: str) -> Callable[[str], bool]:
    java_format = parameters.get(f"projection.{key}.format", "yyyy-MM-dd")
    python_format = re.sub("|".join(_JAVA_DATE_TOKENS), lambda m: _JAVA_DATE_TOKENS[m.group(0)], java_format)
    low_text, high_text = (v.strip() for v in parameters.get(f"projection.{key}.range", "").split(","))

    def bound(text: str) -> dt.datetime:
        now = _NOW.match(text)
        if now is None:
            return dt.datetime.strptime(text, python_format)
        moment = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        if now.group("amount"):
            unit = now.group("unit").lower().rstrip("s")
            days = {"year": 365, "month": 31, "week": 7, "day": 1, "hour": 1 / 24}[unit]
            delta = dt.timedelta(days=days * int(now.group("amount")))
            moment = moment + delta if now.group("sign") == "+" else moment - delta
        return moment

    low, high = bound(low_text), bound(high_text)

    def accepts(value: str) -> bool:
        try:
            return low <= dt.datetime.strptime(value, python_format) <= high
        except ValueError:
            return False

    return accepts
