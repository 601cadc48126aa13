"""fix_semantics as a pure AST function: the rewrites it makes, typed by a schema, and its helpers.

The values these rewrites compute are checked end to end in tests/emulator/test_sql_functions.py.
"""

from __future__ import annotations

import duckdb
import pytest
import sqlglot

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.semantics import RULES, apply_duckdb_settings, fix_semantics
from dbt_athena_lite.emulator.engine.semantics_numbers import literal_shape
from dbt_athena_lite.emulator.engine.semantics_text import java_replacement_to_re2
from dbt_athena_lite.emulator.engine.semantics_time import joda_to_strftime

SCHEMA: dict[str, object] = {
    "t": {"ts": "timestamp", "d": "date", "m": "map<varchar, integer>", "n": "integer", "s": "varchar"}
}


def duckdb_sql(athena_sql: str, schema: dict[str, object] | None = None) -> str:
    return fix_semantics(sqlglot.parse_one(athena_sql, read="athena"), schema).sql(dialect="duckdb")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("yyyy-MM-dd", "%Y-%m-%d"),
        ("yyyy-MM-dd HH:mm:ss.SSS", "%Y-%m-%d %H:%M:%S.%g"),
        ("d MMM yy, h:mm a", "%-d %b %y, %-I:%M %p"),
        ("EEEE 'at' HH'h'", "%A at %Hh"),
        ("'quoted ''' 100%", "quoted ' 100%%"),
    ],
)
def test_joda_patterns_become_strftime_codes(pattern: str, expected: str) -> None:
    assert joda_to_strftime(pattern) == expected


@pytest.mark.parametrize(
    ("text", "shape"),
    [("0", (1, 0)), ("0.50", (3, 2)), ("12345", (5, 0)), ("0000012345.1234500000", (20, 10)), ("1e3", None)],
)
def test_decimal_literals_count_every_digit(text: str, shape: tuple[int, int] | None) -> None:
    assert literal_shape(text) == shape


def test_integer_quotient_is_left_to_duckdbs_integer_division() -> None:
    assert duckdb_sql("SELECT CAST(7 AS INTEGER) / 2") == "SELECT CAST(7 AS INT) / 2"


def test_decimal_quotient_type_follows_athena() -> None:
    assert duckdb_sql("SELECT 1 / 3.0") == "SELECT CAST(CAST(1 AS DOUBLE) / 3.0 AS DECIMAL(12, 1))"


def test_unsupported_joda_letter_is_reported() -> None:
    with pytest.raises(AthenaQueryError) as raised:
        joda_to_strftime("yyyy-ww")
    assert raised.value.error_name == "NOT_SUPPORTED"
    assert "'w'" in raised.value.message


@pytest.mark.parametrize(
    ("athena", "re2"),
    [("[$1]", "[\\1]"), ("$2$1", "\\2\\1"), ("\\$1", "$1"), ("a\\\\b", "a\\\\b"), ("plain", "plain")],
)
def test_replacement_strings_use_re2_group_references(athena: str, re2: str) -> None:
    assert java_replacement_to_re2(athena) == re2


def test_schema_types_columns_for_type_dependent_rules() -> None:
    sql = duckdb_sql("SELECT CAST(t.ts AS VARCHAR), date_add('day', 1, t.d), cardinality(t.m) FROM t", SCHEMA)
    assert sql == (
        "SELECT STRFTIME(t.ts, '%Y-%m-%d %H:%M:%S.%g'), CAST(t.d + INTERVAL 1 DAY AS DATE), "
        "CARDINALITY(t.m) FROM t"
    )


def test_schema_types_unqualified_and_aliased_columns() -> None:
    sql = duckdb_sql(
        "SELECT date_trunc('month', d), CAST(x.ts AS VARCHAR) FROM t AS x "
        "WHERE n IN (SELECT n FROM t WHERE date_add('day', 1, d) > DATE '2024-01-01')",
        SCHEMA,
    )
    assert sql == (
        "SELECT CAST(DATE_TRUNC('MONTH', d) AS DATE), STRFTIME(x.ts, '%Y-%m-%d %H:%M:%S.%g') FROM t AS x "
        "WHERE n IN (SELECT n FROM t WHERE CAST(d + INTERVAL 1 DAY AS DATE) > CAST('2024-01-01' AS DATE))"
    )


def test_schema_keyed_by_database_and_table() -> None:
    sql = duckdb_sql("SELECT date_trunc('month', d) FROM db.t", {"db": SCHEMA})
    assert sql == "SELECT CAST(DATE_TRUNC('MONTH', d) AS DATE) FROM db.t"


def test_columns_of_a_join_need_their_table_named() -> None:
    # Unqualified columns of a two-table scope stay untyped (which table they come from is unknown).
    sql = duckdb_sql(
        "SELECT date_trunc('month', a.d), date_trunc('month', d) FROM t AS a JOIN t AS b ON a.n = b.n", SCHEMA
    )
    assert sql == (
        "SELECT CAST(DATE_TRUNC('MONTH', a.d) AS DATE), DATE_TRUNC('MONTH', d) FROM t AS a JOIN t AS b ON a.n = b.n"
    )


def test_without_a_schema_column_dependent_rules_leave_the_sql_alone() -> None:
    assert duckdb_sql("SELECT CAST(t.ts AS VARCHAR) FROM t") == "SELECT CAST(t.ts AS TEXT) FROM t"


def test_unnest_of_a_map_column_becomes_key_and_value_columns() -> None:
    sql = duckdb_sql("SELECT k, v FROM t CROSS JOIN UNNEST(t.m) AS u(k, v)", SCHEMA)
    assert sql == (
        "SELECT k, v FROM t CROSS JOIN (SELECT UNNEST(MAP_KEYS(t.m)) AS k, UNNEST(MAP_VALUES(t.m)) AS v) AS u"
    )


def test_nested_rewrites_see_their_fixed_children() -> None:
    # date_trunc on a DATE is re-typed DATE, so the date_add around it stays a DATE too.
    sql = duckdb_sql("SELECT date_add('month', 1, date_trunc('month', DATE '2024-03-15'))")
    assert sql.startswith("SELECT CAST(CAST(DATE_TRUNC('MONTH', CAST('2024-03-15' AS DATE)) AS DATE)")


def test_the_root_node_can_be_replaced() -> None:
    assert duckdb_sql("date_diff('day', a, b)") == "DATE_SUB('day', a, b)"


def test_statements_without_gaps_are_unchanged() -> None:
    athena = "SELECT a, count(*) AS c FROM db.t WHERE b > 1 GROUP BY a ORDER BY c DESC LIMIT 5"
    assert duckdb_sql(athena) == sqlglot.transpile(athena, read="athena", write="duckdb")[0]


def test_every_rule_states_the_athena_rule_it_implements() -> None:
    transforms = [t for ts in RULES.by_node.values() for t in ts] + list(RULES.by_function.values())
    assert len(transforms) >= 30
    undocumented = [transform.__name__ for transform in transforms if not (transform.__doc__ or "").strip()]
    assert undocumented == []


def test_session_settings_reach_cursors_made_later() -> None:
    connection = duckdb.connect()
    apply_duckdb_settings(connection)
    cursor = connection.cursor()  # the engine runs every statement on its own cursor
    assert cursor.execute("SELECT 7 / 2, current_setting('TimeZone')").fetchall() == [(3, "UTC")]
