"""Data layout of a Hive write: files per partition folder (and bucket), staged locally, then uploaded.

Files are written to a local temporary folder first and uploaded only when every file is
complete, so a failing write (too many partitions, a bad cast) leaves nothing in S3. File names
carry the query id, so concurrent and repeated INSERTs never overwrite each other.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryContext
from dbt_athena_lite.emulator.engine.catalog_glue import HIVE_DEFAULT_PARTITION, partition_path
from dbt_athena_lite.emulator.engine.formats import StorageFormat, file_suffix, write_file
from dbt_athena_lite.emulator.engine.sqltext import quote_ident
from dbt_athena_lite.emulator.engine.storage import delete_objects, join_url, split_s3_url, upload_file

# Athena's limit on partitions (times buckets) one CTAS/INSERT may write.
MAX_OPEN_WRITERS = 100
_ROWS = "__athena_rows"
_BUCKET = "__athena_bucket"
# Characters Hive escapes as %XX in partition folder names (FileUtils.escapePathName).
_PATH_UNSAFE = set("\"#%'*/:=?\\\x7f{[]^") | {chr(c) for c in range(1, 32)}

PartitionValues = tuple[str, ...]


@dataclass(frozen=True)
class WriteTarget:
    location: str
    fmt: StorageFormat
    codec: str
    field_delimiter: str
    query_id: str
    data_columns: Sequence[str]
    partition_columns: Sequence[str] = ()
    bucket_columns: Sequence[str] = ()
    bucket_count: int = 0
    # Where already registered partitions live (INSERT appends there, not under the table root).
    partition_locations: dict[PartitionValues, str] = field(default_factory=dict)


@dataclass
class WrittenData:
    rows: int
    urls: list[str]
    partitions: list[tuple[PartitionValues, str]]  # every partition written to: (values, location)


def write_rows(
    cursor: duckdb.DuckDBPyConnection,
    rows_sql: str,
    target: WriteTarget,
    s3: Any,
    check_cancelled: Callable[[], None],
) -> WrittenData:
    """Write the rows of `rows_sql` (table columns in table order) under the target location."""
    with tempfile.TemporaryDirectory(prefix="athena-lite-write-") as staging:
        if target.partition_columns or target.bucket_columns:
            files, rows, partitions = _stage_partitioned(cursor, rows_sql, target, Path(staging))
        else:
            files, rows, partitions = _stage_single(cursor, rows_sql, target, Path(staging))
        check_cancelled()
        written: list[str] = []
        try:
            for path, url in files:
                check_cancelled()
                written.append(upload_file(s3, path, url))
        except BaseException:
            delete_objects(s3, written)
            raise
    return WrittenData(rows, written, partitions)


def _stage_single(
    cursor: duckdb.DuckDBPyConnection, rows_sql: str, target: WriteTarget, staging: Path
) -> tuple[list[tuple[Path, str]], int, list[tuple[PartitionValues, str]]]:
    name = f"{target.query_id}_0{file_suffix(target.fmt, target.codec)}"
    path = staging / name
    rows = write_file(
        cursor, rows_sql, path, fmt=target.fmt, codec=target.codec, field_delimiter=target.field_delimiter
    )
    # An empty result writes no file, as Athena's writers only open a file for the first row.
    return ([(path, join_url(target.location, name))] if rows else []), rows, []


def _stage_partitioned(
    cursor: duckdb.DuckDBPyConnection, rows_sql: str, target: WriteTarget, staging: Path
) -> tuple[list[tuple[Path, str]], int, list[tuple[PartitionValues, str]]]:
    keys = list(target.partition_columns)
    bucket = (
        f"(hash({', '.join(quote_ident(c) for c in target.bucket_columns)}) % {target.bucket_count})::INTEGER"
        if target.bucket_columns
        else "0"
    )
    cursor.execute(f"CREATE TEMP TABLE {_ROWS} AS SELECT *, {bucket} AS {_BUCKET} FROM ({rows_sql})")
    as_text = [f"CAST({quote_ident(k)} AS VARCHAR)" for k in keys]
    writers = cursor.execute(
        f"SELECT DISTINCT {', '.join([*as_text, _BUCKET])} FROM {_ROWS} ORDER BY ALL"
    ).fetchall()
    if len(writers) > MAX_OPEN_WRITERS:
        raise AthenaQueryError(
            "HIVE_TOO_MANY_OPEN_PARTITIONS",
            f"Exceeded limit of {MAX_OPEN_WRITERS} open writers for partitions/buckets "
            f"(this statement writes {len(writers)}): split it into batches of at most {MAX_OPEN_WRITERS}",
        )
    data = ", ".join(quote_ident(c) for c in target.data_columns)
    suffix = file_suffix(target.fmt, target.codec)
    files: list[tuple[Path, str]] = []
    partitions: dict[PartitionValues, str] = {}
    total = 0
    for index, writer in enumerate(writers):
        *raw_values, bucket_id = writer
        values = tuple(HIVE_DEFAULT_PARTITION if v is None else str(v) for v in raw_values)
        location = partitions.get(values) or target.partition_locations.get(values)
        if location is None:
            location = (
                join_url(target.location, partition_path(keys, list(values))) if keys else target.location
            )
        partitions[values] = location
        conditions = [f"{expr} IS NOT DISTINCT FROM ${i + 1}" for i, expr in enumerate(as_text)]
        conditions.append(f"{_BUCKET} = ${len(as_text) + 1}")
        name = (
            f"{int(bucket_id):06d}_0_{target.query_id}{suffix}"
            if target.bucket_columns
            else f"{target.query_id}_{index}{suffix}"
        )
        path = staging / f"{index}_{name}"
        total += write_file(
            cursor,
            f"SELECT {data} FROM {_ROWS} WHERE {' AND '.join(conditions)}",
            path,
            fmt=target.fmt,
            codec=target.codec,
            field_delimiter=target.field_delimiter,
            parameters=[*raw_values, bucket_id],
        )
        files.append((path, join_url(location, name)))
    cursor.execute(f"DROP TABLE {_ROWS}")
    return files, total, list(partitions.items()) if keys else []


def write_manifest(s3: Any, context: QueryContext, urls: Sequence[str]) -> str | None:
    """`<output location><query id>-manifest.csv`: the files a CTAS/INSERT/UNLOAD wrote, one per
    line, as Athena leaves it next to the query results (Statistics.DataManifestLocation)."""
    if not context.output_location:
        return None
    location = join_url(context.output_location, f"{context.query_id}-manifest.csv")
    bucket, key = split_s3_url(location)
    s3.put_object(Bucket=bucket, Key=key, Body="".join(f"{url}\n" for url in urls).encode())
    return location
