"""Type spellings: Glue (Hive) <-> Athena <-> DuckDB, and DuckDB result types -> Athena names."""

from __future__ import annotations

import duckdb
import pytest

from dbt_athena_lite.emulator.engine.hive_text import deserialize, serialize
from dbt_athena_lite.emulator.engine.types import (
    SqlType,
    UnsupportedType,
    athena_type_of_duckdb,
    glue_type_of_duckdb,
    parse_type,
)

# (spelling in, Athena, Glue, DuckDB)
SPELLINGS = [
    ("int", "integer", "int", "INTEGER"),
    ("INTEGER", "integer", "int", "INTEGER"),
    ("string", "varchar", "string", "VARCHAR"),
    ("varchar(20)", "varchar(20)", "varchar(20)", "VARCHAR"),
    ("char(3)", "char(3)", "char(3)", "VARCHAR"),
    ("float", "real", "float", "FLOAT"),
    ("double", "double", "double", "DOUBLE"),
    ("binary", "varbinary", "binary", "BLOB"),
    ("decimal(10,2)", "decimal(10,2)", "decimal(10,2)", "DECIMAL(10,2)"),
    ("DECIMAL(38, 0)", "decimal(38,0)", "decimal(38,0)", "DECIMAL(38,0)"),
    ("timestamp", "timestamp", "timestamp", "TIMESTAMP"),
    ("timestamp(3)", "timestamp", "timestamp", "TIMESTAMP"),
    ("date", "date", "date", "DATE"),
    ("boolean", "boolean", "boolean", "BOOLEAN"),
    ("array<int>", "array(integer)", "array<int>", "INTEGER[]"),
    ("array(varchar)", "array(varchar)", "array<string>", "VARCHAR[]"),
    ("map<string,bigint>", "map(varchar,bigint)", "map<string,bigint>", "MAP(VARCHAR, BIGINT)"),
    (
        "struct<a:int,b:array<string>>",
        "row(a integer, b array(varchar))",
        "struct<a:int,b:array<string>>",
        'STRUCT("a" INTEGER, "b" VARCHAR[])',
    ),
    (
        "ARRAY<STRUCT<x: INT, y: VARCHAR(3)>>",
        "array(row(x integer, y varchar(3)))",
        "array<struct<x:int,y:varchar(3)>>",
        'STRUCT("x" INTEGER, "y" VARCHAR)[]',
    ),
    (
        "row(a integer, b double)",
        "row(a integer, b double)",
        "struct<a:int,b:double>",
        'STRUCT("a" INTEGER, "b" DOUBLE)',
    ),
]


@pytest.mark.parametrize(("spelling", "athena", "glue", "duck"), SPELLINGS)
def test_spellings_convert_between_athena_glue_and_duckdb(
    spelling: str, athena: str, glue: str, duck: str
) -> None:
    parsed = parse_type(spelling)
    assert (parsed.to_athena(), parsed.to_glue(), parsed.to_duckdb()) == (athena, glue, duck)
    # Re-reading either rendering gives back the same type.
    assert parse_type(parsed.to_glue()).to_glue() == glue
    assert parse_type(parsed.to_athena()).to_athena() == athena


def test_hive_decimal_without_precision_is_decimal_10_0() -> None:
    assert parse_type("decimal").to_duckdb() == "DECIMAL(10,0)"


@pytest.mark.parametrize("bad", ["geometry", "array<int", "map<string>extra", "int int"])
def test_unknown_or_malformed_types_name_the_problem(bad: str) -> None:
    with pytest.raises(UnsupportedType, match="type"):
        parse_type(bad)


# DuckDB expression -> (Athena result type, Glue column type)
DUCKDB_RESULTS = [
    ("1::TINYINT", "tinyint", "tinyint"),
    ("1", "integer", "int"),
    ("1::BIGINT", "bigint", "bigint"),
    ("sum(1::BIGINT)", "bigint", "bigint"),  # HUGEINT in DuckDB, bigint in Athena
    ("1.5::FLOAT", "real", "float"),
    ("1.5::DOUBLE", "double", "double"),
    ("1.50::DECIMAL(10,2)", "decimal(10,2)", "decimal(10,2)"),
    ("'x'", "varchar", "string"),
    ("'x'::BLOB", "varbinary", "binary"),
    ("INTERVAL 1 DAY", "interval day to second", None),
    ("true", "boolean", "boolean"),
    ("DATE '2024-01-01'", "date", "date"),
    ("TIMESTAMP '2024-01-01 00:00:00'", "timestamp", "timestamp"),
    ("[1, 2]", "array(integer)", "array<int>"),
    ("MAP(['k'], [1])", "map(varchar,integer)", "map<string,int>"),
    ("{'A': 1, 'b': 'x'}", "row(a integer, b varchar)", "struct<a:int,b:string>"),
]


@pytest.mark.parametrize(("expression", "athena", "glue"), DUCKDB_RESULTS)
def test_duckdb_result_types_map_to_athena_and_glue(expression: str, athena: str, glue: str | None) -> None:
    duck_type = duckdb.connect().sql(f"SELECT {expression} AS v").types[0]
    assert athena_type_of_duckdb(duck_type) == athena
    if glue is None:  # Hive cannot store it: a CTAS of it fails as in Athena
        with pytest.raises(UnsupportedType):
            glue_type_of_duckdb(duck_type)
    else:
        assert glue_type_of_duckdb(duck_type) == glue


def test_unknown_type_of_a_bare_null_cannot_be_stored_in_glue() -> None:
    assert SqlType("unknown").to_athena() == "unknown"
    with pytest.raises(UnsupportedType, match="Unsupported Hive type: unknown"):
        SqlType("unknown").to_glue()


def test_sql_type_is_a_value() -> None:
    assert parse_type("array<int>") == SqlType("array", (), ((None, SqlType("integer")),))


def test_row_field_names_that_are_not_identifiers_are_quoted_in_athenas_spelling() -> None:
    parsed = parse_type("struct<`x y`:int,ok:int>")
    assert (parsed.to_athena(), parsed.to_duckdb()) == (
        'row("x y" integer, ok integer)',
        'STRUCT("x y" INTEGER, "ok" INTEGER)',
    )


@pytest.mark.parametrize(
    ("spelling", "athena"),
    [
        ("timestamp(3) with time zone", "timestamp with time zone"),
        ("json", "json"),
        ("uuid", "uuid"),
        ("time", "time"),
    ],
)
def test_types_hive_cannot_store_have_athena_and_duckdb_spellings_but_no_glue_one(
    spelling: str, athena: str
) -> None:
    parsed = parse_type(spelling)
    assert parsed.to_athena() == athena
    assert parsed.to_duckdb()
    with pytest.raises(UnsupportedType, match=f"Unsupported Hive type: {athena}"):
        parsed.to_glue()


HIVE_TEXT = [
    # (Hive type, DuckDB value, Hive's text for it)
    ("array<int>", "[1, NULL, 3]", "1\x02\\N\x023"),
    ("array<int>", "[]", ""),
    ("map<string,array<int>>", "MAP {'a': [1, 2], 'b': NULL}", "a\x031\x042\x02b\x03\\N"),
    ("struct<x:int,y:array<string>>", "{'x': 1, 'y': ['p', 'q']}", "1\x02p\x03q"),
    ("array<struct<a:int,b:string>>", "[{'a': 1, 'b': 'z'}, NULL]", "1\x03z\x02\\N"),
]


@pytest.mark.parametrize(("hive_type", "value", "text"), HIVE_TEXT)
def test_collections_round_trip_through_hives_text_encoding(hive_type: str, value: str, text: str) -> None:
    sql_type = parse_type(hive_type)
    connection = duckdb.connect()
    written = connection.sql(
        f"SELECT {serialize('v', sql_type)} FROM (SELECT {value}::{sql_type.to_duckdb()} AS v)"
    )
    assert written.fetchone() == (text,)
    read = connection.execute(
        f"SELECT {deserialize('s', sql_type)} = {value}::{sql_type.to_duckdb()} FROM (SELECT $1 AS s)", [text]
    )
    assert read.fetchone() == (True,)


def test_duckdb_list_spelling_is_an_array() -> None:
    assert (
        parse_type('STRUCT(a INTEGER, "b c" VARCHAR)[]').to_athena() == 'array(row(a integer, "b c" varchar))'
    )
