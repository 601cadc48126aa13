"""Partition pruning: read only the partitions a query's WHERE clause can select, as Athena does.

This matters beyond speed: users read DataScannedInBytes to check that their filters prune.
A conjunct of the WHERE clause prunes a table when every column it names is a partition key of
that table (e.g. `dt = '2024-01-01'`, `region IN ('eu', 'us')`, `year BETWEEN 2020 AND 2022`).
Those conjuncts are evaluated by DuckDB over the partition values themselves, so any expression
DuckDB can compute works; anything doubtful (subqueries, outer-join null sides) does not prune.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
from sqlglot import exp

from dbt_athena_lite.emulator.engine.semantics import fix_semantics
from dbt_athena_lite.emulator.engine.sqltext import quote_ident, quote_string
from dbt_athena_lite.emulator.engine.types import SqlType

_IMPURE = (exp.Subquery, exp.AggFunc, exp.Window, exp.Rand, exp.Placeholder)
_DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def partition_predicate(table: exp.Table, keys: Sequence[str]) -> str | None:
    """DuckDB SQL of the WHERE conjuncts that constrain only `table`'s partition `keys` (or None)."""
    if not keys or not _rows_only_filtered_by_where(table):
        return None
    select = table.parent.parent if table.parent is not None else None
    where = select.args.get("where") if isinstance(select, exp.Select) else None
    if where is None:
        return None
    name = table.alias_or_name.lower()
    conjuncts = []
    for conjunct in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
        columns = list(conjunct.find_all(exp.Column))
        if not columns or conjunct.find(*_IMPURE) is not None:
            continue
        if all(c.name.lower() in keys and c.table.lower() in ("", name) for c in columns):
            local = conjunct.copy()
            for column in list(local.find_all(exp.Column)):
                column.replace(exp.column(column.name.lower(), quoted=True))
            conjuncts.append(f"({fix_semantics(local).sql(dialect='duckdb')})")
    return " AND ".join(conjuncts) or None


def _rows_only_filtered_by_where(table: exp.Table) -> bool:
    """True when the WHERE clause of the SELECT that reads `table` only removes its rows: the table
    is in FROM or an inner join, and no RIGHT/FULL join can null-extend it."""
    holder = table.parent
    select = holder.parent if holder is not None else None
    if not isinstance(select, exp.Select) or not isinstance(holder, exp.From | exp.Join):
        return False
    joins = select.args.get("joins") or []
    if isinstance(holder, exp.Join) and holder.side:
        return False
    return not any(join.side in ("RIGHT", "FULL") for join in joins)


def matching_partitions(
    cursor: duckdb.DuckDBPyConnection,
    keys: Sequence[tuple[str, SqlType]],
    partitions: Sequence[tuple[str, ...]],
    predicate: str,
) -> set[int]:
    """Indexes of the `partitions` (Hive value strings, in key order) that satisfy `predicate`."""
    if not partitions:
        return set()
    rows = ", ".join(
        "(" + ", ".join([str(index), *(quote_string(v) for v in values)]) + ")"
        for index, values in enumerate(partitions)
    )
    raw = ", ".join(f"k{i}" for i in range(len(keys)))
    typed = ", ".join(
        f"TRY_CAST(NULLIF(k{i}, '{_DEFAULT_PARTITION}') AS {sql_type.to_duckdb()}) AS {quote_ident(name)}"
        for i, (name, sql_type) in enumerate(keys)
    )
    sql = (
        f"SELECT __index FROM (SELECT __index, {typed} FROM (VALUES {rows}) AS v(__index, {raw})) "
        f"WHERE {predicate}"
    )
    try:
        return {int(row[0]) for row in cursor.execute(sql).fetchall()}
    except duckdb.Error:  # a predicate DuckDB cannot evaluate alone prunes nothing; the query decides
        return set(range(len(partitions)))
