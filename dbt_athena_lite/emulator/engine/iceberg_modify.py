"""UPDATE, DELETE and MERGE INTO on Iceberg tables, copy-on-write.

The target's current rows are copied into a temporary DuckDB table tagged with each row's data file
and position; the statement itself then runs on that copy (DuckDB has UPDATE, DELETE and MERGE),
with every UPDATE also marking the rows it touched. The data files that lost or changed rows are
rewritten whole and swapped for the new ones in one Iceberg overwrite snapshot; untouched files
stay. (Athena writes merge-on-read delete files instead: readers see the same rows.)
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
from pyiceberg.io.pyarrow import _dataframe_to_data_files
from pyiceberg.manifest import DataFile
from pyiceberg.table import Table
from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryResult
from dbt_athena_lite.emulator.engine.iceberg_catalog import commit, load_table
from dbt_athena_lite.emulator.engine.iceberg_scan import FILE_COLUMN, ROW_COLUMN, current_files, files_sql
from dbt_athena_lite.emulator.engine.iceberg_types import table_columns
from dbt_athena_lite.emulator.engine.iceberg_writes import arrow_rows
from dbt_athena_lite.emulator.engine.sqltext import quote_ident, quote_string
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.writes import dml_result

TARGET = "__athena_iceberg_target"
TOUCHED = "__athena_touched"
_SUBSTATEMENTS = {exp.Update: "UPDATE", exp.Delete: "DELETE", exp.Merge: "MERGE"}


def modify_rows(statement: Statement, database: str, name: str) -> QueryResult:
    tree = statement.tree
    changed = rewrite_rows(statement, load_table(statement.clients, database, name), tree)
    return dml_result(statement, _SUBSTATEMENTS[type(tree)], changed)


def rewrite_rows(statement: Statement, table: Table, tree: exp.Expression, *, min_files: int = 1) -> int:
    """Run the UPDATE/DELETE/MERGE `tree` against a copy of `table` and commit the files it
    changed (only when at least `min_files` changed: OPTIMIZE's bin-packing needs two).
    Returns the number of rows the statement changed."""
    columns = table_columns(table.schema())
    files = current_files(table)
    cursor = statement.cursor
    cursor.execute(
        f"CREATE TEMP TABLE {TARGET} AS SELECT *, false AS {TOUCHED} "
        f"FROM ({files_sql(columns, files, row_ids=True)})"
    )
    statement.translator.local_relations.add(TARGET)
    _retarget(tree)
    if isinstance(tree, exp.Merge):
        _check_single_matches(statement, tree)
    statement.check_cancelled()
    result = cursor.execute(statement.translator.query_sql(tree)).fetchone()
    changed = int(result[0]) if result else 0
    affected = _changed_files(statement, files)
    if len(affected) < min_files:
        affected = []
    written = " OR ".join([f"{FILE_COLUMN} IS NULL", *_in_files(affected)])  # new rows, rewritten files
    names = ", ".join(quote_ident(c.name) for c in columns)
    rows = arrow_rows(statement, table, f"SELECT {names} FROM {TARGET} WHERE {written}")
    statement.check_cancelled()
    _commit_rewrite(statement, table, [f for f in files if f.file_path in affected], rows)
    return changed


def _retarget(tree: exp.Expression) -> None:
    """Point the statement at the copy, keeping the name its conditions use; mark updated rows."""
    target = tree.this
    if not isinstance(target, exp.Table):
        raise AthenaQueryError("NOT_SUPPORTED", "The target of UPDATE, DELETE or MERGE must be a table")
    alias = target.args.get("alias") or exp.TableAlias(this=exp.to_identifier(target.name))
    target.replace(exp.Table(this=exp.to_identifier(TARGET), alias=alias))
    updates: list[exp.Expression | None] = (
        [tree] if isinstance(tree, exp.Update) else [w.args.get("then") for w in _whens(tree)]
    )
    for update in updates:
        if isinstance(update, exp.Update) and not any(
            isinstance(e, exp.EQ) and e.this.name == TOUCHED for e in update.expressions
        ):
            update.append("expressions", exp.EQ(this=exp.column(TOUCHED), expression=exp.true()))


def _whens(tree: exp.Expression) -> list[exp.When]:
    whens = tree.args.get("whens")
    return list(whens.expressions) if isinstance(whens, exp.Whens) else []


def _check_single_matches(statement: Statement, merge: exp.Expression) -> None:
    """Athena (Trino) refuses a MERGE in which one target row matches several source rows."""
    if not any(w.args.get("matched") for w in _whens(merge)):
        return
    alias = merge.this.alias_or_name
    check = (
        exp.select("1")
        .from_(merge.this.copy())
        .join(merge.args["using"].copy(), on=merge.args["on"].copy())
        .group_by(exp.column(FILE_COLUMN, alias), exp.column(ROW_COLUMN, alias))
        .having("COUNT(*) > 1")
        .limit(1)
    )
    if statement.cursor.execute(statement.translator.query_sql(check)).fetchone():
        raise AthenaQueryError(
            "MERGE_TARGET_ROW_MULTIPLE_MATCHES", "One MERGE target table row matched more than one source row"
        )


def _changed_files(statement: Statement, files: Sequence[DataFile]) -> list[str]:
    """Files that lost rows (deleted) or had rows updated: fewer untouched rows than they hold."""
    untouched = dict(
        statement.cursor.execute(
            f"SELECT {FILE_COLUMN}, count(*) FILTER (WHERE NOT {TOUCHED}) "
            f"FROM {TARGET} WHERE {FILE_COLUMN} IS NOT NULL GROUP BY 1"
        ).fetchall()
    )
    return [f.file_path for f in files if untouched.get(f.file_path, 0) != f.record_count]


def _in_files(paths: Sequence[str]) -> list[str]:
    if not paths:
        return []
    return [f"{FILE_COLUMN} IN ({', '.join(quote_string(p) for p in paths)})"]


def _commit_rewrite(statement: Statement, table: Table, replaced: Sequence[DataFile], rows: pa.Table) -> None:
    if not replaced and not rows.num_rows:
        return
    transaction = table.transaction()
    if not replaced:
        transaction.append(rows)
    else:
        with transaction.update_snapshot().overwrite() as overwrite:
            for data_file in replaced:
                overwrite.delete_data_file(data_file)
            # pyiceberg's own overwrite() writes its new files the same way (partitioned as the spec says).
            # A DELETE that empties the files writes nothing: pyiceberg cannot write a file of no rows.
            new_files = (
                _dataframe_to_data_files(transaction.table_metadata, rows, table.io, overwrite.commit_uuid)
                if rows.num_rows
                else ()
            )
            for data_file in new_files:
                overwrite.append_data_file(data_file)
    commit(statement.clients, statement.context, table, transaction.commit_transaction)
