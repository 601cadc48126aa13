"""The snapshot macros' SQL: the Hive rebuild select must give the table dbt's MERGE (the Iceberg
path) gives. Both are rendered from macros/materializations/snapshots and run on DuckDB, which
speaks this SQL subset (CTEs, LEFT JOIN, UNION ALL, MERGE INTO) like Athena."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import jinja2
import pytest

SNAPSHOTS = Path(__file__).parents[2] / "macros" / "materializations" / "snapshots"
NAMES = {
    "dbt_valid_to": "dbt_valid_to",
    "dbt_valid_from": "dbt_valid_from",
    "dbt_scd_id": "dbt_scd_id",
    "dbt_updated_at": "dbt_updated_at",
    "dbt_is_deleted": "dbt_is_deleted",
}
HISTORY_COLUMNS = ["id", "name", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"]


class _Return(Exception):
    """dbt's `return()`: the macro's value, raised out of the template."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _return(value: Any) -> None:
    raise _Return(value)


@pytest.fixture(autouse=True)
def dbt_macro_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in dbt, a macro's `return()` ends that macro only and becomes its value."""
    invoke = jinja2.runtime.Macro._invoke

    def returning(self: Any, arguments: Any, autoescape: Any) -> Any:
        try:
            return invoke(self, arguments, autoescape)
        except _Return as returned:
            return returned.value

    monkeypatch.setattr(jinja2.runtime.Macro, "_invoke", returning)


def macros(snapshot_config: dict[str, Any], query_columns: list[tuple[str, str]] | None = None) -> Any:
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    env.globals.update(
        {
            "config": SimpleNamespace(get=lambda key, default=None: snapshot_config.get(key, default)),
            "return": _return,
            "get_snapshot_table_column_names": lambda: NAMES,
            "get_column_schema_from_query": lambda sql: [
                SimpleNamespace(name=name, dtype=dtype) for name, dtype in query_columns or []
            ],
            "athena_lite__timestamp_type": lambda: "timestamp(6)",
            "adapter": SimpleNamespace(
                quote=lambda name: f'"{name}"',
                get_columns_in_relation=lambda relation: [SimpleNamespace(name=c) for c in HISTORY_COLUMNS],
            ),
        }
    )
    source = "\n".join(
        (SNAPSHOTS / name).read_text(encoding="utf-8") for name in ("changes.sql", "rebuild.sql", "merge.sql")
    )
    return env.from_string(source).module


def flat(sql: Any) -> str:
    return re.sub(r"\s+", " ", str(sql)).strip()


# Current history: id 1 current, id 2 closed once and current, id 3 current.
HISTORY = """
create table history as select * from (values
  (1, 'a',  'S1', timestamp '2024-01-01', timestamp '2024-01-01', null::timestamp),
  (2, 'b',  'S2', timestamp '2024-01-01', timestamp '2024-01-01', timestamp '2024-02-01'),
  (2, 'b2', 'S3', timestamp '2024-02-01', timestamp '2024-02-01', null::timestamp),
  (3, 'c',  'S4', timestamp '2024-01-01', timestamp '2024-01-01', null::timestamp)
) as t(id, name, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)
"""
# What dbt's snapshot_staging_table finds: id 1 changed, id 3 deleted, id 4 new. The closed row
# S2 of id 2 also appears, as a stale update, to show that only current rows are closed, and
# S3 as an insert: MERGE inserts only ids the table lacks (as for a revived row, whose id repeats).
CHANGES = """
create table changes as select * from (values
  ('update', 1, 'a3', 'S1', timestamp '2024-03-01', timestamp '2024-03-01', timestamp '2024-03-01'),
  ('insert', 1, 'a3', 'S5', timestamp '2024-03-01', timestamp '2024-03-01', null::timestamp),
  ('delete', 3, 'c',  'S4', timestamp '2024-03-02', timestamp '2024-03-02', timestamp '2024-03-02'),
  ('insert', 4, 'd',  'S6', timestamp '2024-03-01', timestamp '2024-03-01', null::timestamp),
  ('update', 2, 'b',  'S2', timestamp '2024-03-01', timestamp '2024-03-01', timestamp '2099-01-01'),
  ('insert', 2, 'b2', 'S3', timestamp '2024-02-01', timestamp '2024-02-01', null::timestamp)
) as t(dbt_change_type, id, name, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)
"""
CHANGE_COLUMNS = [SimpleNamespace(name=c) for c in HISTORY_COLUMNS]


@pytest.fixture
def db() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(HISTORY)
    connection.execute(CHANGES)
    return connection


def rows(db: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[Any, ...]]:
    return db.execute(f"select * from {relation} order by id, dbt_valid_from").fetchall()


def rebuild(db: duckdb.DuckDBPyConnection, snapshot_config: dict[str, Any]) -> list[tuple[Any, ...]]:
    changes = {"sql": "select * from changes", "columns": CHANGE_COLUMNS}
    sql = macros(snapshot_config).athena_lite__snapshot_rebuild_sql("history", changes, NAMES)
    db.execute(f"create table rebuilt as {sql}")
    return rows(db, "rebuilt")


def merge(db: duckdb.DuckDBPyConnection, snapshot_config: dict[str, Any]) -> list[tuple[Any, ...]]:
    insert_cols = [f'"{c}"' for c in HISTORY_COLUMNS]
    sql = macros(snapshot_config).athena_lite__snapshot_merge_sql("history", "changes", insert_cols)
    db.execute(str(sql))
    return rows(db, "history")


def test_hive_rebuild_equals_dbts_merge(db: duckdb.DuckDBPyConnection) -> None:
    rebuilt = rebuild(db, {})
    assert rebuilt == merge(db, {})
    closed = {(row[0], row[1]): row[5] for row in rebuilt}
    assert len(rebuilt) == 6  # four rows kept, two inserted: nothing lost
    assert str(closed[(1, "a")]) == "2024-03-01 00:00:00"
    assert str(closed[(2, "b")]) == "2024-02-01 00:00:00"  # already closed: untouched
    assert str(closed[(3, "c")]) == "2024-03-02 00:00:00"
    assert closed[(1, "a3")] is None and closed[(4, "d")] is None


def test_dbt_valid_to_current_rows_count_as_current(db: duckdb.DuckDBPyConnection) -> None:
    db.execute("update history set dbt_valid_to = timestamp '9999-12-31' where dbt_valid_to is null")
    config = {"dbt_valid_to_current": "timestamp '9999-12-31'"}
    rebuilt = rebuild(db, config)
    assert rebuilt == merge(db, config)
    assert {(row[0], row[1]): str(row[5]) for row in rebuilt}[(1, "a")] == "2024-03-01 00:00:00"


def test_rebuild_keeps_dropped_columns_and_adds_new_ones() -> None:
    changes = {
        "sql": "select * from changes",
        "columns": [SimpleNamespace(name=c) for c in ("id", "dbt_scd_id", "dbt_valid_to", "email")],
    }
    sql = flat(macros({}).athena_lite__snapshot_rebuild_sql("history", changes, NAMES))
    history_side, changes_side = sql.split(" union all ")
    # the table's columns, then the query's new one; NULL where a side lacks a column
    assert 'history."name" as "name"' in history_side and 'null as "email"' in history_side
    assert 'null as "name"' in changes_side and '"email" as "email"' in changes_side
    assert "where dbt_change_type = 'insert' and not exists" in changes_side


def test_merge_closes_only_current_rows_and_inserts_new_ones() -> None:
    sql = flat(macros({}).athena_lite__snapshot_merge_sql('"s"."t"', "(select 1)", ['"id"', '"name"']))
    assert sql == (
        'merge into "s"."t" as dbt_internal_dest using (select 1) as dbt_internal_source '
        "on dbt_internal_source.dbt_scd_id = dbt_internal_dest.dbt_scd_id "
        "when matched and dbt_internal_dest.dbt_valid_to is null "
        "and dbt_internal_source.dbt_change_type in ('update', 'delete') "
        "then update set dbt_valid_to = dbt_internal_source.dbt_valid_to "
        "when not matched and dbt_internal_source.dbt_change_type = 'insert' "
        'then insert ("id", "name") values (dbt_internal_source."id", dbt_internal_source."name")'
    )


def test_changes_store_every_timestamp_at_the_tables_precision() -> None:
    """dbt's timestamps whatever their source type (a date here), and the query's own timestamps."""
    query = [
        ("id", "integer"),
        ("seen_at", "timestamp"),
        ("dbt_valid_from", "date"),
        ("dbt_change_type", "varchar"),
        ("dbt_unique_key", "integer"),
    ]
    changes = macros({}, query).athena_lite__snapshot_changes("select 1", NAMES)
    assert flat(changes["sql"]).startswith(
        'select "id", cast("seen_at" as timestamp(6)) as "seen_at", '
        'cast("dbt_valid_from" as timestamp(6)) as "dbt_valid_from", "dbt_change_type", "dbt_unique_key" '
    )
    assert [column.name for column in changes["columns"]] == ["id", "seen_at", "dbt_valid_from"]
