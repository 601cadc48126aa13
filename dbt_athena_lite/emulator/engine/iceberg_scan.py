"""An Iceberg table -> a DuckDB SELECT over its current snapshot's data files.

pyiceberg plans the scan (manifests read through the engine's S3 client); DuckDB reads the Parquet
files, matching columns by Iceberg field id (`read_parquet(..., schema=...)`), so renamed and added
columns read as Iceberg says. DuckDB's own iceberg_scan is not used: its optional columns
(filename, row numbers) crash the extension in 1.5.5, and the engine needs them for row-level DML.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyiceberg.manifest import DataFile
from pyiceberg.table import Table

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.iceberg_types import IcebergColumn, table_columns
from dbt_athena_lite.emulator.engine.scan import TableScan
from dbt_athena_lite.emulator.engine.sqltext import quote_ident, quote_string

FILE_COLUMN = "__athena_file"
ROW_COLUMN = "__athena_row"


def current_files(table: Table) -> list[DataFile]:
    """The data files of the table's current snapshot (none for a table without one)."""
    if table.current_snapshot() is None:
        return []
    files: list[DataFile] = []
    for task in table.scan().plan_files():
        if task.delete_files:
            raise AthenaQueryError(
                "NOT_SUPPORTED",
                f"Iceberg table {'.'.join(table.name())} has delete files (merge-on-read); "
                "the emulator reads copy-on-write tables only",
            )
        files.append(task.file)
    return files


def files_sql(columns: Sequence[IcebergColumn], files: Sequence[DataFile], *, row_ids: bool = False) -> str:
    """SELECT of the table's columns from `files`; with `row_ids`, each row's file and position too."""
    projections = [quote_ident(c.name) for c in columns]
    if not files:
        typed = ", ".join(f"CAST(NULL AS {c.type.to_duckdb()}) AS {quote_ident(c.name)}" for c in columns)
        extra = f", CAST(NULL AS VARCHAR) AS {FILE_COLUMN}, CAST(NULL AS BIGINT) AS {ROW_COLUMN}"
        return f"SELECT {typed}{extra if row_ids else ''} LIMIT 0"
    by_id = ", ".join(
        f"{c.field_id}: {{name: {quote_string(c.name)}, type: {quote_string(c.type.to_duckdb())}, "
        "default_value: NULL}"
        for c in columns
    )
    urls = "[" + ", ".join(quote_string(f.file_path) for f in files) + "]"
    options = f"schema=MAP {{{by_id}}}"
    if row_ids:
        options += f", filename={quote_string(FILE_COLUMN)}, file_row_number=true"
        projections += [FILE_COLUMN, f"file_row_number AS {ROW_COLUMN}"]
    return f"SELECT {', '.join(projections)} FROM read_parquet({urls}, {options})"


def scan_iceberg(table: Table) -> TableScan:
    columns = table_columns(table.schema())
    files = current_files(table)
    return TableScan(
        files_sql(columns, files),
        sum(f.file_size_in_bytes for f in files),
        {c.name: c.type.to_athena() for c in columns},
    )
