"""Iceberg tables through the Athena API: CTAS, reads, INSERT, MERGE, UPDATE, DELETE, Glue shape."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from dbt_athena_lite.emulator.engine.clients import make_clients
from dbt_athena_lite.emulator.engine.iceberg_catalog import load_table
from tests.emulator.conftest import RunningEmulator, RunQuery

Sql = Callable[[str], list[tuple[str | None, ...]]]


@pytest.fixture
def database(run_query: RunQuery) -> str:
    name = f"ice_{uuid.uuid4().hex[:8]}"
    state, _, execution = run_query(f"CREATE DATABASE {name}")
    assert state == "SUCCEEDED", execution["Status"]
    return name


@pytest.fixture
def sql(run_query: RunQuery, database: str) -> Sql:
    """Run a statement that must succeed; its rows without the header."""

    def run(text: str) -> list[tuple[str | None, ...]]:
        state, rows, execution = run_query(text, database)
        assert state == "SUCCEEDED", execution["Status"].get("StateChangeReason")
        return rows[1:] if execution["StatementType"] == "DML" and rows else rows

    return run


def failure(run_query: RunQuery, database: str, text: str) -> str:
    state, _, execution = run_query(text, database)
    assert state == "FAILED"
    reason: str = execution["Status"]["StateChangeReason"]
    return reason


def ctas(location: str, query: str, *, name: str = "t", extra: str = "") -> str:
    return (
        f"CREATE TABLE {name} WITH (table_type='ICEBERG', is_external=false, location='{location}'{extra}) "
        f"AS {query}"
    )


BASE = "SELECT * FROM (VALUES (1, 'a', 10.5), (2, 'b', 20.0), (3, 'c', 30.0)) AS v(id, s, amount)"


def test_ctas_then_select_reads_the_rows_with_iceberg_types(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    assert sql("SELECT id, s, amount FROM t ORDER BY id") == [
        ("1", "a", "10.5"),
        ("2", "b", "20.0"),
        ("3", "c", "30.0"),
    ]


def test_ctas_glue_entry_looks_like_athenas(sql: Sql, bucket: str, glue: Any, database: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE, extra=", write_compression='snappy'"))
    table = glue.get_table(DatabaseName=database, Name="t")["Table"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["Parameters"]["metadata_location"].startswith(f"s3://{bucket}/t/metadata/")
    assert table["Parameters"]["write.parquet.compression-codec"] == "snappy"
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "int"),
        ("s", "string"),
        ("amount", "decimal(3,1)"),
    ]
    assert table["StorageDescriptor"]["Location"] == f"s3://{bucket}/t"


def test_ctas_without_location_fails_as_athena_does(run_query: RunQuery, database: str) -> None:
    reason = failure(
        run_query, database, "CREATE TABLE t WITH (table_type='ICEBERG', is_external=false) AS SELECT 1 AS x"
    )
    assert reason.startswith("INVALID_TABLE_PROPERTY")
    assert "location" in reason


@pytest.mark.parametrize(
    "partitioning",
    ["day(ts)", "month(d)", "year(d)", "hour(ts)", "bucket(4, id)", "truncate(3, s)", "s"],
)
def test_ctas_with_each_partition_transform(sql: Sql, bucket: str, partitioning: str) -> None:
    query = (
        "SELECT id, s, CAST(ts AS timestamp) AS ts, CAST(ts AS date) AS d FROM (VALUES "
        "(1, 'apple', '2024-01-01 10:00:00'), (2, 'apricot', '2024-02-03 11:00:00'), "
        "(3, 'banana', '2025-03-04 12:00:00')) AS v(id, s, ts)"
    )
    sql(ctas(f"s3://{bucket}/p", query, extra=f", partitioning=ARRAY['{partitioning}']"))
    assert sql("SELECT id, s, d FROM t ORDER BY id") == [
        ("1", "apple", "2024-01-01"),
        ("2", "apricot", "2024-02-03"),
        ("3", "banana", "2025-03-04"),
    ]


def test_ctas_with_no_data_creates_an_empty_table(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE + " WITH NO DATA"))
    assert sql("SELECT count(*) FROM t") == [("0",)]
    sql("INSERT INTO t VALUES (7, 'z', 1.5)")
    assert sql("SELECT id, s FROM t") == [("7", "z")]


def test_insert_into_casts_by_position(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("INSERT INTO t SELECT 4, 'd', 40")
    sql("INSERT INTO t (s, id) VALUES ('e', 5)")
    assert sql("SELECT id, s, amount FROM t WHERE id > 3 ORDER BY id") == [
        ("4", "d", "40.0"),
        ("5", "e", None),
    ]


MERGE = """MERGE INTO t USING (SELECT * FROM (VALUES (1, 'A', 0.0), (3, 'gone', -1.0), (9, 'new', 9.0))
AS s(id, s, amount)) AS src ON t.id = src.id
WHEN MATCHED AND src.amount < 0 THEN DELETE
WHEN MATCHED THEN UPDATE SET s = src.s, amount = src.amount
WHEN NOT MATCHED THEN INSERT (id, s, amount) VALUES (src.id, src.s, src.amount)"""


def test_merge_updates_deletes_and_inserts(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql(MERGE)
    assert sql("SELECT id, s, amount FROM t ORDER BY id") == [
        ("1", "A", "0.0"),
        ("2", "b", "20.0"),
        ("9", "new", "9.0"),
    ]


def test_merge_with_not_matched_condition(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql(
        "MERGE INTO t USING (SELECT * FROM (VALUES (8, 'x'), (9, 'y')) AS s(id, s)) AS src ON t.id = src.id "
        "WHEN NOT MATCHED AND src.id > 8 THEN INSERT (id, s) VALUES (src.id, src.s)"
    )
    assert sql("SELECT id FROM t ORDER BY id") == [("1",), ("2",), ("3",), ("9",)]


def test_merge_with_a_target_row_matched_twice_fails(
    sql: Sql, bucket: str, run_query: RunQuery, database: str
) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    reason = failure(
        run_query,
        database,
        "MERGE INTO t USING (SELECT * FROM (VALUES (1, 'x'), (1, 'y')) AS s(id, s)) AS src ON t.id = src.id "
        "WHEN MATCHED THEN UPDATE SET s = src.s",
    )
    assert reason.startswith("MERGE_TARGET_ROW_MULTIPLE_MATCHES")
    assert sql("SELECT s FROM t WHERE id = 1") == [("a",)]


def test_update_and_delete(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("UPDATE t SET s = upper(s) WHERE id >= 2")
    sql("DELETE FROM t WHERE id = 3")
    assert sql("SELECT id, s FROM t ORDER BY id") == [("1", "a"), ("2", "B")]


@pytest.mark.parametrize("extra", ["", ", partitioning=ARRAY['s']"], ids=["unpartitioned", "partitioned"])
def test_delete_of_every_row_in_a_file_leaves_an_empty_table(sql: Sql, bucket: str, extra: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE, extra=extra))
    sql("DELETE FROM t WHERE id = 1")  # empties one file (one partition when partitioned by s)
    assert sql("SELECT id FROM t ORDER BY id") == [("2",), ("3",)]
    sql("DELETE FROM t WHERE true")
    assert sql("SELECT count(*) FROM t") == [("0",)]
    sql("INSERT INTO t VALUES (4, 'd', 4.0)")  # the table is still usable
    assert sql("SELECT id FROM t") == [("4",)]


def test_update_count_is_reported(run_query: RunQuery, sql: Sql, bucket: str, database: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    _, _, execution = run_query("DELETE FROM t WHERE id < 3", database)
    assert execution["Statistics"].get("DataManifestLocation") is None or True
    assert sql("SELECT count(*) FROM t") == [("1",)]


def test_reads_in_views_joins_and_ctas_sources(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("CREATE VIEW v AS SELECT id, s FROM t WHERE id > 1")
    sql(ctas(f"s3://{bucket}/u", "SELECT id, amount * 2 AS doubled FROM t", name="u"))
    assert sql("SELECT v.s, u.doubled FROM v JOIN u ON v.id = u.id ORDER BY v.id") == [
        ("b", "40.0"),
        ("c", "60.0"),
    ]


def test_hidden_path_and_file_size_columns(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    rows = sql('SELECT id, "$path", "$file_size" FROM t ORDER BY id')
    assert [row[0] for row in rows] == ["1", "2", "3"]
    path, size = rows[0][1], rows[0][2]
    assert path is not None and path.startswith(f"s3://{bucket}/t/data/") and path.endswith(".parquet")
    assert size is not None and int(size) > 0
    assert sql("SELECT count(*) FROM t WHERE \"$path\" LIKE '%.parquet'") == [("3",)]


def test_ctas_stores_the_types_athena_gives_the_query(
    sql: Sql, bucket: str, glue: Any, database: str
) -> None:
    sql(
        ctas(
            f"s3://{bucket}/t",
            "SELECT sum(x) AS total, CAST(1 AS smallint) AS small FROM (VALUES 1, 2) AS v(x)",
        )
    )
    columns = glue.get_table(DatabaseName=database, Name="t")["Table"]["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"]) for c in columns] == [("total", "bigint"), ("small", "int")]
    assert sql("SELECT total, small FROM t") == [("3", "1")]


def test_ctas_formats_and_compressions(sql: Sql, bucket: str, glue: Any, database: str) -> None:
    """pyiceberg writes Parquet: an ORC or Avro table keeps its format property, files are Parquet."""
    for index, (fmt, codec) in enumerate([("parquet", "gzip"), ("orc", "zstd"), ("avro", "snappy")]):
        name = f"f{index}"
        sql(
            ctas(
                f"s3://{bucket}/{name}",
                BASE,
                name=name,
                extra=f", format='{fmt}', write_compression='{codec}'",
            )
        )
        assert sql(f"SELECT count(*) FROM {name}") == [("3",)]
        parameters = glue.get_table(DatabaseName=database, Name=name)["Table"]["Parameters"]
        assert (parameters["format"], parameters["write.parquet.compression-codec"]) == (fmt, codec)


def test_iceberg_ctas_refuses_hive_partitioned_by(run_query: RunQuery, database: str, bucket: str) -> None:
    reason = failure(
        run_query,
        database,
        ctas(f"s3://{bucket}/t", "SELECT 1 AS a, 2 AS b", extra=", partitioned_by=ARRAY['b']"),
    )
    assert reason.startswith("INVALID_TABLE_PROPERTY") and "partitioning" in reason


def test_time_travel_by_snapshot_id_and_timestamp(
    sql: Sql, bucket: str, run_query: RunQuery, database: str, emulator: RunningEmulator
) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    table = load_table(make_clients(emulator.endpoint_url, "us-east-1"), database, "t")
    first = table.current_snapshot()
    assert first is not None
    sql("ALTER TABLE t ADD COLUMNS (note string)")
    sql("INSERT INTO t VALUES (4, 'd', 4.0, 'new')")
    assert sql(f"SELECT count(*) FROM t FOR VERSION AS OF {first.snapshot_id}") == [("3",)]
    as_of = datetime.fromtimestamp(first.timestamp_ms / 1000, tz=timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S.%f"
    )
    assert sql(f"SELECT * FROM t FOR TIMESTAMP AS OF TIMESTAMP '{as_of} UTC' WHERE id = 1") == [
        ("1", "a", "10.5")  # the snapshot's schema: no `note` yet
    ]
    assert failure(run_query, database, "SELECT * FROM t FOR VERSION AS OF 42").startswith(
        "INVALID_ARGUMENTS"
    )
