"""Partition column order for Hive CTAS, and batches under Athena's 100-partition limit."""

from __future__ import annotations

import pytest

from dbt_athena_lite.config_checks import ModelConfigError, table_config
from dbt_athena_lite.partitions import (
    BatchKey,
    batch_filters,
    batch_keys,
    batch_size,
    columns_partitions_last,
)


def test_partition_columns_moved_last_in_config_order() -> None:
    assert columns_partitions_last(["dt", "id", "region", "v"], ["region", "dt"]) == [
        "id",
        "v",
        "region",
        "dt",
    ]


def test_already_last_needs_no_wrapper() -> None:
    assert columns_partitions_last(["id", "Region", "dt"], ["region", "dt"]) is None


def test_missing_partition_column_is_named() -> None:
    with pytest.raises(ModelConfigError, match="'dt' is not in the model's select"):
        columns_partitions_last(["id"], ["dt"])


def test_only_partition_columns_is_refused() -> None:
    with pytest.raises(ModelConfigError, match="at least one data column"):
        columns_partitions_last(["dt", "id"], ["id", "dt"])


def test_batch_keys_follow_iceberg_transforms() -> None:
    cfg = table_config(
        {"table_type": "iceberg", "partitioned_by": ["day(ts)", "bucket(4, id)", "region"]},
        profile_naming="unique",
    )
    keys = batch_keys(cfg, {"TS": "TIMESTAMP", "id": "INTEGER"})
    assert [k.as_text for k in keys] == [
        "cast(date_trunc('day', \"ts\") as varchar)",
        'cast("id" as varchar)',
        'cast("region" as varchar)',
    ]
    assert [k.data_type for k in keys] == ["TIMESTAMP", "INTEGER", None]


@pytest.mark.parametrize(
    ("data_type", "condition"),
    [
        ("VARCHAR", "\"p\" = cast('it''s' as VARCHAR)"),
        ("INTEGER", "\"p\" = cast('it''s' as INTEGER)"),
        ("DATE", "\"p\" = cast('it''s' as DATE)"),
        # Text that would not cast back to the same value: compared as text.
        ("TIMESTAMP", "cast(\"p\" as varchar) = 'it''s'"),
        ("DOUBLE", "cast(\"p\" as varchar) = 'it''s'"),
        ("DECIMAL", "cast(\"p\" as varchar) = 'it''s'"),
        (None, "cast(\"p\" as varchar) = 'it''s'"),
    ],
)
def test_conditions_are_typed_only_where_exact(data_type: str | None, condition: str) -> None:
    assert BatchKey('"p"', data_type).condition("it's") == condition
    assert BatchKey('"p"', data_type).condition(None) == '"p" is null'


def test_buckets_count_as_writers() -> None:
    assert batch_size(table_config({}, profile_naming="unique")) == 100
    bucketed = table_config({"bucketed_by": ["id"], "bucket_count": 8}, profile_naming="unique")
    assert batch_size(bucketed) == 12
    assert (
        batch_size(table_config({"bucketed_by": ["id"], "bucket_count": 500}, profile_naming="unique")) == 1
    )


def test_batch_filters_split_distinct_rows() -> None:
    keys = [BatchKey('"a"'), BatchKey('"b"', "BIGINT")]
    rows = [("1", "2"), ("1", None), ("x", "3"), ("1", "2")]
    assert batch_filters(keys, rows, 2) == [
        "(cast(\"a\" as varchar) = '1' and \"b\" = cast('2' as BIGINT)) or "
        '(cast("a" as varchar) = \'1\' and "b" is null)',
        "(cast(\"a\" as varchar) = 'x' and \"b\" = cast('3' as BIGINT))",
    ]


def test_no_rows_is_one_batch_of_everything() -> None:
    assert batch_filters([BatchKey('"a"')], [], 100) == ["true"]
