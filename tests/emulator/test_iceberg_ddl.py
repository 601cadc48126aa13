"""Iceberg DDL through the Athena API: CREATE TABLE, ALTER TABLE, DROP TABLE."""

from __future__ import annotations

from typing import Any

from tests.emulator.conftest import RunQuery
from tests.emulator.test_iceberg import BASE, Sql, ctas, database, failure, sql

__all__ = ["database", "sql"]  # fixtures shared with test_iceberg.py


def create(bucket: str, extra: str = "") -> str:
    return (
        "CREATE TABLE events (id bigint, ts timestamp, s string COMMENT 'label', d date, "
        "amount decimal(10,2), tags array<string>) "
        "PARTITIONED BY (day(ts), bucket(4, id), truncate(3, s), month(d)) "
        f"LOCATION 's3://{bucket}/events' TBLPROPERTIES ('table_type'='ICEBERG'{extra})"
    )


def test_create_table_then_insert_and_read(sql: Sql, bucket: str, glue: Any, database: str) -> None:
    sql(create(bucket, ", 'format'='parquet', 'write_compression'='zstd'"))
    sql(
        "INSERT INTO events VALUES (1, TIMESTAMP '2024-05-01 10:00:00', 'alpha', DATE '2024-05-01', "
        "12.5, ARRAY['x', 'y'])"
    )
    assert sql("SELECT id, ts, s, d, amount, cardinality(tags) FROM events") == [
        ("1", "2024-05-01 10:00:00.000", "alpha", "2024-05-01", "12.50", "2")
    ]
    table = glue.get_table(DatabaseName=database, Name="events")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "bigint"),
        ("ts", "timestamp"),
        ("s", "string"),
        ("d", "date"),
        ("amount", "decimal(10,2)"),
        ("tags", "array<string>"),
    ]


def test_create_table_twice_fails_unless_if_not_exists(
    sql: Sql, bucket: str, run_query: RunQuery, database: str
) -> None:
    sql(create(bucket))
    reason = failure(run_query, database, create(bucket))
    assert reason.startswith("ALREADY_EXISTS"), reason
    sql(create(bucket).replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))


def test_create_table_needs_a_location(run_query: RunQuery, database: str) -> None:
    reason = failure(run_query, database, "CREATE TABLE x (id int) TBLPROPERTIES ('table_type'='ICEBERG')")
    assert reason.startswith("INVALID_TABLE_PROPERTY")


def test_add_columns_then_old_rows_read_null(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("ALTER TABLE t ADD COLUMNS (note string, score double)")
    sql("INSERT INTO t VALUES (4, 'd', 4.0, 'hi', 0.5)")
    assert sql("SELECT id, note, score FROM t WHERE id IN (1, 4) ORDER BY id") == [
        ("1", None, None),
        ("4", "hi", "0.5"),
    ]


def test_change_column_renames_and_keeps_the_data(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("ALTER TABLE t CHANGE COLUMN s label string")
    assert sql("SELECT label FROM t WHERE id = 1") == [("a",)]


def test_rename_table_keeps_data_and_location(sql: Sql, bucket: str, glue: Any, database: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("ALTER TABLE t RENAME TO t2")
    assert sql("SELECT count(*) FROM t2") == [("3",)]
    assert glue.get_table(DatabaseName=database, Name="t2")["Table"]["StorageDescriptor"]["Location"] == (
        f"s3://{bucket}/t"
    )
    assert "t" not in [t["Name"] for t in glue.get_tables(DatabaseName=database)["TableList"]]


def test_set_tblproperties_reaches_the_iceberg_metadata(
    sql: Sql, bucket: str, glue: Any, database: str
) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql(
        "ALTER TABLE t SET TBLPROPERTIES ('write_compression'='gzip', 'vacuum_max_snapshot_age_seconds'='60')"
    )
    parameters = glue.get_table(DatabaseName=database, Name="t")["Table"]["Parameters"]
    assert parameters["write.parquet.compression-codec"] == "gzip"
    assert parameters["history.expire.max-snapshot-age-ms"] == "60000"
    sql("INSERT INTO t VALUES (4, 'd', 4.0)")
    assert sql("SELECT count(*) FROM t") == [("4",)]


def test_drop_table_removes_its_data(sql: Sql, bucket: str, s3: Any, glue: Any, database: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    assert s3.list_objects_v2(Bucket=bucket, Prefix="t/")["KeyCount"] > 0
    sql("DROP TABLE t")
    assert s3.list_objects_v2(Bucket=bucket, Prefix="t/")["KeyCount"] == 0
    assert glue.get_tables(DatabaseName=database)["TableList"] == []


def test_drop_column(sql: Sql, bucket: str, glue: Any, database: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("ALTER TABLE t DROP COLUMN amount")
    assert sql("SELECT * FROM t WHERE id = 1") == [("1", "a")]
    assert sql("SHOW COLUMNS IN t") == [("id",), ("s",)]


def test_drop_column_of_a_hive_table_is_refused(run_query: RunQuery, database: str, bucket: str) -> None:
    state, _, _ = run_query(
        f"CREATE TABLE h WITH (external_location='s3://{bucket}/h/') AS SELECT 1 AS x, 2 AS y", database
    )
    assert state == "SUCCEEDED"
    assert failure(run_query, database, "ALTER TABLE h DROP COLUMN y").startswith("NOT_SUPPORTED")


def test_show_create_table_shows_transforms_and_properties(sql: Sql, bucket: str) -> None:
    sql(create(bucket, ", 'write_compression'='zstd'"))
    lines = [row[0] or "" for row in sql("SHOW CREATE TABLE events")]
    assert lines[0].startswith("CREATE TABLE ") and lines[0].endswith(".events (")
    assert "PARTITIONED BY (day(ts), bucket(4, id), truncate(3, s), month(d))" in lines
    assert f"LOCATION 's3://{bucket}/events'" in lines
    assert "  'table_type'='iceberg', " in lines
    assert "  'write_compression'='zstd')" in lines
