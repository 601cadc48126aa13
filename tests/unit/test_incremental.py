"""Incremental configs (strategies, defaults, errors with their fix), staging plans, merge columns,
partition replacement and the literals microbatch renders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from dbt.adapters.base.relation import EventTimeFilter

from dbt_athena_lite.config_checks import ModelConfigError, table_config
from dbt_athena_lite.incremental import (
    ddl_type,
    incremental_config,
    merge_condition,
    merge_update_columns,
    staging_plan,
    timestamp_literal,
)
from dbt_athena_lite.relation import AthenaLiteRelation
from dbt_athena_lite.table_builds import Profile

PROFILE = Profile("s3://lake/staging/", "s3://lake/data/", "s3://lake/tmp/")


def config(**raw: Any) -> Any:
    return incremental_config(raw, table_config(raw, profile_naming="schema_table_unique"))


@pytest.mark.parametrize(
    ("raw", "strategy"),
    [
        ({}, "append"),  # dbt-athena: insert_overwrite without partitions falls back to append
        ({"partitioned_by": ["day"]}, "insert_overwrite"),
        ({"table_type": "iceberg"}, "append"),
        ({"table_type": "iceberg", "unique_key": "id"}, "merge"),
        ({"incremental_strategy": "APPEND", "partitioned_by": ["day"]}, "append"),
    ],
)
def test_default_and_named_strategies(raw: dict[str, Any], strategy: str) -> None:
    assert config(**raw).strategy == strategy


@pytest.mark.parametrize(
    ("raw", "option", "fix"),
    [
        ({"incremental_strategy": "insert_overwrite"}, "incremental_strategy", "Set partitioned_by"),
        (
            {"incremental_strategy": "merge", "unique_key": "id"},
            "incremental_strategy",
            "table_type='iceberg'",
        ),
        (
            {"incremental_strategy": "insert_overwrite", "table_type": "iceberg"},
            "incremental_strategy",
            "'merge'",
        ),
        ({"incremental_strategy": "upsert"}, "incremental_strategy", "append, insert_overwrite, microbatch"),
        ({"incremental_strategy": "merge", "table_type": "iceberg"}, "unique_key", "Set unique_key"),
        (
            {"incremental_strategy": "microbatch", "event_time": "ts"},
            "partitioned_by",
            "partitioned_by=['event_date']",
        ),
        (
            {
                "table_type": "iceberg",
                "unique_key": "id",
                "merge_update_columns": ["a"],
                "merge_exclude_columns": ["b"],
            },
            "merge_update_columns",
            "Keep one of them",
        ),
        (
            {"table_type": "iceberg", "delete_condition": "src.x"},
            "delete_condition",
            "incremental_strategy='merge'",
        ),
        (
            {"table_type": "iceberg", "unique_key": "id", "incremental_predicates": "a > 1"},
            "incremental_predicates",
            "list",
        ),
        ({"unique_key": 3}, "unique_key", "unique_key=['id']"),
        ({"on_schema_change": "sync"}, "on_schema_change", "append_new_columns"),
    ],
)
def test_configs_that_cannot_work_fail_with_the_fix(raw: dict[str, Any], option: str, fix: str) -> None:
    with pytest.raises(ModelConfigError) as error:
        config(**raw)
    assert error.value.config == option
    assert f"Model config `{option}`" in str(error.value)
    assert fix in str(error.value)


def test_merge_config_keeps_dbt_athena_options() -> None:
    cfg = config(
        table_type="iceberg",
        unique_key=["id", "day", "id"],
        incremental_predicates=["DBT_INTERNAL_DEST.day > date '2024-01-01'"],
        delete_condition="dbt_internal_source.deleted",
        update_condition="target.version < src.version",
        insert_condition="not src.deleted",
    )
    assert cfg.unique_key == ("id", "day")
    assert cfg.incremental_predicates == ("target.day > date '2024-01-01'",)
    assert cfg.delete_condition == "src.deleted"
    assert cfg.update_condition == "target.version < src.version"
    assert not cfg.replaces_partitions


def test_merge_condition_rewrites_only_the_aliases() -> None:
    assert (
        merge_condition("x.dbt_internal_dest_col = DBT_INTERNAL_DEST.a")
        == "x.dbt_internal_dest_col = target.a"
    )


def test_hive_microbatch_and_insert_overwrite_replace_partitions() -> None:
    assert config(partitioned_by=["day"]).replaces_partitions
    assert config(
        partitioned_by=["day"], incremental_strategy="microbatch", event_time="ts"
    ).replaces_partitions
    assert not config(partitioned_by=["day"], incremental_strategy="append").replaces_partitions
    assert not config(
        table_type="iceberg", incremental_strategy="microbatch", event_time="ts"
    ).replaces_partitions


def test_merge_update_columns() -> None:
    columns = ["id", "Msg", "color"]
    base = {"table_type": "iceberg", "unique_key": "ID"}
    assert merge_update_columns(config(**base), columns) == ["Msg", "color"]
    assert merge_update_columns(config(**base, merge_exclude_columns=["msg"]), columns) == ["color"]
    assert merge_update_columns(config(**base, merge_update_columns=["MSG"]), columns) == ["Msg"]
    with pytest.raises(ModelConfigError, match="names 'colour', which the model does not have"):
        merge_update_columns(config(**base, merge_update_columns=["colour"]), columns)


def test_staging_plan_is_temporary_unique_and_never_at_the_models_location() -> None:
    target = table_config(
        {
            "partitioned_by": ["day"],
            "bucketed_by": ["id"],
            "bucket_count": 4,
            "format": "orc",
            "s3_data_naming": "table",
            "external_location": "s3://lake/fixed/orders/",
        },
        profile_naming="schema_table_unique",
    )
    plan = staging_plan(PROFILE, "awsdatacatalog", "sales", "orders", target)
    assert plan.identifier == plan.build_identifier == "orders__dbt_tmp"
    assert plan.build_location.startswith("s3://lake/tmp/sales/orders__dbt_tmp/")
    assert plan.config.partitioned_by == ("day",)
    assert plan.config.bucketed_by == () and plan.config.external_location is None
    assert not plan.swap
    assert staging_plan(PROFILE, None, "sales", "orders", target).build_location != plan.build_location


def test_iceberg_staging_is_iceberg_and_unpartitioned() -> None:
    target = table_config(
        {"table_type": "iceberg", "partitioned_by": ["day(ts)"]}, profile_naming="schema_table_unique"
    )
    plan = staging_plan(PROFILE, None, "sales", "orders", target)
    assert plan.config.is_iceberg and plan.config.partitioned_by == ()


def test_adopted_staging_is_inside_the_target_in_its_format_with_its_guard_scope() -> None:
    target = table_config(
        {
            "partitioned_by": ["day"],
            "format": "orc",
            "write_compression": "zstd",
            "bucketed_by": ["id"],
            "bucket_count": 4,
            "external_location": "s3://lake/fixed/orders/",
        },
        profile_naming="schema_table_unique",
    )
    plan = staging_plan(PROFILE, None, "sales", "orders", target, adopt_into="s3://lake/fixed/orders")
    run_dir = plan.build_location.removeprefix("s3://lake/fixed/orders/")
    assert run_dir != plan.build_location and "/" not in run_dir
    assert (plan.config.format, plan.config.write_compression) == ("orc", "zstd")
    assert (plan.config.bucketed_by, plan.config.bucket_count) == (("id",), 4)
    assert plan.config.external_location is None and plan.config.partitioned_by == ("day",)
    assert plan.scope.declared_location == "s3://lake/fixed/orders/"
    again = staging_plan(PROFILE, None, "sales", "orders", target, adopt_into="s3://lake/fixed/orders")
    assert again.build_location != plan.build_location


def test_timestamp_literals_are_utc() -> None:
    assert timestamp_literal(datetime(2020, 1, 2, 3, 4, 5)) == "timestamp '2020-01-02 03:04:05.000000'"
    east = timezone(timedelta(hours=2))
    assert (
        timestamp_literal(datetime(2020, 1, 2, 3, 0, tzinfo=east)) == "timestamp '2020-01-02 01:00:00.000000'"
    )


def test_event_time_filter_compares_timestamps() -> None:
    relation = AthenaLiteRelation.create(database="awsdatacatalog", schema="s", identifier="events")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    window = EventTimeFilter(field_name="event_time", start=start, end=start + timedelta(days=1))
    assert relation._render_event_time_filtered(window) == (
        "event_time >= timestamp '2020-01-01 00:00:00.000000' and event_time < timestamp '2020-01-02 00:00:00.000000'"
    )
    assert relation._render_event_time_filtered(EventTimeFilter(field_name="t", end=start)) == (
        "t < timestamp '2020-01-01 00:00:00.000000'"
    )


@pytest.mark.parametrize(
    ("athena", "hive"),
    [
        ("varchar", "string"),
        ("integer", "int"),
        ("varchar(10)", "varchar(10)"),
        ("bigint", "bigint"),
        ("string", "string"),
    ],
)
def test_ddl_types(athena: str, hive: str) -> None:
    assert ddl_type(athena) == hive
