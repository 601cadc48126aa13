"""Partition column order for Hive CTAS, and batches under Athena's 100-partition limit."""

from __future__ import annotations

import pytest

from dbt_athena_lite.config_checks import ModelConfigError, table_config
from dbt_athena_lite.partitions import batch_expressions, batch_filters, batch_size, columns_partitions_last


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


def test_batch_expressions_follow_iceberg_transforms() -> None:
    cfg = table_config(
        {"table_type": "iceberg", "partitioned_by": ["day(ts)", "bucket(4, id)", "region"]},
        profile_naming="unique",
    )
    assert batch_expressions(cfg) == [
        "cast(date_trunc('day', \"ts\") as varchar)",
        'cast("id" as varchar)',
        'cast("region" as varchar)',
    ]


def test_buckets_count_as_writers() -> None:
    assert batch_size(table_config({}, profile_naming="unique")) == 100
    bucketed = table_config({"bucketed_by": ["id"], "bucket_count": 8}, profile_naming="unique")
    assert batch_size(bucketed) == 12
    assert (
        batch_size(table_config({"bucketed_by": ["id"], "bucket_count": 500}, profile_naming="unique")) == 1
    )


def test_batch_filters_split_distinct_rows_and_handle_nulls_and_quotes() -> None:
    expressions = ['cast("a" as varchar)', 'cast("b" as varchar)']
    rows = [("1", "x"), ("1", None), ("it's", "y"), ("1", "x")]
    assert batch_filters(expressions, rows, 2) == [
        "(cast(\"a\" as varchar) = '1' and cast(\"b\" as varchar) = 'x') or "
        '(cast("a" as varchar) = \'1\' and cast("b" as varchar) is null)',
        "(cast(\"a\" as varchar) = 'it''s' and cast(\"b\" as varchar) = 'y')",
    ]


def test_no_rows_is_one_batch_of_everything() -> None:
    assert batch_filters(['cast("a" as varchar)'], [], 100) == ["true"]
