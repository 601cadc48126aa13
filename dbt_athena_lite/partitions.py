"""Partition columns of a table build: their order in the select, and batches under Athena's limit.

Athena's Hive CTAS needs the partition columns last, in `partitioned_by` order. A CTAS or INSERT
may write at most 100 partitions (HIVE_TOO_MANY_OPEN_PARTITIONS), bucket files counting as writers
too; a bigger table is built as a CTAS of the first batch and INSERTs of the others, each filtered
on its partition values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class BatchKey:
    """One partition field as a batch filter sees it: an expression over the select, and its type."""

    expression: str
    data_type: str | None = None  # Athena's type name of the source column, if known

    @property
    def as_text(self) -> str:
        """What the distinct-values query selects: text, so values come back exactly as Athena prints them."""
        return f"cast({self.expression} as varchar)"

    def condition(self, value: object) -> str:
        if value is None:
            return f"{self.expression} is null"
        literal = "'" + str(value).replace("'", "''") + "'"
        base = (self.data_type or "").split("(")[0].strip().lower()
        if base in _TYPED_LITERALS:
            # A typed comparison on the column itself lets Athena prune the sources' partitions.
            return f"{self.expression} = cast({literal} as {self.data_type})"
        return f"{self.as_text} = {literal}"


# Types whose text form casts back to exactly the same value. Not double/real (their text is
# rounded), timestamp (`timestamp` means timestamp(3): a timestamp(6) value would not match) or
# decimal (without its precision, the cast rounds): a filter that misses a value loses its rows.
_TYPED_LITERALS = frozenset({"varchar", "tinyint", "smallint", "integer", "int", "bigint", "date", "boolean"})


def batch_keys(config: TableConfig, column_types: Mapping[str, str] | None = None) -> list[BatchKey]:
    """The partition fields a build writes, typed from `column_types` (column name -> Athena type)."""
    types = {name.lower(): data_type for name, data_type in (column_types or {}).items()}
    keys = []
    for spec in config.partitioned_by:
        column = partition_column(spec)
        expression = quote(column)
        transform = spec.split("(", 1)[0].strip().lower() if "(" in spec else None
        if transform in _TIME_TRANSFORMS:
            expression = f"date_trunc('{transform}', {expression})"
        keys.append(BatchKey(expression, types.get(column.lower())))
    return keys


def batch_size(config: TableConfig) -> int:
    """Partitions per statement: every (partition, bucket) pair is an open writer."""
    return max(1, config.partitions_limit // (config.bucket_count or 1))


def batch_filters(keys: Sequence[BatchKey], rows: Sequence[Sequence[object]], size: int) -> list[str]:
    """One WHERE condition per batch of at most `size` distinct partition value rows."""
    distinct = list(dict.fromkeys(tuple(row) for row in rows))
    conditions = [
        "(" + " and ".join(key.condition(value) for key, value in zip(keys, row, strict=True)) + ")"
        for row in distinct
    ]
    return [" or ".join(conditions[start : start + size]) for start in range(0, len(conditions), size)] or [
        "true"
    ]
