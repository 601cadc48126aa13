"""The Glue storage swap and the table builds on moto's Glue and S3: partitions, versions, fixed locations."""

from __future__ import annotations

from typing import Any

import pytest

from dbt_athena_lite.aws.glue import GlueCatalog
from dbt_athena_lite.aws.glue_tables import GlueTableStore, versions_to_delete
from dbt_athena_lite.aws.s3 import S3Objects, delete_requests
from dbt_athena_lite.config_checks import ModelConfigError
from dbt_athena_lite.s3_guard import S3DeleteRefused
from dbt_athena_lite.table_builds import BUILT_AT_PARAMETER, Profile, TableBuilds
from dbt_athena_lite.table_swap import partition_changes, rebase, relocate, swap_storage

DB = "sales"  # the database the `aws` fixture (conftest.py) creates


def create(
    glue: Any, name: str, location: str, parts: dict[str, str] | None = None, keys: bool = True
) -> None:
    glue.create_table(
        DatabaseName=DB,
        TableInput={
            "Name": name,
            "TableType": "EXTERNAL_TABLE",
            "StorageDescriptor": {"Location": location, "Columns": [{"Name": "id", "Type": "int"}]},
            "PartitionKeys": [{"Name": "dt", "Type": "string"}] if keys else [],
            "Parameters": {"classification": "parquet"},
        },
    )
    for value, where in (parts or {}).items():
        glue.create_partition(
            DatabaseName=DB,
            TableName=name,
            PartitionInput={"Values": [value], "StorageDescriptor": {"Location": where}},
        )


def partitions(glue: Any, name: str) -> dict[str, str]:
    found = glue.get_partitions(DatabaseName=DB, TableName=name)["Partitions"]
    return {p["Values"][0]: p["StorageDescriptor"]["Location"] for p in found}


def test_partition_changes_same_keys() -> None:
    current = [{"Values": ["1"]}, {"Values": ["2"]}]
    new = [{"Values": ["2"], "Parameters": {}}, {"Values": ["3"]}]
    changes = partition_changes(current, new, same_keys=True)
    assert [p["Values"] for p in changes.create] == [["3"]]
    assert [p["Values"] for p in changes.update] == [["2"]]
    assert changes.delete == [["1"]]


def test_partition_changes_new_keys_replace_everything() -> None:
    changes = partition_changes([{"Values": ["1"]}], [{"Values": ["1", "a"]}], same_keys=False)
    assert (len(changes.create), changes.update, changes.delete) == (1, [], [["1"]])


def test_rebase() -> None:
    assert rebase("s3://bkt/tmp/t/u/dt=1", "s3://bkt/tmp/t/u", "s3://bkt/data/t") == "s3://bkt/data/t/dt=1"
    assert rebase("s3://bkt/tmp/t/u/", "s3://bkt/tmp/t/u", "s3://bkt/data/t/") == "s3://bkt/data/t"
    with pytest.raises(ValueError, match="cannot be moved"):
        rebase("s3://bkt/elsewhere/dt=1", "s3://bkt/tmp/t/u", "s3://bkt/data/t")


def test_versions_to_delete_keeps_the_newest() -> None:
    assert versions_to_delete(["1", "10", "2", "9", "3"], 3) == ["2", "1"]
    assert versions_to_delete(["1"], 4) == []


def test_delete_requests_are_batches_of_1000() -> None:
    batches = list(delete_requests("b", [f"k{i}" for i in range(2500)]))
    assert [len(b["Delete"]["Objects"]) for b in batches] == [1000, 1000, 500]


def test_swap_moves_storage_and_partitions_in_one_entry(aws: tuple[Any, Any]) -> None:
    glue, _ = aws
    create(
        glue, "orders", "s3://lake/data/old", {"1": "s3://lake/data/old/dt=1", "2": "s3://lake/data/old/dt=2"}
    )
    create(
        glue,
        "orders__dbt_tmp",
        "s3://lake/data/new",
        {"2": "s3://lake/data/new/dt=2", "3": "s3://lake/data/new/dt=3"},
    )
    store = GlueTableStore.of(GlueCatalog(glue))
    old = swap_storage(store, DB, "orders", "orders__dbt_tmp")
    assert old == ["s3://lake/data/old", "s3://lake/data/old/dt=1", "s3://lake/data/old/dt=2"]
    table = glue.get_table(DatabaseName=DB, Name="orders")["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://lake/data/new"
    assert partitions(glue, "orders") == {"2": "s3://lake/data/new/dt=2", "3": "s3://lake/data/new/dt=3"}
    assert [t["Name"] for t in glue.get_tables(DatabaseName=DB)["TableList"]] == ["orders"]


def test_swap_between_partitioned_and_not(aws: tuple[Any, Any]) -> None:
    glue, _ = aws
    create(glue, "orders", "s3://lake/data/old", {"1": "s3://lake/data/old/dt=1"})
    create(glue, "orders__dbt_tmp", "s3://lake/data/new", keys=False)
    swap_storage(GlueTableStore.of(GlueCatalog(glue)), DB, "orders", "orders__dbt_tmp")
    assert partitions(glue, "orders") == {}
    assert glue.get_table(DatabaseName=DB, Name="orders")["Table"]["PartitionKeys"] == []


def test_relocate(aws: tuple[Any, Any]) -> None:
    glue, _ = aws
    create(glue, "orders", "s3://lake/tmp/orders/u", {"1": "s3://lake/tmp/orders/u/dt=1"})
    relocate(
        GlueTableStore.of(GlueCatalog(glue)), DB, "orders", "s3://lake/tmp/orders/u", "s3://lake/data/orders"
    )
    assert glue.get_table(DatabaseName=DB, Name="orders")["Table"]["StorageDescriptor"]["Location"] == (
        "s3://lake/data/orders"
    )
    assert partitions(glue, "orders") == {"1": "s3://lake/data/orders/dt=1"}


def test_prune_versions(aws: tuple[Any, Any]) -> None:
    glue, _ = aws
    create(glue, "orders", "s3://lake/data/v0")
    for i in range(1, 6):
        glue.update_table(
            DatabaseName=DB, TableInput={"Name": "orders", "StorageDescriptor": {"Location": f"v{i}"}}
        )
    store = GlueTableStore.of(GlueCatalog(glue))
    assert store.prune_versions(DB, "orders", 2) == 4
    versions = glue.get_table_versions(DatabaseName=DB, TableName="orders")["TableVersions"]
    assert sorted(int(v["VersionId"]) for v in versions) == [5, 6]


PROFILE = Profile("s3://lake/staging/", "s3://lake/data/", "s3://lake/tmp/", "schema_table")


def put(s3: Any, *keys: str) -> None:
    for key in keys:
        s3.put_object(Bucket="lake", Key=key, Body=b"x")


def keys(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="lake").get("Contents", []))


def builds(aws: tuple[Any, Any]) -> TableBuilds:
    glue, s3 = aws
    return TableBuilds(GlueTableStore.of(GlueCatalog(glue)), S3Objects(s3), PROFILE)


def test_fixed_location_rebuild_ends_at_the_fixed_location(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    create(glue, "orders", "s3://lake/data/sales/orders", {"1": "s3://lake/data/sales/orders/dt=1"})
    put(s3, "data/sales/orders/dt=1/old.parquet", "data/sales/orders2/keep", "data/sales/keep")
    plan = builds(aws).plan("awsdatacatalog", DB, "orders", {"partitioned_by": ["dt"]})
    assert plan.build_identifier == "orders__dbt_tmp"
    assert plan.final_location == "s3://lake/data/sales/orders"
    assert plan.build_location.startswith("s3://lake/tmp/sales/orders__dbt_tmp/")
    build_key = plan.build_location.removeprefix("s3://lake/")
    create(glue, "orders__dbt_tmp", plan.build_location, {"2": plan.build_location + "/dt=2"})
    put(s3, f"{build_key}/dt=2/new.parquet")
    builds(aws).finish(plan)
    table = glue.get_table(DatabaseName=DB, Name="orders")["Table"]
    assert table["StorageDescriptor"]["Location"] == "s3://lake/data/sales/orders"
    assert partitions(glue, "orders") == {"2": "s3://lake/data/sales/orders/dt=2"}
    assert keys(s3) == ["data/sales/keep", "data/sales/orders/dt=2/new.parquet", "data/sales/orders2/keep"]
    assert [t["Name"] for t in glue.get_tables(DatabaseName=DB)["TableList"]] == ["orders"]


def test_leftover_tmp_table_is_removed_but_never_the_targets_data(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    # A crash after the swap: target and leftover tmp entry read the same location.
    create(glue, "orders", "s3://lake/tmp/sales/orders__dbt_tmp/u1", keys=False)
    create(glue, "orders__dbt_tmp", "s3://lake/tmp/sales/orders__dbt_tmp/u1", keys=False)
    put(s3, "tmp/sales/orders__dbt_tmp/u1/a.parquet")
    plan = builds(aws).plan("awsdatacatalog", DB, "orders", {})
    assert [t["Name"] for t in glue.get_tables(DatabaseName=DB)["TableList"]] == ["orders"]
    assert keys(s3) == ["tmp/sales/orders__dbt_tmp/u1/a.parquet"]
    assert plan.swap


def test_first_build_at_a_fixed_location_with_leftovers_is_refused(aws: tuple[Any, Any]) -> None:
    _, s3 = aws
    put(s3, "data/sales/orders/stray.csv")
    with pytest.raises(Exception, match="HIVE_PATH_ALREADY_EXISTS"):
        builds(aws).plan("awsdatacatalog", DB, "orders", {})
    assert keys(s3) == ["data/sales/orders/stray.csv"]


def test_rebuild_of_a_table_outside_the_roots_is_refused_before_anything(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    create(glue, "orders", "s3://lake/raw/orders", keys=False)
    put(s3, "raw/orders/a.csv")
    with pytest.raises(S3DeleteRefused, match="outside the directories"):
        builds(aws).plan("awsdatacatalog", DB, "orders", {"s3_data_naming": "unique"})
    assert keys(s3) == ["raw/orders/a.csv"]


def test_drop_keeps_unowned_data_and_deletes_recorded_external_data(aws: tuple[Any, Any]) -> None:
    glue, s3 = aws
    create(glue, "legacy", "s3://lake/raw/legacy", keys=False)
    create(glue, "ext", "s3://lake/exports/ext", keys=False)
    glue.update_table(
        DatabaseName=DB,
        TableInput={
            "Name": "ext",
            "StorageDescriptor": {"Location": "s3://lake/exports/ext"},
            "Parameters": {BUILT_AT_PARAMETER: "s3://lake/exports/ext/"},
        },
    )
    put(s3, "raw/legacy/a.csv", "exports/ext/a.parquet", "exports/ext2/keep")
    builds(aws).drop(DB, "legacy")
    builds(aws).drop(DB, "ext")
    assert glue.get_tables(DatabaseName=DB)["TableList"] == []
    assert keys(s3) == ["exports/ext2/keep", "raw/legacy/a.csv"]


def test_a_view_gives_way_only_once_the_table_is_built(aws: tuple[Any, Any]) -> None:
    glue, _ = aws
    glue.create_table(
        DatabaseName=DB,
        TableInput={"Name": "orders", "TableType": "VIRTUAL_VIEW", "ViewOriginalText": "/* Presto View */"},
    )
    plan = builds(aws).plan("awsdatacatalog", DB, "orders", {"s3_data_naming": "schema_table_unique"})
    assert (plan.build_identifier, plan.replaces_view, plan.swap) == ("orders__dbt_tmp", True, False)
    assert glue.get_table(DatabaseName=DB, Name="orders")["Table"]["TableType"] == "VIRTUAL_VIEW"
    create(glue, "orders__dbt_tmp", plan.build_location, {"1": plan.build_location + "/dt=1"})
    builds(aws).finish(plan)
    table = glue.get_table(DatabaseName=DB, Name="orders")["Table"]
    assert (table["TableType"], table["StorageDescriptor"]["Location"]) == (
        "EXTERNAL_TABLE",
        plan.build_location,
    )
    assert partitions(glue, "orders") == {"1": plan.build_location + "/dt=1"}
    assert [t["Name"] for t in glue.get_tables(DatabaseName=DB)["TableList"]] == ["orders"]


def test_an_external_location_over_another_tables_data_is_refused_before_anything(
    aws: tuple[Any, Any],
) -> None:
    glue, _ = aws
    create(glue, "events", "s3://lake/exports/events", keys=False)
    for location, relation in (
        ("s3://lake/exports/events/mine", "lies within"),
        ("s3://lake/exports", "contains"),
    ):
        with pytest.raises(
            ModelConfigError,
            match=f"external_location`: '{location}/' {relation} the data of table sales.events",
        ):
            builds(aws).plan("awsdatacatalog", DB, "orders", {"external_location": location})
    builds(aws).plan("awsdatacatalog", DB, "orders", {"external_location": "s3://lake/exports/orders"})
    assert [t["Name"] for t in glue.get_tables(DatabaseName=DB)["TableList"]] == ["events"]


def glue_calls(glue: Any) -> list[str]:
    """Records the name of every Glue operation the client makes from now on."""
    made: list[str] = []
    glue.meta.events.register("before-call.glue.*", lambda model, **_: made.append(model.name))
    return made


def test_a_first_build_in_a_schema_dbt_listed_asks_glue_nothing(aws: tuple[Any, Any]) -> None:
    glue, _ = aws
    made = glue_calls(glue)

    plan = builds(aws).plan("awsdatacatalog", DB, "orders", {}, known_names=set())

    assert (plan.build_identifier, plan.swap) == ("orders", False)
    assert made == []


def test_a_rebuild_reads_the_target_but_no_tmp_table_dbt_did_not_list(aws: tuple[Any, Any]) -> None:
    glue, _ = aws
    create(glue, "orders", "s3://lake/data/sales/orders/u1", keys=False)
    made = glue_calls(glue)

    plan = builds(aws).plan("awsdatacatalog", DB, "orders", {}, known_names={"orders"})

    assert plan.swap
    assert made == ["GetTable"]  # no GetPartitions either: the table has no partition keys


def test_finish_reads_only_the_build_the_plan_read_the_target(aws: tuple[Any, Any]) -> None:
    glue, _ = aws
    create(glue, "orders", "s3://lake/data/sales/orders/u1", {"1": "s3://lake/data/sales/orders/u1/dt=1"})
    config = {"s3_data_naming": "schema_table_unique"}  # not a fixed location: no move after the swap
    plan = builds(aws).plan("awsdatacatalog", DB, "orders", config, known_names={"orders"})
    create(glue, "orders__dbt_tmp", plan.build_location, {"1": plan.build_location + "/dt=1"})
    made = glue_calls(glue)

    builds(aws).finish(plan)

    reads = [name for name in made if name in ("GetTable", "GetPartitions")]
    assert reads == ["GetTable", "GetPartitions"]  # orders__dbt_tmp
    # The swap notes the deletes that follow in its own UpdateTable; nothing is spent clearing the note.
    assert made.count("UpdateTable") == 1
    assert partitions(glue, "orders") == {"1": plan.build_location + "/dt=1"}
