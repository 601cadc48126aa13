"""insert_overwrite's partition replacement and the staging table's removal, on moto's Glue and S3."""

from __future__ import annotations

from typing import Any

import pytest
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite.aws.glue import GlueCatalog
from dbt_athena_lite.aws.glue_tables import GlueTableStore
from dbt_athena_lite.aws.s3 import S3Objects
from dbt_athena_lite.config_checks import table_config
from dbt_athena_lite.incremental import staging_plan
from dbt_athena_lite.incremental_runs import IncrementalRuns
from dbt_athena_lite.table_builds import Profile, scope_for

DB = "sales"  # the database the `aws` fixture (conftest.py) creates
PROFILE = Profile("s3://lake/staging/", "s3://lake/data/", "s3://lake/tmp/")
TARGET = "s3://lake/data/sales/orders/u1"


def create(glue: Any, s3: Any, name: str, location: str, parts: dict[str, str]) -> None:
    glue.create_table(
        DatabaseName=DB,
        TableInput={
            "Name": name,
            "StorageDescriptor": {"Location": location, "Columns": [{"Name": "id", "Type": "int"}]},
            "PartitionKeys": [{"Name": "day", "Type": "string"}],
        },
    )
    for value, where in parts.items():
        glue.create_partition(
            DatabaseName=DB,
            TableName=name,
            PartitionInput={"Values": [value], "StorageDescriptor": {"Location": where}},
        )
        key = where.removeprefix("s3://lake/") + "/data.parquet"
        s3.put_object(Bucket="lake", Key=key, Body=b"x")


def keys(s3: Any, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix=prefix).get("Contents", []))


def runs(glue: Any, s3: Any) -> IncrementalRuns:
    return IncrementalRuns(GlueTableStore.of(GlueCatalog(glue)), S3Objects(s3))


def plan() -> Any:
    config = table_config({"partitioned_by": ["day"]}, profile_naming="schema_table_unique")
    return staging_plan(PROFILE, None, DB, "orders", config), scope_for(PROFILE, config)


def test_replaces_exactly_the_partitions_the_staging_table_has(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    staging, scope = plan()
    create(glue, s3, "orders", TARGET, {d: f"{TARGET}/day={d}" for d in ("1", "2", "3")})
    create(
        glue,
        s3,
        "orders__dbt_tmp",
        staging.build_location,
        {d: f"{staging.build_location}/day={d}" for d in ("2", "4")},
    )

    assert runs(glue, s3).replace_partitions(staging, DB, "orders", scope) == 1

    left = glue.get_partitions(DatabaseName=DB, TableName="orders")["Partitions"]
    assert sorted(p["Values"][0] for p in left) == ["1", "3"]
    assert keys(s3, "data/sales/orders/") == [
        "data/sales/orders/u1/day=1/data.parquet",
        "data/sales/orders/u1/day=3/data.parquet",
    ]


def test_a_partition_at_the_tables_root_is_refused_before_anything_is_deleted(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    staging, scope = plan()
    create(glue, s3, "orders", TARGET, {"1": f"{TARGET}/day=1", "2": TARGET})
    create(
        glue,
        s3,
        "orders__dbt_tmp",
        staging.build_location,
        {"1": f"{staging.build_location}/day=1", "2": "x"},
    )
    with pytest.raises(DbtRuntimeError, match="not a directory of its own below the table's location"):
        runs(glue, s3).replace_partitions(staging, DB, "orders", scope)
    assert len(glue.get_partitions(DatabaseName=DB, TableName="orders")["Partitions"]) == 2
    assert len(keys(s3, "data/sales/orders/")) == 2


def test_drop_staging_removes_entry_and_data_and_tolerates_none(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    staging, _ = plan()
    runs(glue, s3).drop_staging(staging)  # nothing there: nothing to do
    create(glue, s3, "orders__dbt_tmp", staging.build_location, {"1": f"{staging.build_location}/day=1"})
    runs(glue, s3).drop_staging(staging)
    assert glue.get_tables(DatabaseName=DB)["TableList"] == []
    assert keys(s3, "tmp/") == []


def test_columns_an_iceberg_schema_change_dropped_are_not_the_tables() -> None:
    from dbt_athena_lite.aws.glue import table_from_glue

    raw = {
        "DatabaseName": DB,
        "Name": "orders",
        "Parameters": {"table_type": "ICEBERG"},
        "StorageDescriptor": {
            "Columns": [
                {"Name": "id", "Type": "int", "Parameters": {"iceberg.field.current": "true"}},
                {"Name": "field2", "Type": "string", "Parameters": {"iceberg.field.current": "false"}},
                {"Name": "plain", "Type": "string"},
            ]
        },
    }
    assert [c.name for c in table_from_glue(raw).columns] == ["id", "plain"]
