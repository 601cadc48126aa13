"""Deletes noted in Glue before data becomes unread: a run killed before deleting leaves a note, and
the next rebuild, drop or partition adoption deletes what it names (never what the table reads)."""

from __future__ import annotations

import json
from typing import Any

from dbt_athena_lite import pending_deletes
from dbt_athena_lite.aws.glue import GlueCatalog
from dbt_athena_lite.aws.glue_tables import GlueTableStore
from dbt_athena_lite.aws.s3 import S3Objects
from dbt_athena_lite.config_checks import table_config
from dbt_athena_lite.incremental import staging_plan
from dbt_athena_lite.incremental_runs import IncrementalRuns
from dbt_athena_lite.table_builds import Profile, TableBuilds, scope_for
from dbt_athena_lite.table_swap import swap_storage

DB = "sales"  # the database the `aws` fixture (conftest.py) creates
PROFILE = Profile("s3://lake/staging/", "s3://lake/data/", "s3://lake/tmp/")
NOTE = pending_deletes.PARAMETER


def table(glue: Any, name: str, location: str, parts: dict[str, str] | None = None, note: str = "") -> None:
    glue.create_table(
        DatabaseName=DB,
        TableInput={
            "Name": name,
            "StorageDescriptor": {"Location": location, "Columns": [{"Name": "id", "Type": "int"}]},
            "PartitionKeys": [{"Name": "day", "Type": "string"}] if parts is not None else [],
            "Parameters": {NOTE: note} if note else {},
        },
    )
    for value, where in (parts or {}).items():
        glue.create_partition(
            DatabaseName=DB,
            TableName=name,
            PartitionInput={"Values": [value], "StorageDescriptor": {"Location": where}},
        )


def put(s3: Any, *keys: str) -> None:
    for key in keys:
        s3.put_object(Bucket="lake", Key=key, Body=b"x")


def keys(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="lake").get("Contents", []))


def parameters(glue: Any, name: str) -> dict[str, str]:
    return dict(glue.get_table(DatabaseName=DB, Name=name)["Table"].get("Parameters") or {})


def test_a_note_lists_prefixes_and_only_unread_ones_are_leftovers() -> None:
    note = pending_deletes.with_note({"keep": "me"}, ["s3://lake/t/u2", "s3://lake/t/u1", "s3://lake/t/u1"])
    assert note == {"keep": "me", NOTE: json.dumps(["s3://lake/t/u1", "s3://lake/t/u2"])}
    assert pending_deletes.with_note(note, []) == {"keep": "me"}
    raw = {"Parameters": note}
    assert pending_deletes.leftovers(raw, ["s3://lake/t/u2/day=1"]) == ["s3://lake/t/u1"]
    assert pending_deletes.recorded({"Parameters": {NOTE: "not json"}}) == []
    assert pending_deletes.recorded({"Parameters": {NOTE: '{"a": 1}'}}) == []
    assert pending_deletes.recorded({"Parameters": {NOTE: '["s3://lake/a", "not a path", 3]'}}) == [
        "s3://lake/a"
    ]


def test_a_rebuild_after_a_swap_killed_before_its_deletes_deletes_the_old_data(
    aws: tuple[Any, Any],
) -> None:
    glue, s3 = aws
    builds = TableBuilds(GlueTableStore.of(GlueCatalog(glue)), S3Objects(s3), PROFILE)
    table(glue, "orders", "s3://lake/data/sales/orders/u0")
    table(glue, "orders__dbt_tmp", "s3://lake/data/sales/orders/u1")
    put(s3, "data/sales/orders/u0/a", "data/sales/orders/u1/a", "data/sales/orders_keep/a")
    # The run is killed right after the swap: the note names the old data, which stays.
    swap_storage(
        GlueTableStore.of(GlueCatalog(glue)),
        DB,
        "orders",
        "orders__dbt_tmp",
        pending=["s3://lake/data/sales/orders/u0"],
    )
    assert json.loads(parameters(glue, "orders")[NOTE]) == ["s3://lake/data/sales/orders/u0"]

    plan = builds.plan("awsdatacatalog", DB, "orders", {})
    table(glue, "orders__dbt_tmp", plan.build_location)
    put(s3, plan.build_location.removeprefix("s3://lake/") + "/a")
    builds.finish(plan)

    assert keys(s3) == sorted(
        [plan.build_location.removeprefix("s3://lake/") + "/a", "data/sales/orders_keep/a"]
    )
    # The note now names what this rebuild deleted (u1), found empty by the next one: never u0 again.
    assert json.loads(parameters(glue, "orders")[NOTE]) == ["s3://lake/data/sales/orders/u1"]


def test_a_drop_deletes_noted_data_too(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    builds = TableBuilds(GlueTableStore.of(GlueCatalog(glue)), S3Objects(s3), PROFILE)
    table(glue, "orders", "s3://lake/data/sales/orders/u1", note='["s3://lake/data/sales/orders/u0"]')
    put(s3, "data/sales/orders/u0/a", "data/sales/orders/u1/a", "data/sales/other/a")
    builds.drop(DB, "orders")
    assert keys(s3) == ["data/sales/other/a"]


def test_an_adoption_deletes_what_an_interrupted_one_noted_and_clears_the_note(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    target = "s3://lake/data/sales/orders/u1"
    config = table_config({"partitioned_by": ["day"]}, profile_naming="schema_table_unique")
    staging = staging_plan(PROFILE, None, DB, "orders", config, adopt_into=target)
    # The last run adopted day=1 from run r1 and was killed before deleting the old day=1 data.
    table(
        glue,
        "orders",
        target,
        {"1": f"{target}/r1/day=1", "2": f"{target}/day=2"},
        note=f'["{target}/day=1"]',
    )
    table(glue, "orders__dbt_tmp", staging.build_location, {"2": f"{staging.build_location}/day=2"})
    run = staging.build_location.removeprefix("s3://lake/")
    put(s3, "data/sales/orders/u1/day=1/a", "data/sales/orders/u1/r1/day=1/a", "data/sales/orders/u1/day=2/a")
    put(s3, f"{run}/day=2/a")

    runs = IncrementalRuns(GlueTableStore.of(GlueCatalog(glue)), S3Objects(s3))
    runs.adopt_partitions(staging, DB, "orders", scope_for(PROFILE, config))

    assert keys(s3) == sorted(["data/sales/orders/u1/r1/day=1/a", f"{run}/day=2/a"])
    assert NOTE not in parameters(glue, "orders")
