"""Rendering of the incremental strategy macros: INSERT batches, Iceberg MERGE with dbt-athena's
options, the microbatch window delete, and the ALTER TABLE statements of on_schema_change."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from dbt.adapters.base.column import Column

from dbt_athena_lite import incremental
from dbt_athena_lite.config_checks import table_config
from dbt_athena_lite.incremental import incremental_config
from dbt_athena_lite.relation import AthenaLiteRelation

MACROS = Path(__file__).parents[2] / "macros" / "materializations" / "models" / "incremental"
TARGET = AthenaLiteRelation.create(database="awsdatacatalog", schema="sales", identifier="orders")
STAGING = TARGET.incorporate(path={"identifier": "orders__dbt_tmp"})


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _return(value: Any) -> None:
    raise _Return(value)


class FakeAdapter:
    def __init__(self, data_columns: list[Column] | None = None) -> None:
        self._data_columns = data_columns or []

    def quote(self, name: str) -> str:
        return f'"{name}"'

    def merge_update_columns(self, config: Any, columns: list[str]) -> list[str]:
        return incremental.merge_update_columns(config, columns)

    def timestamp_literal(self, value: Any) -> str:
        from datetime import datetime

        return incremental.timestamp_literal(
            datetime.fromisoformat(value) if isinstance(value, str) else value
        )

    def ddl_type(self, data_type: str) -> str:
        return incremental.ddl_type(data_type)

    def data_columns(self, relation: Any) -> list[Column]:
        return self._data_columns


_MACRO = re.compile(r"{%-?\s*macro\s+(\w+).*?{%-?\s*endmacro\s*-?%}", re.DOTALL)


def macros(adapter: FakeAdapter | None = None, batch: Any = None) -> Any:
    """The macros as dbt calls them: each compiled on its own, so that a `return` inside a nested
    call returns from that call only (dbt's MacroGenerator), with the others as globals."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    env.globals.update(
        {
            "return": _return,
            "adapter": adapter or FakeAdapter(),
            "model": SimpleNamespace(batch=batch),
            "config": SimpleNamespace(get=lambda name, default=None: default),
            "exceptions": SimpleNamespace(raise_compiler_error=_raise),
        }
    )
    source = "\n".join(
        (MACROS / name).read_text(encoding="utf-8")
        for name in ("strategies.sql", "merge.sql", "column_helpers.sql")
    )
    compiled: dict[str, Any] = {}
    found = list(_MACRO.finditer(source))
    for match in found:  # every name first: a template sees the globals of its creation
        env.globals[match.group(1)] = _generator(compiled, match.group(1))
    for match in found:
        compiled[match.group(1)] = getattr(env.from_string(match.group(0)).module, match.group(1))
    return SimpleNamespace(**{name: env.globals[name] for name in compiled})


def _generator(compiled: dict[str, Any], name: str) -> Any:
    def call(*args: Any) -> Any:
        try:
            return compiled[name](*args)
        except _Return as returned:
            return returned.value

    return call


def _raise(message: str) -> None:
    raise RuntimeError(message)


def call(macro: Any, *args: Any) -> Any:
    return macro(*args)


def flat(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def args(batch_filters: list[str] | None = None, **raw: Any) -> dict[str, Any]:
    cfg = incremental_config(raw, table_config(raw, profile_naming="schema_table_unique"))
    return {
        "target_relation": TARGET,
        "temp_relation": STAGING,
        "dest_columns": [Column("id", "int"), Column("msg", "string"), Column("day", "date")],
        "incremental_predicates": cfg.incremental_predicates,
        "incremental_config": cfg,
        "batch_filters": batch_filters,
    }


def test_append_is_one_insert_with_the_target_columns() -> None:
    statements = call(macros().athena_lite__get_incremental_append_sql, args())
    assert [flat(s) for s in statements] == [
        'insert into "awsdatacatalog"."sales"."orders" ("id", "msg", "day") '
        'select "id", "msg", "day" from "awsdatacatalog"."sales"."orders__dbt_tmp"'
    ]


def test_insert_overwrite_runs_no_statement_its_partitions_are_adopted_in_glue() -> None:
    filters = ["(\"day\" = cast('2024-01-01' as date))"]
    statements = call(
        macros().athena_lite__get_incremental_insert_overwrite_sql, args(filters, partitioned_by=["day"])
    )
    assert statements == []


def test_iceberg_merge_with_every_option() -> None:
    statements = call(
        macros().athena_lite__get_incremental_merge_sql,
        args(
            table_type="iceberg",
            unique_key=["id", "day"],
            incremental_predicates=["DBT_INTERNAL_DEST.day >= date '2024-01-01'"],
            merge_exclude_columns=[],
            delete_condition="src.msg = 'gone'",
            update_condition="target.msg <> src.msg",
            insert_condition="src.msg <> 'gone'",
        ),
    )
    assert [flat(s) for s in statements] == [
        'merge into "awsdatacatalog"."sales"."orders" as target using ( select "id", "msg", "day" from '
        '"awsdatacatalog"."sales"."orders__dbt_tmp" ) as src on ( target."id" = src."id" and '
        'target."day" = src."day" and (target.day >= date \'2024-01-01\') ) '
        "when matched and (src.msg = 'gone') then delete "
        'when matched and (target.msg <> src.msg) then update set "msg" = src."msg" '
        'when not matched and (src.msg <> \'gone\') then insert ("id", "msg", "day") '
        'values (src."id", src."msg", src."day")'
    ]


def test_merge_without_columns_to_update_only_inserts_and_batches_its_source() -> None:
    statements = call(
        macros().athena_lite__get_incremental_merge_sql,
        args(["(a)", "(b)"], table_type="iceberg", unique_key="id", merge_update_columns=["id"]),
    )
    assert len(statements) == 2
    assert "update set" not in flat(statements[0])
    assert 'from "awsdatacatalog"."sales"."orders__dbt_tmp" where (b) ) as src' in flat(statements[1])


def test_iceberg_microbatch_deletes_the_window_then_inserts() -> None:
    batch = SimpleNamespace(
        event_time_start="2020-01-01T00:00:00+00:00", event_time_end="2020-01-02T00:00:00+00:00"
    )
    statements = call(
        macros(batch=batch).athena_lite__get_incremental_microbatch_sql,
        args(table_type="iceberg", incremental_strategy="microbatch", event_time="event_time"),
    )
    assert flat(statements[0]) == (
        'delete from "awsdatacatalog"."sales"."orders" where '
        "event_time >= timestamp '2020-01-01 00:00:00.000000' and event_time < timestamp '2020-01-02 00:00:00.000000'"
    )
    assert flat(statements[1]).startswith('insert into "awsdatacatalog"."sales"."orders"')


def test_hive_microbatch_runs_no_statement_its_partitions_are_adopted_in_glue() -> None:
    statements = call(
        macros().athena_lite__get_incremental_microbatch_sql,
        args(partitioned_by=["day"], incremental_strategy="microbatch", event_time="event_time"),
    )
    assert statements == []


ADDED = [Column("extra", "varchar"), Column("n", "integer")]


def test_hive_adds_columns_and_replaces_the_list_to_remove_one() -> None:
    adapter = FakeAdapter([Column("id", "int"), Column("msg", "string")])
    render = macros(adapter).athena_lite__alter_columns_statements
    assert call(render, TARGET, "hive", ADDED, []) == [
        "alter table `sales`.`orders` add columns (`extra` string, `n` int)"
    ]
    assert call(render, TARGET, "hive", ADDED, [Column("MSG", "string")]) == [
        "alter table `sales`.`orders` replace columns (`id` int, `extra` string, `n` int)"
    ]


def test_iceberg_adds_and_drops_columns() -> None:
    render = macros().athena_lite__alter_columns_statements
    assert call(render, TARGET, "iceberg", ADDED[:1], [Column("msg", "string")]) == [
        "alter table `sales`.`orders` add columns (`extra` string)",
        "alter table `sales`.`orders` drop column `msg`",
    ]


@pytest.mark.parametrize("name", ["strategies.sql", "merge.sql", "column_helpers.sql", "incremental.sql"])
def test_every_macro_is_an_athena_lite_implementation(name: str) -> None:
    text = (MACROS / name).read_text(encoding="utf-8")
    assert all(m.startswith("athena_lite__") for m in re.findall(r"{%-?\s*macro\s+(\w+)", text))
