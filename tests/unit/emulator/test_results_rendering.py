"""Athena's text rendering of result values, ColumnInfo, paging and result files (no server)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dbt_athena_lite.emulator.athena_types import AthenaType, parse_type
from dbt_athena_lite.emulator.engine.api import QueryResult, ResultColumn
from dbt_athena_lite.emulator.results import (
    column_info,
    csv_bytes,
    page_rows,
    parse_csv_rows,
    parse_txt_rows,
    render_result,
    render_value,
    txt_bytes,
)

# (Athena type, Python value from the engine, what Athena shows)
RENDERING_TABLE: list[tuple[str, Any, str | None]] = [
    ("varchar", None, None),
    ("varchar", "", ""),
    ("varchar", "a, b", "a, b"),
    ("string", "number_of_rows      ", "number_of_rows      "),
    ("boolean", True, "true"),
    ("boolean", False, "false"),
    ("integer", 7, "7"),
    ("bigint", -9223372036854775808, "-9223372036854775808"),
    ("double", 1.5, "1.5"),
    ("double", 0.1, "0.1"),
    ("double", 100.0, "100.0"),
    ("double", 1234567.0, "1234567.0"),
    ("double", 12345678.0, "1.2345678E7"),
    ("double", 1e10, "1.0E10"),
    ("double", 0.001, "0.001"),
    ("double", 0.0001, "1.0E-4"),
    ("double", 1e-5, "1.0E-5"),
    ("double", -2.5e-7, "-2.5E-7"),
    ("double", 0.0, "0.0"),
    ("double", -0.0, "-0.0"),
    ("double", float("nan"), "NaN"),
    ("double", float("inf"), "Infinity"),
    ("double", float("-inf"), "-Infinity"),
    ("real", 0.1, "0.1"),
    ("real", 3.4028234663852886e38, "3.4028235E38"),
    ("decimal(10,2)", Decimal("1.5"), "1.50"),
    ("decimal(38,0)", Decimal("12345678901234567890"), "12345678901234567890"),
    ("decimal(5,3)", Decimal("-0.5"), "-0.500"),
    ("date", dt.date(2024, 1, 2), "2024-01-02"),
    ("timestamp", dt.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02 03:04:05.000"),
    ("timestamp(3)", dt.datetime(2024, 1, 2, 3, 4, 5, 123456), "2024-01-02 03:04:05.123"),
    ("timestamp(6)", dt.datetime(2024, 1, 2, 3, 4, 5, 123456), "2024-01-02 03:04:05.123456"),
    (
        "timestamp(3) with time zone",
        dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        "2024-01-02 03:04:05.000 UTC",
    ),
    (
        "timestamp with time zone",
        dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("Europe/Paris")),
        "2024-01-02 03:04:05.000 Europe/Paris",
    ),
    ("time", dt.time(3, 4, 5, 6000), "03:04:05.006"),
    ("varbinary", b"hello", "68 65 6c 6c 6f"),
    ("interval day to second", dt.timedelta(days=1, hours=2, minutes=3, seconds=4.5), "1 02:03:04.500"),
    ("interval day to second", -dt.timedelta(seconds=90), "-0 00:01:30.000"),
    ("array(integer)", [1, 2], "[1, 2]"),
    ("array(varchar)", ["a", None], "[a, null]"),
    ("array(double)", [1e10], "[1.0E10]"),
    ("array(array(integer))", [[1], []], "[[1], []]"),
    ("map(varchar,integer)", {"a": 1, "b": 2}, "{a=1, b=2}"),
    ("map(varchar,integer)", {"key": ["a", "b"], "value": [1, 2]}, "{a=1, b=2}"),
    ("map(integer,array(varchar))", [(1, ["x"])], "{1=[x]}"),
    ("row(x integer, y varchar)", {"x": 1, "y": "a"}, "{x=1, y=a}"),
    ("row(x integer, y varchar)", (1, "a"), "{x=1, y=a}"),
    ("row(integer, varchar)", (1, "a"), "{1, a}"),
    (
        "row(ts timestamp(3), d decimal(4,1))",
        {"ts": dt.datetime(2024, 1, 2), "d": 2},
        "{ts=2024-01-02 00:00:00.000, d=2.0}",
    ),
    ("json", {"a": [1, 2]}, '{"a":[1,2]}'),
    ("json", '{"a": 1}', '{"a": 1}'),
]


@pytest.mark.parametrize(("athena_type", "value", "expected"), RENDERING_TABLE)
def test_values_render_as_athena_shows_them(athena_type: str, value: Any, expected: str | None) -> None:
    assert render_value(value, parse_type(athena_type)) == expected


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("INT", AthenaType("integer")),
        ("string", AthenaType("string")),
        ("varchar(10)", AthenaType("varchar", params=(10,))),
        ("decimal(10, 2)", AthenaType("decimal", params=(10, 2))),
        ("timestamp(6) with time zone", AthenaType("timestamp with time zone", params=(6,))),
        ("array(int)", AthenaType("array", children=(AthenaType("integer"),))),
        ("array<int>", AthenaType("array", children=(AthenaType("integer"),))),
        (
            "struct<a:int,b:array<string>>",
            AthenaType(
                "row",
                children=(AthenaType("integer"), AthenaType("array", children=(AthenaType("string"),))),
                field_names=("a", "b"),
            ),
        ),
        (
            'row("a b" varchar, c map(varchar, row(d bigint)))',
            AthenaType(
                "row",
                children=(
                    AthenaType("varchar"),
                    AthenaType(
                        "map",
                        children=(
                            AthenaType("varchar"),
                            AthenaType("row", children=(AthenaType("bigint"),), field_names=("d",)),
                        ),
                    ),
                ),
                field_names=("a b", "c"),
            ),
        ),
        (
            "row(timestamp with time zone, integer)",
            AthenaType(
                "row",
                children=(AthenaType("timestamp with time zone"), AthenaType("integer")),
                field_names=(None, None),
            ),
        ),
    ],
)
def test_type_strings_parse_into_trees(text: str, parsed: AthenaType) -> None:
    assert parse_type(text) == parsed


@pytest.mark.parametrize(
    ("athena_type", "type_name", "precision", "scale", "case_sensitive"),
    [
        ("boolean", "boolean", 0, 0, False),
        ("tinyint", "tinyint", 3, 0, False),
        ("smallint", "smallint", 5, 0, False),
        ("integer", "integer", 10, 0, False),
        ("bigint", "bigint", 19, 0, False),
        ("real", "float", 17, 0, False),
        ("double", "double", 17, 0, False),
        ("varchar", "varchar", 2147483647, 0, True),
        ("varchar(10)", "varchar", 10, 0, True),
        ("string", "string", 0, 0, False),  # DDL results: SHOW COLUMNS, DESCRIBE
        ("timestamp", "timestamp", 3, 0, False),
        ("time(3)", "time", 3, 0, False),
        ("date", "date", 0, 0, False),
        ("varbinary", "varbinary", 1073741824, 0, False),
        ("array(integer)", "array", 0, 0, False),
        ("map(varchar,integer)", "map", 0, 0, False),
        ("row(a integer)", "row", 0, 0, False),
        ("json", "json", 0, 0, False),
        ("decimal(10,1)", "decimal", 10, 1, False),
    ],
)
def test_column_info_matches_athena(
    athena_type: str, type_name: str, precision: int, scale: int, case_sensitive: bool
) -> None:
    info = column_info(ResultColumn("c", athena_type, nullable="NULLABLE"))
    assert info == {
        "CatalogName": "hive",
        "SchemaName": "",
        "TableName": "",
        "Name": "c",
        "Label": "c",
        "Type": type_name,
        "Precision": precision,
        "Scale": scale,
        "Nullable": "NULLABLE",
        "CaseSensitive": case_sensitive,
    }


def _select_result(row_count: int) -> QueryResult:
    return QueryResult(
        statement_type="DML",
        columns=[ResultColumn("n", "integer"), ResultColumn("s", "varchar")],
        rows=[(i, None if i % 2 else f"v{i}") for i in range(row_count)],
        has_header_row=True,
    )


def test_pages_count_the_header_row_and_end_without_a_next_offset() -> None:
    rendered = render_result(_select_result(2500))
    offsets, values = [0], []
    while offsets[-1] is not None:
        page, next_offset = page_rows(rendered, offsets[-1], 1000)
        assert len(page) <= 1000
        values.extend(row["Data"][0].get("VarCharValue") for row in page)
        offsets.append(next_offset)
    assert offsets == [0, 1000, 2000, None]
    assert values == ["n", *[str(i) for i in range(2500)]]


def test_null_is_a_datum_without_varchar_value() -> None:
    page, _ = page_rows(render_result(_select_result(2)), 0, 10)
    assert page[1] == {"Data": [{"VarCharValue": "0"}, {"VarCharValue": "v0"}]}
    assert page[2] == {"Data": [{"VarCharValue": "1"}, {}]}


def test_ddl_results_have_no_header_row() -> None:
    result = QueryResult(statement_type="DDL", columns=[ResultColumn("tab_name", "varchar")], rows=[("t1",)])
    page, next_offset = page_rows(render_result(result), 0, 1000)
    assert page == [{"Data": [{"VarCharValue": "t1"}]}]
    assert next_offset is None


def test_csv_quotes_every_value_and_leaves_null_empty() -> None:
    result = QueryResult(
        statement_type="DML",
        columns=[ResultColumn("a", "varchar"), ResultColumn("b", "integer")],
        rows=[('say "hi", then\nleave', 1), (None, None), ("", 2)],
        has_header_row=True,
    )
    text = csv_bytes(render_result(result)).decode()
    assert text == '"a","b"\n"say ""hi"", then\nleave","1"\n,\n"","2"\n'
    assert list(csv.reader(io.StringIO(text))) == [
        ["a", "b"],
        ['say "hi", then\nleave', "1"],
        ["", ""],
        ["", "2"],
    ]


def test_csv_reads_back_exactly_with_null_apart_from_empty() -> None:
    result = QueryResult(
        statement_type="DML",
        columns=[ResultColumn("a", "varchar"), ResultColumn("b", "varchar")],
        rows=[('say "hi", then\nleave', None), (None, ""), ("", '""'), (None, None)],
        has_header_row=True,
    )
    rendered = render_result(result)
    assert parse_csv_rows(csv_bytes(rendered)) == list(rendered.rows)
    single_null = render_result(QueryResult("DML", [ResultColumn("a", "varchar")], [(None,), ("x",)], True))
    assert parse_csv_rows(csv_bytes(single_null)) == [(None,), ("x",)]


def test_txt_reads_back_by_tabs() -> None:
    assert parse_txt_rows(txt_bytes([("a", "int"), ("b", "string")])) == [("a", "int"), ("b", "string")]


def test_statements_without_columns_write_empty_files() -> None:
    rendered = render_result(QueryResult(statement_type="DDL"))
    assert csv_bytes(rendered) == b""
    assert txt_bytes(rendered.rows) == b""


def test_ddl_text_output_is_tab_separated_without_header() -> None:
    assert txt_bytes([("a", "int", None), ("b", "string", "note")]) == b"a\tint\t\nb\tstring\tnote\n"
