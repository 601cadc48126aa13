"""OPTIMIZE ... REWRITE DATA USING BIN_PACK and VACUUM on Iceberg tables, through the Athena API."""

from __future__ import annotations

from typing import Any

from dbt_athena_lite.emulator.engine.clients import make_clients
from dbt_athena_lite.emulator.engine.iceberg_catalog import load_table
from dbt_athena_lite.emulator.engine.iceberg_scan import current_files
from tests.emulator.conftest import RunningEmulator, RunQuery
from tests.emulator.test_iceberg import BASE, Sql, ctas, database, failure, sql

__all__ = ["database", "sql"]  # fixtures shared with test_iceberg.py


def data_objects(s3: Any, bucket: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="t/data/").get("Contents", [])
    return [item["Key"] for item in listed]


def test_optimize_bin_packs_the_current_files_and_vacuum_deletes_the_old_ones(
    sql: Sql, bucket: str, s3: Any, emulator: RunningEmulator, database: str
) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("INSERT INTO t VALUES (4, 'd', 4.0)")
    sql("INSERT INTO t VALUES (5, 'e', 5.0)")
    clients = make_clients(emulator.endpoint_url, "us-east-1")
    assert len(current_files(load_table(clients, database, "t"))) == 3

    sql("OPTIMIZE t REWRITE DATA USING BIN_PACK")
    assert len(current_files(load_table(clients, database, "t"))) == 1
    assert sql("SELECT count(*), sum(id) FROM t") == [("5", "15")]
    assert len(data_objects(s3, bucket)) == 4  # the old files stay until VACUUM

    sql("ALTER TABLE t SET TBLPROPERTIES ('vacuum_max_snapshot_age_seconds'='0')")
    sql("VACUUM t")
    assert len(load_table(clients, database, "t").snapshots()) == 1
    assert len(data_objects(s3, bucket)) == 1
    assert sql("SELECT count(*) FROM t") == [("5",)]


def test_optimize_with_where_and_a_single_file_changes_nothing(sql: Sql, bucket: str) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    sql("OPTIMIZE t REWRITE DATA USING BIN_PACK WHERE id > 1")
    assert sql("SELECT count(*) FROM t") == [("3",)]


def test_optimize_of_a_hive_table_is_refused(run_query: RunQuery, database: str, bucket: str) -> None:
    state, _, _ = run_query(
        f"CREATE TABLE h WITH (external_location='s3://{bucket}/h/') AS SELECT 1 AS x", database
    )
    assert state == "SUCCEEDED"
    assert failure(run_query, database, "VACUUM h").startswith("NOT_SUPPORTED")
