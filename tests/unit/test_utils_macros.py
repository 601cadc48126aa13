"""Rendering of the cross-database macros (macros/utils) as Athena SQL.

The functional suites (tests/functional/adapter/test_utils.py) run them on the emulator; these pin
the Athena spellings the emulator is lenient about (DuckDB has right(), array_append, md5(varchar)).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest

UTILS = Path(__file__).parents[2] / "macros" / "utils"


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _return(value: Any) -> None:
    raise _Return(value)


def _module(model: dict[str, Any] | None = None) -> Any:
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    env.globals.update(
        {
            "return": _return,
            "modules": SimpleNamespace(datetime=datetime),
            "dbt": SimpleNamespace(default_last_day=lambda date, part: f"default_last_day({date}, {part})"),
        }
    )
    if model is not None:
        env.globals["model"] = model
    source = "\n".join(path.read_text(encoding="utf-8") for path in sorted(UTILS.glob("*.sql")))
    return env.from_string(source).module


@pytest.fixture(scope="module")
def macros() -> Any:
    return _module()


def render(macros: Any, name: str, *args: Any) -> str:
    try:
        text = str(getattr(macros, f"athena_lite__{name}")(*args))
    except _Return as returned:
        text = str(returned.value)
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize(
    ("name", "args", "sql"),
    [
        ("dateadd", ("day", 3, "d"), "date_add('day', 3, d)"),
        ("dateadd", ("'Month'", "n", "d"), "date_add('month', n, d)"),
        ("date", (2023, 9, 7), "date '2023-09-07'"),
        ("last_day", ("d", "month"), "last_day_of_month(d)"),
        ("last_day", ("d", "quarter"), "default_last_day(d, quarter)"),
        ("hash", ("id",), "lower(to_hex(md5(to_utf8(cast(id as varchar)))))"),
        ("any_value", ("x",), "arbitrary(x)"),
        ("array_append", ("a", "1"), "concat(a, array[1])"),
        ("array_concat", ("a", "b"), "concat(a, b)"),
        ("array_construct", (["1", "2"], "integer"), "array[1, 2]"),
        ("array_construct", ([], "varchar"), "cast(array[] as array(varchar))"),
        ("right", ("s", "n"), "substr(s, greatest(length(s) - (n) + 1, 1))"),
        ("safe_cast", ("x", "integer"), "try_cast(x as integer)"),
        ("split_part", ("s", "','", 2), "split_part(s, ',', 2)"),
        ("split_part", ("s", "','", -1), "element_at(split(s, ','), -1)"),
        ("cast_bool_to_text", ("b",), "cast(b as varchar)"),
        ("listagg", ("x", "','", None, None), "array_join(array_agg(x), ',')"),
        (
            "listagg",
            ("x", "'|'", "order by k desc", 2),
            "array_join(slice(array_agg(x order by k desc), 1, 2), '|')",
        ),
    ],
)
def test_athena_spelling(macros: Any, name: str, args: tuple[Any, ...], sql: str) -> None:
    assert render(macros, name, *args) == sql


@pytest.mark.parametrize(
    ("name", "athena_type"),
    [
        ("string", "varchar"),
        ("timestamp", "timestamp"),
        ("float", "double"),
        ("numeric", "decimal(28,6)"),
        ("bigint", "bigint"),
        ("int", "integer"),
        ("boolean", "boolean"),
    ],
)
def test_type_names_are_athenas(macros: Any, name: str, athena_type: str) -> None:
    assert render(macros, f"type_{name}") == athena_type


def test_datediff_counts_unit_boundaries_at_microsecond_precision(macros: Any) -> None:
    first, second = "cast(a as timestamp(6))", "cast(b as timestamp(6))"
    assert render(macros, "datediff", "a", "b", "day") == (
        f"date_diff('day', date_trunc('day', {first}), date_trunc('day', {second}))"
    )
    assert render(macros, "datediff", "a", "b", "microsecond") == (
        f"cast(round((to_unixtime({second}) - to_unixtime({first})) * 1000000) as bigint)"
    )


@pytest.mark.parametrize(
    ("config", "sql"),
    [
        (None, "cast(current_timestamp as timestamp)"),
        ({"materialized": "table"}, "cast(current_timestamp as timestamp)"),
        ({"materialized": "view", "table_type": "iceberg"}, "cast(current_timestamp as timestamp)"),
        ({"materialized": "table", "table_type": "iceberg"}, "cast(current_timestamp as timestamp(6))"),
        ({"materialized": "snapshot", "table_type": "Iceberg"}, "cast(current_timestamp as timestamp(6))"),
    ],
)
def test_current_timestamp_fits_the_table_it_is_stored_in(config: dict[str, Any] | None, sql: str) -> None:
    """Hive tables store milliseconds only, Iceberg tables microseconds only, neither a time zone."""
    macros = _module(None if config is None else {"config": config})
    assert render(macros, "current_timestamp") == sql
    assert render(macros, "snapshot_get_time") == sql
