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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compression", default="SNAPPY")
    args = parser.parse_args()

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
        codec = args.compression.lower()
        athena_rows = _ROWS_ATHENA.format(last=args.rows - 1)
        duckdb_rows = fix_semantics(parse(athena_rows)).sql(dialect="duckdb")

        def engine_ctas(attempt: int) -> None:
            engine.execute(
                f"CREATE TABLE t{attempt} WITH (format='PARQUET', write_compression='{args.compression}', "
                f"external_location='s3://{bucket}/ctas/{attempt}/') AS {athena_rows}",
                context(),
            )

        plain = duckdb.connect()
        with tempfile.TemporaryDirectory() as folder:

            def duckdb_local(attempt: int) -> None:
                target = Path(folder) / f"direct_{attempt}.parquet"
                plain.execute(f"COPY ({duckdb_rows}) TO '{target}' (FORMAT parquet, COMPRESSION {codec})")

            local = best_of(args.repeat, duckdb_local)
        over_s3 = DuckDatabase(endpoint).cursor()

        def duckdb_s3(attempt: int) -> None:
            over_s3.execute(
                f"COPY ({duckdb_rows}) TO 's3://{bucket}/direct/{attempt}.parquet' "
                f"(FORMAT parquet, COMPRESSION {codec})"
            )

        to_s3 = best_of(args.repeat, duckdb_s3)
        ctas = best_of(args.repeat, engine_ctas)
        count = engine.execute(f"SELECT count(*) FROM t{args.repeat - 1}", context()).rows[0][0]
        print(
            f"rows: {args.rows:,} (read back: {count:,}), Parquet {args.compression}, best of {args.repeat}"
        )
        print(f"DuckDB COPY to a local file:        {local * 1000:8.1f} ms")
        print(f"DuckDB COPY to S3 (emulator):       {to_s3 * 1000:8.1f} ms")
        print(
            f"engine CTAS (plan+write+S3+Glue):   {ctas * 1000:8.1f} ms   ({ctas / local:.1f}x local, {ctas / to_s3:.1f}x S3)"
        )
        one = sorted(_timed(lambda: engine.execute("SELECT 1", context())) for _ in range(200))
        print(
            f"engine SELECT 1:                    median {one[100] * 1000:.2f} ms, p95 {one[190] * 1000:.2f} ms"
        )
        engine.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
