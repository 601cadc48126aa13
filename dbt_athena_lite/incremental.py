"""Incremental models: which strategy runs, the staging table it reads, and the partitions it replaces.

An incremental run builds the model's new rows into a staging table (`<name>__dbt_tmp`, at a fresh
location under `s3_tmp_table_dir`, or inside the target's location when its partitions are adopted),
then writes them into the target with the strategy's SQL:
- append (Hive, Iceberg): INSERT INTO.
- insert_overwrite (Hive): no statement. The staging table is written inside the target's location,
  in its format, and the target's partitions are pointed at the staging partitions' data in Glue
  (incremental_runs.py); the replaced data is deleted afterwards. The staging table is partitioned
  like the target, so its Glue partition values are written exactly as the target's are: no value is
  compared in a textual form that might differ (timestamps, decimals).
- merge (Iceberg): MERGE INTO on `unique_key`.
- microbatch: insert_overwrite of the batch's partitions (Hive); DELETE of the batch's event-time
  window, then INSERT (Iceberg), so a batch re-run replaces its rows, with or without a unique key.
The staging table is dropped after the model, also when it fails (the adapter's post_model_hook).

Strategies and defaults follow dbt-athena: Hive defaults to insert_overwrite (append when the table
is not partitioned, which is what dbt-athena does in that case); Iceberg, where dbt-athena's default
would fail, defaults to merge with a unique_key and to append without one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from dbt_athena_lite import locations, s3_paths
from dbt_athena_lite.config_checks import ModelConfigError, TableConfig
from dbt_athena_lite.table_builds import TMP_SUFFIX, Profile, TablePlan, new_table_location, scope_for

STRATEGIES = {
    "hive": ("append", "insert_overwrite", "microbatch"),
    "iceberg": ("append", "merge", "microbatch"),
}
ON_SCHEMA_CHANGE = ("ignore", "fail", "append_new_columns", "sync_all_columns")
_MERGE_CONDITIONS = ("delete_condition", "update_condition", "insert_condition")


@dataclass(frozen=True)
class IncrementalConfig:
    strategy: str
    table_type: str
    unique_key: tuple[str, ...] = ()
    incremental_predicates: tuple[str, ...] = ()
    merge_update_columns: tuple[str, ...] = ()
    merge_exclude_columns: tuple[str, ...] = ()
    delete_condition: str | None = None
    update_condition: str | None = None
    insert_condition: str | None = None
    event_time: str | None = None
    on_schema_change: str = "ignore"

    @property
    def replaces_partitions(self) -> bool:
        """The run removes the target partitions its new data touches (Hive insert_overwrite)."""
        return self.table_type == "hive" and self.strategy in ("insert_overwrite", "microbatch")


@dataclass(frozen=True)
class IncrementalPlan:
    config: IncrementalConfig
    target: TableConfig
    staging: TablePlan  # built by the table build steps, dropped after the model

    @property
    def batching(self) -> TablePlan:
        """The staging plan with the target's partition fields: batch filters over the staging rows."""
        return replace(self.staging, config=self.target)


def default_strategy(table: TableConfig, unique_key: Sequence[str]) -> str:
    if table.is_iceberg:
        return "merge" if unique_key else "append"
    return "insert_overwrite" if table.partitioned_by else "append"


def incremental_config(raw: Mapping[str, Any], table: TableConfig) -> IncrementalConfig:
    """Validate the incremental configs of a model whose table config is `table`."""
    unique_key = _unique_key(raw.get("unique_key"))
    strategy = raw.get("incremental_strategy") or default_strategy(table, unique_key)
    allowed = STRATEGIES[table.table_type]
    if not isinstance(strategy, str) or strategy.lower() not in allowed:
        raise ModelConfigError("incremental_strategy", *_strategy_problem(strategy, table))
    strategy = strategy.lower()
    if strategy == "insert_overwrite" and not table.partitioned_by:
        raise ModelConfigError(
            "incremental_strategy",
            "'insert_overwrite' replaces the partitions the new rows fall in, but the model has no "
            "partitioned_by",
            "Set partitioned_by (e.g. partitioned_by=['event_date']), or use incremental_strategy='append'",
        )
    if strategy == "merge" and not unique_key:
        raise ModelConfigError(
            "unique_key",
            "incremental_strategy='merge' needs the columns that identify a row",
            "Set unique_key to a column or a list of columns, or use incremental_strategy='append'",
        )
    if strategy == "microbatch" and not table.is_iceberg and not table.partitioned_by:
        raise ModelConfigError(
            "partitioned_by",
            "the 'microbatch' strategy on a Hive table replaces each batch's partitions, and the model "
            "has none",
            "Partition by the event time at the batch's grain or finer (e.g. partitioned_by=['event_date'] "
            "for batch_size='day'), or set table_type='iceberg'",
        )
    update_columns = _names(raw, "merge_update_columns")
    exclude_columns = _names(raw, "merge_exclude_columns")
    if update_columns and exclude_columns:
        raise ModelConfigError(
            "merge_update_columns",
            "cannot be set together with merge_exclude_columns",
            "Keep one of them: the columns to update, or the columns to leave as they are",
        )
    conditions = {name: _condition(raw, name) for name in _MERGE_CONDITIONS}
    if strategy != "merge":
        _check_merge_only(raw, strategy, update_columns, exclude_columns, conditions)
    return IncrementalConfig(
        strategy=strategy,
        table_type=table.table_type,
        unique_key=unique_key,
        incremental_predicates=_predicates(raw),
        merge_update_columns=update_columns,
        merge_exclude_columns=exclude_columns,
        event_time=raw.get("event_time"),
        on_schema_change=_on_schema_change(raw),
        **conditions,
    )


def _strategy_problem(strategy: Any, table: TableConfig) -> tuple[str, str]:
    allowed = STRATEGIES[table.table_type]
    problem = f"{strategy!r} is not supported for table_type='{table.table_type}'"
    if strategy == "merge":
        return (
            problem,
            "Set table_type='iceberg' to merge on unique_key, or use 'insert_overwrite' or 'append'",
        )
    if strategy == "insert_overwrite":
        return problem, "Use 'merge' with unique_key (Iceberg replaces rows, not partitions), or 'append'"
    return problem, f"Use one of: {', '.join(allowed)}"


def _check_merge_only(
    raw: Mapping[str, Any],
    strategy: str,
    update_columns: Sequence[str],
    exclude_columns: Sequence[str],
    conditions: Mapping[str, str | None],
) -> None:
    """Merge settings on another strategy would be silently ignored: say so instead."""
    names = [name for name, value in conditions.items() if value]
    names += ["merge_update_columns"] if update_columns else []
    names += ["merge_exclude_columns"] if exclude_columns else []
    if names:
        raise ModelConfigError(
            names[0],
            f"only applies to incremental_strategy='merge' (the strategy is {strategy!r})",
            "Remove it, or use incremental_strategy='merge' (table_type='iceberg')",
        )


def _on_schema_change(raw: Mapping[str, Any]) -> str:
    value = raw.get("on_schema_change") or "ignore"
    if value not in ON_SCHEMA_CHANGE:
        raise ModelConfigError(
            "on_schema_change", f"{value!r} is not supported", f"Use one of: {', '.join(ON_SCHEMA_CHANGE)}"
        )
    return str(value)


def merge_update_columns(config: IncrementalConfig, columns: Sequence[str]) -> list[str]:
    """The target columns a merge updates: all but the unique key, narrowed by merge_update_columns
    or merge_exclude_columns (matched without regard to case, as Athena's names are)."""
    by_name = {name.lower(): name for name in columns}
    named = config.merge_update_columns or config.merge_exclude_columns
    unknown = [name for name in named if name.lower() not in by_name]
    if unknown:
        option = "merge_update_columns" if config.merge_update_columns else "merge_exclude_columns"
        raise ModelConfigError(
            option,
            f"names {unknown[0]!r}, which the model does not have (columns: {', '.join(columns)})",
            "Correct the name, or remove it from the list",
        )
    keys = {key.lower() for key in config.unique_key}
    candidates = [name for name in columns if name.lower() not in keys]
    if config.merge_update_columns:
        wanted = {name.lower() for name in config.merge_update_columns}
        return [name for name in candidates if name.lower() in wanted]
    excluded = {name.lower() for name in config.merge_exclude_columns}
    return [name for name in candidates if name.lower() not in excluded]


def _unique_key(value: Any) -> tuple[str, ...]:
    if value is None or value in ("", []):
        return ()  # dbt: an empty unique_key means none
    keys = [value] if isinstance(value, str) else value
    if not isinstance(keys, list | tuple) or not all(isinstance(k, str) and k.strip() for k in keys):
        raise ModelConfigError(
            "unique_key", f"{value!r} is not a column or a list of columns", "Write e.g. unique_key=['id']"
        )
    return tuple(dict.fromkeys(k.strip() for k in keys))


def _names(raw: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = raw.get(name)
    if not value:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ModelConfigError(name, f"{value!r} is not a list", f"Write it as a list: {name}=[{value!r}]")
    return tuple(str(item) for item in value)


def _predicates(raw: Mapping[str, Any]) -> tuple[str, ...]:
    value = raw.get("incremental_predicates") or raw.get("predicates")
    if not value:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ModelConfigError(
            "incremental_predicates",
            f"{value!r} is not a list of SQL conditions",
            f"Write it as a list: incremental_predicates=[{value!r}]",
        )
    return tuple(merge_condition(str(p)) for p in value)


def _condition(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ModelConfigError(
            name, f"{value!r} is not a SQL condition", f"Write e.g. {name}=\"src.status = 'x'\""
        )
    return merge_condition(value)


# dbt's standard merge aliases, so that conditions written for dbt's suites and other adapters work
# beside dbt-athena's `target` / `src`.
_ALIASES = (
    (re.compile(r"\bDBT_INTERNAL_DEST\.", re.IGNORECASE), "target."),
    (re.compile(r"\bDBT_INTERNAL_SOURCE\.", re.IGNORECASE), "src."),
)


def merge_condition(condition: str) -> str:
    """A merge condition in the aliases the MERGE statement uses (`target`, `src`)."""
    for pattern, alias in _ALIASES:
        condition = pattern.sub(alias, condition)
    return condition.strip()


# --- staging table ---------------------------------------------------------------------------------


def staging_config(target: TableConfig, *, adopted: bool = False) -> TableConfig:
    """The staging table: the target's type, Hive partitions (so their values come from Athena itself
    for insert_overwrite) and nothing that only matters for the final table. Staging partitions the
    target `adopted` are read with the target's storage definition, so they are written in its format
    and bucketing."""
    config = TableConfig(
        table_type=target.table_type,
        format="parquet",
        partitioned_by=() if target.is_iceberg else target.partitioned_by,
        partitions_limit=target.partitions_limit,
        s3_data_dir=target.s3_data_dir,
        # A fresh prefix per run: a staging table never lands on objects an earlier run left.
        s3_data_naming=locations.DEFAULT_NAMING,
    )
    if not adopted:
        return config
    return replace(
        config,
        format=target.format,
        write_compression=target.write_compression,
        field_delimiter=target.field_delimiter,
        # Athena checks a bucketed table's files against its bucket count: write them bucketed too.
        bucketed_by=target.bucketed_by,
        bucket_count=target.bucket_count,
    )


def staging_plan(
    profile: Profile,
    database: str | None,
    schema: str,
    identifier: str,
    target: TableConfig,
    *,
    adopt_into: str | None = None,
) -> TablePlan:
    """The staging table of an incremental run. With `adopt_into` (the location of a Hive target whose
    partitions the run replaces) it is written to a fresh directory inside that location, so that the
    target's partitions can point at its data afterwards (IncrementalRuns.adopt_partitions)."""
    config = staging_config(target, adopted=adopt_into is not None)
    name = identifier + TMP_SUFFIX
    location = (
        s3_paths.join(adopt_into, str(uuid.uuid4()))
        if adopt_into is not None
        else new_table_location(profile, config, schema, name, temporary=True)
    )
    return TablePlan(
        database=database,
        schema=schema,
        identifier=name,
        build_identifier=name,
        build_location=location,
        final_location=None,
        swap=False,
        config=config,
        # Inside the target's location, its deletes are the target's: the target's scope applies.
        scope=scope_for(profile, target if adopt_into is not None else config),
    )


def with_identifier(plan: TablePlan, identifier: str) -> TablePlan:
    return replace(plan, identifier=identifier, build_identifier=identifier)


# --- rendering -----------------------------------------------------------------------------------


def timestamp_literal(value: datetime) -> str:
    """An Athena timestamp literal for an instant (naive values are UTC, as dbt's batches are)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return f"timestamp '{value.isoformat(sep=' ', timespec='microseconds')}'"


_HIVE_DDL_TYPES = {"varchar": "string", "integer": "int", "real": "float", "varbinary": "binary"}


def ddl_type(data_type: str) -> str:
    """A column type as ALTER TABLE (Hive DDL) takes it: `varchar` -> `string`, `integer` -> `int`.
    A varchar with a length stays (Hive DDL has varchar(n))."""
    text = data_type.strip()
    return _HIVE_DDL_TYPES.get(text.lower(), text)
