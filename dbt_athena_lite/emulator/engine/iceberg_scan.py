"""An Iceberg table -> a DuckDB SELECT over its current snapshot's data files.

pyiceberg plans the scan (manifests read through the engine's S3 client); DuckDB reads the Parquet
files, matching columns by Iceberg field id (`read_parquet(..., schema=...)`), so renamed and added
columns read as Iceberg says. DuckDB's own iceberg_scan is not used: its optional columns
(filename, row numbers) crash the extension in 1.5.5, and the engine needs them for row-level DML.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
from pyiceberg.manifest import DataFile
from pyiceberg.table import Table
from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.iceberg_types import IcebergColumn, table_columns
from dbt_athena_lite.emulator.engine.scan import TableScan
from dbt_athena_lite.emulator.engine.sqltext import quote_ident, quote_string

FILE_COLUMN = "__athena_file"
ROW_COLUMN = "__athena_row"


def current_files(table: Table, snapshot_id: int | None = None) -> list[DataFile]:
    """The data files of the table's current snapshot, or of `snapshot_id` (none without one)."""
    if (table.snapshot_by_id(snapshot_id) if snapshot_id is not None else table.current_snapshot()) is None:
        return []
    files: list[DataFile] = []
    for task in table.scan(snapshot_id=snapshot_id).plan_files():
        if task.delete_files:
            raise AthenaQueryError(
                "NOT_SUPPORTED",
                f"Iceberg table {'.'.join(table.name())} has delete files (merge-on-read); "
                "the emulator reads copy-on-write tables only",
            )
        files.append(task.file)
    return files


def files_sql(
    columns: Sequence[IcebergColumn],
    files: Sequence[DataFile],
    *,
    row_ids: bool = False,
    hidden_columns: bool = False,
) -> str:
    """SELECT of the table's columns from `files`; with `row_ids`, each row's file and position
    too; with `hidden_columns`, Athena's "$path" and "$file_size"."""
    extras: list[tuple[str, str, str]] = []  # (name, DuckDB type, expression)
    if row_ids:
        extras += [(FILE_COLUMN, "VARCHAR", f"f.{FILE_COLUMN}"), (ROW_COLUMN, "BIGINT", "f.file_row_number")]
    if hidden_columns:
        extras += [("$path", "VARCHAR", f"f.{FILE_COLUMN}"), ("$file_size", "BIGINT", "m.size")]
    if not files:
        typed = [f"CAST(NULL AS {c.type.to_duckdb()}) AS {quote_ident(c.name)}" for c in columns]
        typed += [f"CAST(NULL AS {kind}) AS {quote_ident(name)}" for name, kind, _ in extras]
        return f"SELECT {', '.join(typed)} LIMIT 0"
    by_id = ", ".join(
        f"{c.field_id}: {{name: {quote_string(c.name)}, type: {quote_string(c.type.to_duckdb())}, "
        "default_value: NULL}"
        for c in columns
    )
    urls = "[" + ", ".join(quote_string(f.file_path) for f in files) + "]"
    options = f"schema=MAP {{{by_id}}}"
    if extras:
        options += f", filename={quote_string(FILE_COLUMN)}, file_row_number={str(row_ids).lower()}"
    projections = [f"f.{quote_ident(c.name)}" for c in columns]
    projections += [f"{expression} AS {quote_ident(name)}" for name, _, expression in extras]
    sql = f"SELECT {', '.join(projections)} FROM read_parquet({urls}, {options}) AS f"
    if hidden_columns:
        sizes = ", ".join(f"({quote_string(f.file_path)}, {f.file_size_in_bytes})" for f in files)
        sql += f" JOIN (VALUES {sizes}) AS m(path, size) ON f.{FILE_COLUMN} = m.path"
    return sql


def scan_iceberg(
    table: Table,
    *,
    hidden_columns: bool = False,
    version: exp.Version | None = None,
    cursor: duckdb.DuckDBPyConnection | None = None,
) -> TableScan:
    """The table now, or as of `version` (FOR VERSION AS OF <snapshot id> / FOR TIMESTAMP AS OF
    <timestamp>, evaluated on `cursor`), read with the schema of that snapshot as Athena does."""
    snapshot_id = None if version is None or cursor is None else _snapshot_id(table, version, cursor)
    schema = table.schema()
    snapshot = table.snapshot_by_id(snapshot_id) if snapshot_id is not None else None
    if snapshot is not None and snapshot.schema_id is not None:
        schema = table.schemas().get(snapshot.schema_id, schema)
    columns = table_columns(schema)
    files = current_files(table, snapshot_id)
    types = {c.name: c.type.to_athena() for c in columns}
    if hidden_columns:
        types.update({"$path": "varchar", "$file_size": "bigint"})
    return TableScan(
        files_sql(columns, files, hidden_columns=hidden_columns),
        sum(f.file_size_in_bytes for f in files),
        types,
    )


def _snapshot_id(table: Table, version: exp.Version, cursor: duckdb.DuckDBPyConnection) -> int:
    name = ".".join(table.name()[-2:])
    point = version.args.get("expression")
    if point is None:
        raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: FOR ... AS OF needs a snapshot id or a timestamp")
    if str(version.name).upper() == "VERSION":
        snapshot_id = int(point.name) if isinstance(point, exp.Literal) and not point.is_string else None
        if snapshot_id is None or table.snapshot_by_id(snapshot_id) is None:
            raise AthenaQueryError("INVALID_ARGUMENTS", f"Iceberg snapshot ID does not exists: {point.sql()}")
        return snapshot_id
    at = cursor.sql(f"SELECT epoch_ms(CAST({point.sql(dialect='duckdb')} AS TIMESTAMPTZ))").fetchone()
    snapshot = table.snapshot_as_of_timestamp(int(at[0])) if at and at[0] is not None else None
    if snapshot is None:
        raise AthenaQueryError(
            "INVALID_ARGUMENTS", f"No version history table {name} at or before {point.sql('athena')}"
        )
    return snapshot.snapshot_id
