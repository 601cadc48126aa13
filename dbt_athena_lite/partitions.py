"""Partition columns of a table build: their order in the select, and batches under Athena's limit.

Athena's Hive CTAS needs the partition columns last, in `partitioned_by` order. A CTAS or INSERT
may write at most 100 partitions (HIVE_TOO_MANY_OPEN_PARTITIONS), bucket files counting as writers
too; a bigger table is built as a CTAS of the first batch and INSERTs of the others, each filtered
on its partition values.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbt_athena_lite.config_checks import ModelConfigError, TableConfig, partition_column

TOO_MANY_PARTITIONS = "TOO_MANY_OPEN_PARTITIONS"  # in HIVE_/ICEBERG_TOO_MANY_OPEN_PARTITIONS

# Iceberg transforms batched on the value they partition by; others (bucket, truncate) on the column.
_TIME_TRANSFORMS = ("year", "month", "day", "hour")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def columns_partitions_last(columns: Sequence[str], partitioned_by: Sequence[str]) -> list[str] | None:
    """The select's columns with the partition columns moved last, or None if they already are."""
    lowered = [c.lower() for c in columns]
    missing = [p for p in partitioned_by if p.lower() not in lowered]
    if missing:
        raise ModelConfigError(
            "partitioned_by",
            f"column {missing[0]!r} is not in the model's select (columns: {', '.join(columns)})",
            "Select the partition column, or correct the name in partitioned_by",
        )
    keys = [p.lower() for p in partitioned_by]
    if lowered[len(lowered) - len(keys) :] == keys:
        return None
    if len(keys) == len(lowered):
        raise ModelConfigError(
            "partitioned_by", "lists every column of the select", "Athena needs at least one data column"
        )
    return [c for c in columns if c.lower() not in keys] + [columns[lowered.index(k)] for k in keys]


def batch_expressions(config: TableConfig) -> list[str]:
    """SQL expressions whose distinct values are the partitions a build writes."""
    expressions = []
    for spec in config.partitioned_by:
        column = quote(partition_column(spec))
        transform = spec.split("(", 1)[0].strip().lower() if "(" in spec else None
        if transform in _TIME_TRANSFORMS:
            column = f"date_trunc('{transform}', {column})"
        expressions.append(f"cast({column} as varchar)")
    return expressions


def batch_size(config: TableConfig) -> int:
    """Partitions per statement: every (partition, bucket) pair is an open writer."""
    return max(1, config.partitions_limit // (config.bucket_count or 1))


def _literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _condition(expressions: Sequence[str], values: Sequence[object]) -> str:
    parts = [
        f"{expr} is null" if value is None else f"{expr} = {_literal(value)}"
        for expr, value in zip(expressions, values, strict=True)
    ]
    return "(" + " and ".join(parts) + ")"


def batch_filters(expressions: Sequence[str], rows: Sequence[Sequence[object]], size: int) -> list[str]:
    """One WHERE condition per batch of at most `size` distinct partition value rows."""
    distinct = list(dict.fromkeys(tuple(row) for row in rows))
    return [
        " or ".join(_condition(expressions, row) for row in distinct[start : start + size])
        for start in range(0, len(distinct), size)
    ] or ["true"]
