"""Iceberg MERGE through the Athena API: MERGE 100k source rows into a 1M-row Iceberg table
(half of them match and are updated, half are inserted), on an in-process emulator.

    .venv/bin/python bench/emulator_iceberg.py [--rows 1000000] [--source-rows 100000] [--partitioned]

Prints the time of each step as a client sees it (StartQueryExecution to SUCCEEDED, polled every
10 ms) and the process's peak resident memory; never fails on timing. Target: the MERGE within 10 s
on a 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import uuid

import boto3
from emulator_process import run_query

from dbt_athena_lite.emulator.server import EmulatorServer, default_engine_factory

_ROWS = (
    "SELECT x AS id, 'name-' || CAST(x AS VARCHAR) AS label, x * 0.5e0 AS score, "
    "date_add('day', x % 365, DATE '2024-01-01') AS day FROM UNNEST(sequence({first}, {last})) AS u(x)"
)


def _run(athena: object, sql: str, database: str, output: str) -> float:
    return run_query(athena, sql, output, database)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--source-rows", type=int, default=100_000)
    parser.add_argument("--partitioned", action="store_true", help="partition the target by month(day)")
    args = parser.parse_args()

    server = EmulatorServer("127.0.0.1", 0, engine_factory=default_engine_factory).start()
    try:
        session = boto3.session.Session(
            aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1"
        )
        athena = session.client("athena", endpoint_url=server.endpoint_url)
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        session.client("s3", endpoint_url=server.endpoint_url).create_bucket(Bucket=bucket)
        output = f"s3://{bucket}/results/"
        database = "bench"
        _run(athena, f"CREATE DATABASE {database}", "default", output)
        partitioning = ", partitioning=ARRAY['month(day)']" if args.partitioned else ""
        target = _ROWS.format(first=0, last=args.rows - 1)
        ctas_seconds = _run(
            athena,
            f"CREATE TABLE target WITH (table_type='ICEBERG', is_external=false, "
            f"location='s3://{bucket}/target'{partitioning}) AS {target}",
            database,
            output,
        )
        first = args.rows - args.source_rows // 2  # half the source matches the target's last rows
        source = _ROWS.format(first=first, last=first + args.source_rows - 1)
        _run(athena, f"CREATE TABLE source WITH (format='PARQUET') AS {source}", database, output)
        merge_seconds = _run(
            athena,
            "MERGE INTO target t USING source s ON t.id = s.id "
            "WHEN MATCHED THEN UPDATE SET label = 'updated', score = s.score + 1 "
            "WHEN NOT MATCHED THEN INSERT (id, label, score, day) VALUES (s.id, s.label, s.score, s.day)",
            database,
            output,
        )
        read_seconds = _run(athena, "SELECT count(*), sum(score) FROM target", database, output)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        layout = "partitioned by month(day)" if args.partitioned else "unpartitioned"
        print(f"Iceberg target: {args.rows:,} rows, {layout}; MERGE source: {args.source_rows:,} rows")
        print(f"  CTAS of the target          {ctas_seconds:6.2f} s")
        print(f"  MERGE (update + insert)     {merge_seconds:6.2f} s   (target: < 10 s)")
        print(f"  SELECT count(*), sum()      {read_seconds:6.2f} s")
        print(f"  peak resident memory        {peak_mb:6.0f} MB (whole process: emulator and client)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
