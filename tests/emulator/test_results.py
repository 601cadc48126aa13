"""Results through boto3 and PyAthena: pages, the header row, value text, CSV files in S3,
update counts, and PyAthena's default, dict and pandas cursors unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from decimal import Decimal
from typing import Any

import pytest
from pyathena import connect
from pyathena.cursor import DictCursor
from pyathena.pandas.cursor import PandasCursor

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("emulator")]

TYPED_SELECT = """
SELECT
  true AS flag,
  CAST(7 AS TINYINT) AS tiny,
  CAST(1.5 AS DOUBLE) AS ratio,
  CAST(1e10 AS DOUBLE) AS big,
  CAST(0.00001 AS DOUBLE) AS small,
  CAST(1.5 AS DECIMAL(10,2)) AS amount,
  DATE '2024-01-02' AS day,
  TIMESTAMP '2024-01-02 03:04:05.678' AS at,
  [1, 2] AS numbers,
  MAP {'a': 1, 'b': 2} AS counts,
  {'x': 1, 'y': 'a'} AS point,
  CAST('hello' AS BLOB) AS bytes,
  CAST(NULL AS VARCHAR) AS missing,
  'say "hi", ok' AS quoted
"""

EXPECTED_TEXT = (
    "true",
    "7",
    "1.5",
    "1.0E10",
    "1.0E-5",
    "1.50",
    "2024-01-02",
    "2024-01-02 03:04:05.678",
    "[1, 2]",
    "{a=1, b=2}",
    "{x=1, y=a}",
    "68 65 6c 6c 6f",
    None,
    'say "hi", ok',
)


def test_first_page_starts_with_the_header_and_values_render_as_athena(select_clients: Any) -> None:
    state, rows, execution = select_clients.run_query(TYPED_SELECT)
    assert state == "SUCCEEDED"
    header, values = rows
    assert header == (
        "flag", "tiny", "ratio", "big", "small", "amount", "day", "at",
        "numbers", "counts", "point", "bytes", "missing", "quoted",
    )  # fmt: skip
    assert values == EXPECTED_TEXT
    metadata = select_clients.athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])[
        "ResultSet"
    ]["ResultSetMetadata"]["ColumnInfo"]
    types = [(c["Name"], c["Type"], c["Precision"], c["Scale"]) for c in metadata]
    assert types[5] == ("amount", "decimal", 10, 2)
    assert [t for _, t, _, _ in types] == [
        "boolean", "tinyint", "double", "double", "double", "decimal", "date", "timestamp",
        "array", "map", "row", "varbinary", "varchar", "varchar",
    ]  # fmt: skip


def test_pages_of_at_most_1000_rows_cover_2500_rows(select_clients: Any) -> None:
    athena = select_clients.athena
    _state, _rows, execution = select_clients.run_query("SELECT i FROM range(2500) AS t(i) ORDER BY i")
    paginator = athena.get_paginator("get_query_results")
    pages = list(paginator.paginate(QueryExecutionId=execution["QueryExecutionId"]))
    values = [row["Data"][0]["VarCharValue"] for page in pages for row in page["ResultSet"]["Rows"]]
    assert [len(page["ResultSet"]["Rows"]) for page in pages] == [1000, 1000, 501]
    assert values == ["i", *[str(i) for i in range(2500)]]
    small = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"], MaxResults=2)
    assert [r["Data"][0]["VarCharValue"] for r in small["ResultSet"]["Rows"]] == ["i", "0"]
    following = athena.get_query_results(
        QueryExecutionId=execution["QueryExecutionId"], MaxResults=2, NextToken=small["NextToken"]
    )
    assert [r["Data"][0]["VarCharValue"] for r in following["ResultSet"]["Rows"]] == ["1", "2"]


def test_result_csv_in_s3_matches_the_rows_athena_returned(select_clients: Any) -> None:
    _state, rows, execution = select_clients.run_query(TYPED_SELECT)
    location = execution["ResultConfiguration"]["OutputLocation"]
    key = location.removeprefix(f"s3://{select_clients.results_bucket}/")
    body = select_clients.s3.get_object(Bucket=select_clients.results_bucket, Key=key)["Body"].read()
    lines = body.decode().split("\n")
    parsed = list(csv.reader(io.StringIO(body.decode())))
    assert parsed == [[value if value is not None else "" for value in row] for row in rows]
    assert lines[1].startswith('"true","7","1.5",')
    assert ',,"say ""hi"", ok"' in lines[1]  # NULL is an empty unquoted field
    assert body.endswith(b"\n")


def test_ctas_reports_its_update_count(select_clients: Any) -> None:
    table = f"ctas_{uuid.uuid4().hex[:8]}"
    state, rows, execution = select_clients.run_query(f"CREATE TABLE {table} AS SELECT * FROM range(5)")
    results = select_clients.athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    assert state == "SUCCEEDED"
    assert rows == []
    assert results["UpdateCount"] == 5
    assert execution["SubstatementType"] == "CREATE_TABLE_AS_SELECT"
    assert execution["ResultConfiguration"]["OutputLocation"].endswith(".csv")


def _pyathena(select_clients: Any, aws_env: dict[str, str], **kwargs: Any) -> Any:
    return connect(
        s3_staging_dir=select_clients.output_location,
        region_name=aws_env["region_name"],
        endpoint_url=select_clients.emulator.endpoint_url,
        aws_access_key_id=aws_env["aws_access_key_id"],
        aws_secret_access_key=aws_env["aws_secret_access_key"],
        work_group="primary",
        poll_interval=0.01,  # PyAthena waits 1 s between polls by default
        **kwargs,
    )


def test_pyathena_default_cursor_reads_typed_values(select_clients: Any, aws_env: dict[str, str]) -> None:
    with _pyathena(select_clients, aws_env) as connection, connection.cursor() as cursor:
        cursor.execute(TYPED_SELECT)
        description = [(d[0], d[1]) for d in cursor.description]
        (row,) = cursor.fetchall()
        cursor.execute("SELECT i FROM range(2500) AS t(i) ORDER BY i")
        many = cursor.fetchall()
    assert description[:3] == [("flag", "boolean"), ("tiny", "tinyint"), ("ratio", "double")]
    assert row[:8] == (
        True,
        7,
        1.5,
        1e10,
        1e-5,
        Decimal("1.50"),
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5, 678000),
    )
    assert row[8] == [1, 2]
    # PyAthena parses Athena's native map/row text; it keeps their values as text.
    assert row[9] == {"a": "1", "b": "2"}
    assert row[10] in ({"x": 1, "y": "a"}, {"x": "1", "y": "a"})
    assert row[11:] == (b"hello", None, 'say "hi", ok')
    assert many == [(i,) for i in range(2500)]


def test_pyathena_dict_cursor(select_clients: Any, aws_env: dict[str, str]) -> None:
    with (
        _pyathena(select_clients, aws_env, cursor_class=DictCursor) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1 AS a, 'x' AS b")
        assert cursor.fetchall() == [{"a": 1, "b": "x"}]


def test_pyathena_failures_raise_with_athena_message(select_clients: Any, aws_env: dict[str, str]) -> None:
    from pyathena.error import OperationalError

    with (
        _pyathena(select_clients, aws_env) as connection,
        connection.cursor() as cursor,
        pytest.raises(OperationalError, match="SYNTAX_ERROR"),
    ):
        cursor.execute("SELEC 1")


def test_pyathena_pandas_cursor_reads_the_csv_from_s3(
    select_clients: Any, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyAthena's own S3 client reads the result file; boto3 routes it by AWS_ENDPOINT_URL.
    monkeypatch.setenv("AWS_ENDPOINT_URL", select_clients.emulator.endpoint_url)
    select_clients.emulator.reset_stats()
    with (
        _pyathena(select_clients, aws_env, cursor_class=PandasCursor) as connection,
        connection.cursor() as cursor,
    ):
        frame = cursor.execute(
            "SELECT i, CAST(i AS DOUBLE) / 4 AS quarter, CASE WHEN i % 2 = 0 THEN 'even' END AS label "
            "FROM range(1500) AS t(i) ORDER BY i"
        ).as_pandas()
    assert list(frame.columns) == ["i", "quarter", "label"]
    assert frame["i"].tolist() == list(range(1500))
    assert frame["quarter"].tolist() == [i / 4 for i in range(1500)]
    assert frame["label"].isna().tolist() == [i % 2 == 1 for i in range(1500)]
    assert select_clients.emulator.stats().get("s3:GetObject", 0) >= 1


def test_the_session_emulator_runs_a_select_end_to_end(emulator: Any, run_query: Any, s3: Any) -> None:
    """The shared fixture with its default engine: header row, values and the CSV file."""
    state, rows, execution = run_query("SELECT 1 AS one, 'a' AS letter")
    bucket, _, key = execution["ResultConfiguration"]["OutputLocation"].removeprefix("s3://").partition("/")
    assert (state, rows) == ("SUCCEEDED", [("one", "letter"), ("1", "a")])
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b'"one","letter"\n"1","a"\n'


def test_utility_results_have_no_header_and_a_tab_separated_txt_file(
    select_clients: Any, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    table = f"shown_{uuid.uuid4().hex[:8]}"
    select_clients.run_query(f"CREATE TABLE {table} (a INTEGER, b VARCHAR)")
    state, rows, execution = select_clients.run_query(f"DESCRIBE {table}")
    location = execution["ResultConfiguration"]["OutputLocation"]
    key = location.removeprefix(f"s3://{select_clients.results_bucket}/")
    text = select_clients.s3.get_object(Bucket=select_clients.results_bucket, Key=key)["Body"].read().decode()
    assert (state, execution["StatementType"]) == ("SUCCEEDED", "UTILITY")
    assert location.endswith(".txt")
    assert [row[:2] for row in rows] == [("a", "INTEGER"), ("b", "VARCHAR")]  # no header row
    assert [line.split("\t")[:2] for line in text.splitlines()] == [["a", "INTEGER"], ["b", "VARCHAR"]]
    monkeypatch.setenv("AWS_ENDPOINT_URL", select_clients.emulator.endpoint_url)
    with (
        _pyathena(select_clients, aws_env, cursor_class=PandasCursor) as connection,
        connection.cursor() as cursor,
    ):
        frame = cursor.execute(f"DESCRIBE {table}").as_pandas()
    assert frame.iloc[:, :2].values.tolist() == [["a", "INTEGER"], ["b", "VARCHAR"]]
