"""insert_overwrite's partition adoption and the staging table's removal, on moto's Glue and S3."""

from __future__ import annotations

from typing import Any

import pytest
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import pending_deletes
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


PARQUET = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"


def create(
    glue: Any, s3: Any, name: str, location: str, parts: dict[str, str], *, keys: tuple[str, ...] = ("day",)
) -> None:
    descriptor = {"Location": location, "Columns": [{"Name": "id", "Type": "int"}], "InputFormat": PARQUET}
    glue.create_table(
        DatabaseName=DB,
        TableInput={
            "Name": name,
            "StorageDescriptor": descriptor,
            "PartitionKeys": [{"Name": key, "Type": "string"} for key in keys],
        },
    )
    for value, where in parts.items():
        glue.create_partition(
            DatabaseName=DB,
            TableName=name,
            PartitionInput={"Values": [value], "StorageDescriptor": {**descriptor, "Location": where}},
        )
        key = where.removeprefix("s3://lake/") + "/data.parquet"
        s3.put_object(Bucket="lake", Key=key, Body=b"x")


def keys(s3: Any, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="lake", Prefix=prefix).get("Contents", []))


def partitions(glue: Any, name: str) -> dict[str, str]:
    found = glue.get_partitions(DatabaseName=DB, TableName=name)["Partitions"]
    return {p["Values"][0]: p["StorageDescriptor"]["Location"] for p in found}


def runs(glue: Any, s3: Any) -> IncrementalRuns:
    return IncrementalRuns(GlueTableStore.of(GlueCatalog(glue)), S3Objects(s3))


def plan(adopt_into: str | None = TARGET) -> Any:
    config = table_config({"partitioned_by": ["day"]}, profile_naming="schema_table_unique")
    return staging_plan(PROFILE, None, DB, "orders", config, adopt_into=adopt_into), scope_for(
        PROFILE, config
    )


def test_the_staging_table_goes_inside_a_partitioned_target_only(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    assert runs(glue, s3).adoption_location(DB, "orders") is None
    create(glue, s3, "orders", TARGET, {})
    assert runs(glue, s3).adoption_location(DB, "orders") == TARGET
    create(glue, s3, "flat", "s3://lake/data/sales/flat/u1", {}, keys=())
    assert runs(glue, s3).adoption_location(DB, "flat") is None


def test_adopts_the_staging_partitions_then_deletes_only_the_replaced_data(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    staging, scope = plan()
    run = staging.build_location
    create(glue, s3, "orders", TARGET, {d: f"{TARGET}/day={d}" for d in ("1", "2", "3")})
    create(glue, s3, "orders__dbt_tmp", run, {d: f"{run}/day={d}" for d in ("2", "4")})

    assert runs(glue, s3).adopt_partitions(staging, DB, "orders", scope) == 2

    assert partitions(glue, "orders") == {
        "1": f"{TARGET}/day=1",
        "2": f"{run}/day=2",
        "3": f"{TARGET}/day=3",
        "4": f"{run}/day=4",
    }
    run_key = run.removeprefix("s3://lake/")
    assert keys(s3, "data/sales/orders/") == sorted(
        [
            "data/sales/orders/u1/day=1/data.parquet",
            "data/sales/orders/u1/day=3/data.parquet",
            f"{run_key}/day=2/data.parquet",
            f"{run_key}/day=4/data.parquet",
        ]
    )
    assert [t["Name"] for t in glue.get_tables(DatabaseName=DB)["TableList"]] == ["orders"]
    adopted = glue.get_partition(DatabaseName=DB, TableName="orders", PartitionValues=["4"])["Partition"]
    assert adopted["StorageDescriptor"]["InputFormat"] == PARQUET
    # The note of the deletes (written before the partitions moved) is cleared once they ran.
    table = glue.get_table(DatabaseName=DB, Name="orders")["Table"]
    assert pending_deletes.PARAMETER not in (table.get("Parameters") or {})


def test_a_partition_at_the_tables_root_is_refused_before_anything_changes(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    staging, scope = plan()
    run = staging.build_location
    create(glue, s3, "orders", TARGET, {"1": f"{TARGET}/day=1", "2": TARGET})
    create(glue, s3, "orders__dbt_tmp", run, {"1": f"{run}/day=1", "2": f"{run}/day=2"})
    with pytest.raises(DbtRuntimeError, match="not a directory of its own below the table's location"):
        runs(glue, s3).adopt_partitions(staging, DB, "orders", scope)
    assert partitions(glue, "orders") == {"1": f"{TARGET}/day=1", "2": TARGET}
    assert len(keys(s3, "data/sales/orders/")) == 4


def test_changed_partition_keys_need_a_full_refresh(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    staging, scope = plan()
    create(glue, s3, "orders", TARGET, {"1": f"{TARGET}/day=1"}, keys=("month",))
    create(glue, s3, "orders__dbt_tmp", staging.build_location, {}, keys=("day",))
    with pytest.raises(DbtRuntimeError, match=r"partitioned by \['month'\].*--full-refresh"):
        runs(glue, s3).adopt_partitions(staging, DB, "orders", scope)


def test_dropping_an_interrupted_staging_table_keeps_the_data_the_target_adopted(
    aws: tuple[Any, Any],
) -> None:
    glue, s3 = aws
    staging, _ = plan()
    run = staging.build_location
    create(glue, s3, "orders", TARGET, {"1": f"{run}/day=1"})  # adopted before the run was killed
    create(glue, s3, "orders__dbt_tmp", run, {d: f"{run}/day={d}" for d in ("1", "2")})

    runs(glue, s3).drop_staging(staging)

    assert [t["Name"] for t in glue.get_tables(DatabaseName=DB)["TableList"]] == ["orders"]
    run_key = run.removeprefix("s3://lake/")
    assert keys(s3, run_key + "/") == [f"{run_key}/day=1/data.parquet"]


def test_drop_staging_removes_entry_and_data_and_tolerates_none(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    staging, _ = plan(adopt_into=None)
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
