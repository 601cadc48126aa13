"""Translation of Athena statements, without a server: parsing, errors, names, properties, views."""

from __future__ import annotations

import base64
import json

import duckdb
import pytest
from sqlglot import exp

from dbt_athena_lite.emulator.engine import presto_view
from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryContext
from dbt_athena_lite.emulator.engine.clients import make_clients
from dbt_athena_lite.emulator.engine.ddl import _view_query_text, check_column_names
from dbt_athena_lite.emulator.engine.errors import from_duckdb
from dbt_athena_lite.emulator.engine.properties import read_properties
from dbt_athena_lite.emulator.engine.pruning import partition_predicate
from dbt_athena_lite.emulator.engine.translate import Translator, output_names, parse
from dbt_athena_lite.emulator.engine.unload import split_unload


def _translator() -> Translator:
    """A translator for statements that reference no table: it never calls Glue or S3."""
    context = QueryContext("q-1", "123456789012", "us-east-1", "awsdatacatalog", "db", None)
    cursor = duckdb.connect()
    # Port 9 (discard) on loopback: nothing is ever sent there by these tests.
    return Translator("", context, make_clients("http://127.0.0.1:9", "us-east-1"), cursor)


# Athena query -> rows DuckDB computes from the translated SQL
QUERIES = [
    ("SELECT 1", [(1,)]),
    ("SELECT 'a' || 'b'", [("ab",)]),
    ("VALUES (1, 'x'), (2, 'y')", [(1, "x"), (2, "y")]),
    ("SELECT x FROM UNNEST(ARRAY[3, 1, 2]) AS t(x) ORDER BY x", [(1,), (2,), (3,)]),
    ("WITH a AS (SELECT 1 AS n) SELECT n + 1 FROM a", [(2,)]),
    ("SELECT 1 UNION ALL SELECT 2 ORDER BY 1", [(1,), (2,)]),
    ("SELECT CAST('7' AS INTEGER), TRY_CAST('x' AS INTEGER)", [(7, None)]),
    ("SELECT element_at(ARRAY[10, 20], 2), cardinality(ARRAY[1, 2, 3])", [(20, 3)]),
]


@pytest.mark.parametrize(("sql", "expected"), QUERIES)
def test_athena_queries_translate_to_duckdb_sql_that_runs(
    sql: str, expected: list[tuple[object, ...]]
) -> None:
    translator = _translator()
    assert translator.cursor.sql(translator.query_sql(parse(sql))).fetchall() == expected
    assert translator.scanned_bytes == 0


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELEC 1", "line 1:7: mismatched input '1'"),
        ("select * fro t", "line 1:14: mismatched input 't'"),
        ("select 1 from t where", "line 1:17: mismatched input 'where'"),
        ("select (1", "line 1:9: mismatched input '1'"),
    ],
)
def test_syntax_errors_are_athena_shaped_with_positions(sql: str, message: str) -> None:
    with pytest.raises(AthenaQueryError) as raised:
        parse(sql)
    assert raised.value.error_name == "SYNTAX_ERROR"
    assert raised.value.message.startswith(message)


def test_two_statements_are_refused() -> None:
    with pytest.raises(AthenaQueryError, match="Only one sql statement"):
        parse("SELECT 1; SELECT 2")


@pytest.mark.parametrize(
    ("sql", "duck_names", "expected"),
    [
        ("SELECT 1, 'x' AS Label, a FROM t", ["1", "Label", "a"], ["_col0", "label", "a"]),
        ("SELECT * FROM t", ["ID", "Name"], ["id", "name"]),
        ("SELECT t.* FROM t", ["ID"], ["id"]),
        ("SELECT a + 1, b FROM t UNION ALL SELECT 1, 2", ["(a + 1)", "b"], ["_col0", "b"]),
        ("VALUES (1, 2)", ["col0", "col1"], ["_col0", "_col1"]),
        ("SELECT s.x FROM t", ["x"], ["x"]),
    ],
)
def test_result_columns_are_named_like_athena(sql: str, duck_names: list[str], expected: list[str]) -> None:
    assert output_names(parse(sql), duck_names) == expected


def test_ctas_properties_are_read_from_the_tree() -> None:
    tree = parse(
        "CREATE TABLE db.t WITH (format='ORC', external_location='s3://b/p/', write_compression='ZLIB', "
        "partitioned_by=ARRAY['P1', 'p2'], bucketed_by=ARRAY['id'], bucket_count=4, field_delimiter='|') "
        "AS SELECT 1 AS id, 2 AS p1, 3 AS p2 WITH NO DATA"
    )
    assert isinstance(tree, exp.Create)
    props = read_properties(tree)
    assert props.file_format == "ORC"
    assert props.text("external_location") == "s3://b/p/"
    assert props.text("write_compression") == "ZLIB"
    assert props.partitioned_by == ["p1", "p2"]
    assert props.names("bucketed_by") == ["id"]
    assert props.text("bucket_count") == "4"
    assert props.text("field_delimiter") == "|"
    assert props.with_no_data is True


def test_hive_ddl_properties_are_read_from_the_tree() -> None:
    tree = parse(
        "CREATE EXTERNAL TABLE db.t (a int) PARTITIONED BY (dt string) "
        "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' "
        "WITH SERDEPROPERTIES ('separatorChar'=';') STORED AS TEXTFILE LOCATION 's3://b/p/' "
        "TBLPROPERTIES ('skip.header.line.count'='1')"
    )
    assert isinstance(tree, exp.Create)
    props = read_properties(tree)
    assert props.external
    assert props.serde == "org.apache.hadoop.hive.serde2.OpenCSVSerde"
    assert props.serde_properties == {"separatorChar": ";"}
    assert props.file_format == "TEXTFILE"
    assert props.location == "s3://b/p/"
    assert [c.name for c in props.partition_columns] == ["dt"]
    assert props.tblproperties() == {"skip.header.line.count": "1"}


def test_row_format_delimited_becomes_serde_parameters() -> None:
    tree = parse(
        "CREATE EXTERNAL TABLE t (a int) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
        "ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' LOCATION 's3://b/p/'"
    )
    assert isinstance(tree, exp.Create)
    assert read_properties(tree).delimited["field.delim"] == ","


def test_view_text_is_kept_as_written() -> None:
    sql = 'CREATE OR REPLACE VIEW db.v AS\n  SELECT a   AS "As" FROM t -- trailing\n;'
    assert _view_query_text(sql) == 'SELECT a   AS "As" FROM t -- trailing'


def test_presto_view_encoding_round_trips_and_matches_athenas_shape() -> None:
    view = presto_view.PrestoView("SELECT 1 AS a", "awsdatacatalog", "db", [("a", "integer")], owner="me")
    text = presto_view.encode(view)
    assert text.startswith("/* Presto View: ") and text.endswith(" */")
    payload = json.loads(base64.b64decode(text[len("/* Presto View: ") : -3]))
    assert payload == {
        "originalSql": "SELECT 1 AS a",
        "catalog": "awsdatacatalog",
        "schema": "db",
        "columns": [{"name": "a", "type": "integer"}],
        "owner": "me",
        "runAsInvoker": False,
    }
    assert presto_view.decode(text, default_catalog="x", default_schema="y") == view


def test_a_hive_view_text_is_read_as_plain_sql() -> None:
    view = presto_view.decode("SELECT 2", default_catalog="awsdatacatalog", default_schema="db")
    assert (view.original_sql, view.schema) == ("SELECT 2", "db")


@pytest.mark.parametrize(
    ("names", "error"),
    [(["a", "_col1"], "MISSING_COLUMN_NAME"), (["a", "a"], "DUPLICATE_COLUMN_NAME")],
)
def test_ctas_and_views_need_unique_column_names(names: list[str], error: str) -> None:
    with pytest.raises(AthenaQueryError) as raised:
        check_column_names(names)
    assert raised.value.error_name == error


def test_unload_is_cut_into_query_location_and_properties() -> None:
    parts = split_unload(
        "-- comment\nUNLOAD (SELECT ')' AS p, (1 + 2) AS n FROM t) TO 's3://b/out/' "
        "WITH (format = 'JSON', compression = 'GZIP', partitioned_by = ARRAY['p'])"
    )
    assert parts.query == "SELECT ')' AS p, (1 + 2) AS n FROM t"
    assert parts.location == "s3://b/out/"
    assert (parts.properties.file_format, parts.properties.text("compression")) == ("JSON", "GZIP")
    assert parts.properties.partitioned_by == ["p"]


@pytest.mark.parametrize("sql", ["UNLOAD SELECT 1 TO 's3://b/'", "UNLOAD (SELECT 1) INTO 's3://b/'"])
def test_malformed_unload_is_a_syntax_error(sql: str) -> None:
    with pytest.raises(AthenaQueryError, match="SYNTAX_ERROR"):
        split_unload(sql)


@pytest.mark.parametrize(
    ("sql", "predicate"),
    [
        ("SELECT * FROM t WHERE p = 'a' AND x = 1", "(\"p\" = 'a')"),
        ("SELECT * FROM t AS a WHERE a.p IN (1, 2) AND b.p = 3", '("p" IN (1, 2))'),
        ("SELECT * FROM t WHERE p = 'a' OR x = 1", None),
        ("SELECT * FROM t WHERE p = (SELECT max(p) FROM u)", None),
        ("SELECT * FROM u LEFT JOIN t ON u.k = t.k WHERE t.p IS NULL", None),
        ("SELECT * FROM t RIGHT JOIN u ON u.k = t.k WHERE t.p = 'a'", None),
        ("SELECT * FROM t LEFT JOIN u ON u.k = t.k WHERE t.p = 'a'", "(\"p\" = 'a')"),
        ("SELECT * FROM t", None),
    ],
)
def test_partition_predicates_come_from_where_conjuncts_on_partition_keys_only(
    sql: str, predicate: str | None
) -> None:
    tree = parse(sql)
    table = next(t for t in tree.find_all(exp.Table) if t.name == "t")
    assert partition_predicate(table, ["p"]) == predicate


DUCKDB_ERRORS = [
    # (Athena query over t(a integer, b varchar) and u(a integer), error name, message start)
    ("SELECT nope FROM t", "COLUMN_NOT_FOUND", "line 1:8: Column 'nope' cannot be resolved"),
    ("SELECT a FROM t, u", "AMBIGUOUS_NAME", "line 1:8: Column 'a' is ambiguous"),
    (
        "SELECT a, b FROM t GROUP BY a",
        "EXPRESSION_NOT_AGGREGATE",
        "line 1:11: 'b' must be an aggregate expression",
    ),
    (
        "SELECT abs(b) FROM t",
        "FUNCTION_NOT_FOUND",
        "line 1:8: Unexpected parameters (varchar) for function abs",
    ),
    ("SELECT a + b FROM t", "TYPE_MISMATCH", "line 1:1: '+' cannot be applied to integer, varchar"),
    ("SELECT no_such_fn(a) FROM t", "FUNCTION_NOT_FOUND", "line 1:8: Function 'no_such_fn' not registered"),
    ("SELECT 1 UNION SELECT 1, 2", "TYPE_MISMATCH", "line 1:1: Set operation queries have different numbers"),
    ("SELECT CAST('x' AS integer)", "INVALID_CAST_ARGUMENT", "Could not convert string 'x'"),
]


@pytest.mark.parametrize(("sql", "error_name", "message"), DUCKDB_ERRORS)
def test_duckdb_failures_map_to_athenas_errors(sql: str, error_name: str, message: str) -> None:
    cursor = duckdb.connect()
    cursor.execute("CREATE TABLE t (a INTEGER, b VARCHAR); CREATE TABLE u (a INTEGER)")
    tree = parse(sql)
    with pytest.raises(duckdb.Error) as raised:
        cursor.execute(tree.sql(dialect="duckdb"))
    mapped = from_duckdb(sql, tree, raised.value)
    assert mapped.error_name == error_name
    assert mapped.message.startswith(message)
