"""CTAS throughput: a 1M-row CTAS to Parquet through the emulator's engine, against DuckDB writing
the same rows (the same translated query) to a Parquet file directly: to local disk, and to S3
through the emulator.

    .venv/bin/python bench/emulator_ctas.py [--rows 1000000] [--repeat 3] [--compression SNAPPY]

Also prints the engine's cost of a trivial `SELECT 1` (no table: no Glue or S3 call).
Prints figures (best of --repeat); never fails on timing. The engine's figure includes what a
real CTAS does on top of the write: planning, the location check, the upload and the Glue
registration.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
import duckdb

from dbt_athena_lite.emulator.engine.api import QueryContext
from dbt_athena_lite.emulator.engine.duck import DuckDatabase
from dbt_athena_lite.emulator.engine.engine import AthenaSqlEngine
from dbt_athena_lite.emulator.engine.semantics import fix_semantics
from dbt_athena_lite.emulator.engine.translate import parse
from dbt_athena_lite.emulator.server import EmulatorServer, default_engine_factory

_ROWS_ATHENA = (
    "SELECT x AS id, x % 97 AS bucket, 'name-' || CAST(x AS VARCHAR) AS label, x * 0.5e0 AS score "
    "FROM UNNEST(sequence(0, {last})) AS u(x)"
)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def best_of(repeat: int, action: Callable[[int], None]) -> float:
    timings = []
    for attempt in range(repeat):
        started = time.perf_counter()
        action(attempt)
        timings.append(time.perf_counter() - started)
    return min(timings)


@dataclass(frozen=True)
class CtasFigures:
    rows: int
    rows_read_back: int
    compression: str
    repeat: int
    duckdb_local: float  # best of `repeat`, seconds
    duckdb_s3: float
    engine_ctas: float
    select_one_median: float
    select_one_p95: float


def measure_ctas(rows: int = 1_000_000, repeat: int = 3, compression: str = "SNAPPY") -> CtasFigures:
    server = EmulatorServer("127.0.0.1", 0, engine_factory=default_engine_factory).start()
    try:
        endpoint = server.endpoint_url
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        ).create_bucket(Bucket=bucket)
        engine = AthenaSqlEngine(endpoint)
        database = f"bench_{uuid.uuid4().hex[:8]}"

        def context(query_id: str | None = None) -> QueryContext:
            return QueryContext(
                query_id or str(uuid.uuid4()), "123456789012", "us-east-1", "awsdatacatalog", database,
                f"s3://{bucket}/results/",
            )  # fmt: skip

        engine.execute(f"CREATE DATABASE {database}", context())
        codec = compression.lower()
        athena_rows = _ROWS_ATHENA.format(last=rows - 1)
        duckdb_rows = fix_semantics(parse(athena_rows)).sql(dialect="duckdb")

        def engine_ctas(attempt: int) -> None:
            engine.execute(
                f"CREATE TABLE t{attempt} WITH (format='PARQUET', write_compression='{compression}', "
                f"external_location='s3://{bucket}/ctas/{attempt}/') AS {athena_rows}",
                context(),
            )

        plain = duckdb.connect()
        with tempfile.TemporaryDirectory() as folder:

            def duckdb_local(attempt: int) -> None:
                target = Path(folder) / f"direct_{attempt}.parquet"
                plain.execute(f"COPY ({duckdb_rows}) TO '{target}' (FORMAT parquet, COMPRESSION {codec})")

            local = best_of(repeat, duckdb_local)
        over_s3 = DuckDatabase(endpoint).cursor()

        def duckdb_s3(attempt: int) -> None:
            over_s3.execute(
                f"COPY ({duckdb_rows}) TO 's3://{bucket}/direct/{attempt}.parquet' "
                f"(FORMAT parquet, COMPRESSION {codec})"
            )

        to_s3 = best_of(repeat, duckdb_s3)
        ctas = best_of(repeat, engine_ctas)
        count = engine.execute(f"SELECT count(*) FROM t{repeat - 1}", context()).rows[0][0]
        one = sorted(_timed(lambda: engine.execute("SELECT 1", context())) for _ in range(200))
        engine.close()
    finally:
        server.stop()
    return CtasFigures(rows, int(count), compression, repeat, local, to_s3, ctas, one[100], one[190])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compression", default="SNAPPY")
    args = parser.parse_args()
    f = measure_ctas(args.rows, args.repeat, args.compression)
    print(f"rows: {f.rows:,} (read back: {f.rows_read_back:,}), Parquet {f.compression}, best of {f.repeat}")
    print(f"DuckDB COPY to a local file:        {f.duckdb_local * 1000:8.1f} ms")
    print(f"DuckDB COPY to S3 (emulator):       {f.duckdb_s3 * 1000:8.1f} ms")
    print(
        f"engine CTAS (plan+write+S3+Glue):   {f.engine_ctas * 1000:8.1f} ms   "
        f"({f.engine_ctas / f.duckdb_local:.1f}x local, {f.engine_ctas / f.duckdb_s3:.1f}x S3)"
    )
    print(
        f"engine SELECT 1:                    median {f.select_one_median * 1000:.2f} ms, "
        f"p95 {f.select_one_p95 * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
