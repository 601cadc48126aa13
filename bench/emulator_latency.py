"""Emulator latency: start-to-healthy time of `athena-lite emulator`, and a trivial query's
round trip through boto3 (StartQueryExecution, polling GetQueryExecution, GetQueryResults).

    .venv/bin/python bench/emulator_latency.py [--starts 5] [--queries 100] [--poll-interval 0.005]

Prints figures; never fails on timing. The emulator runs as its own process with its
default (real) SQL engine, as a user would start it.
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from typing import Any

import boto3

_LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


def start_emulator() -> tuple[subprocess.Popen[str], str, float]:
    """Start the CLI on a free port; (process, endpoint, seconds until /health answered)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "dbt_athena_lite.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    match = _LISTENING.search(process.stdout.readline())
    if not match:
        process.kill()
        raise RuntimeError("the emulator did not report its address")
    endpoint = match.group(1)
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/_emulator/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.005)
    return process, endpoint, time.perf_counter() - started


def stop_emulator(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)


def round_trip(athena: Any, output_location: str, poll_interval: float) -> tuple[float, str]:
    """Seconds for one `SELECT 1` from start to its results, and its final state."""
    started = time.perf_counter()
    query_id = athena.start_query_execution(
        QueryString="SELECT 1", ResultConfiguration={"OutputLocation": output_location}
    )["QueryExecutionId"]
    while True:
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(poll_interval)
    if status["State"] == "SUCCEEDED":
        athena.get_query_results(QueryExecutionId=query_id)
    return time.perf_counter() - started, str(status.get("StateChangeReason") or status["State"])


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--starts", type=int, default=5, help="emulator starts to time")
    parser.add_argument("--queries", type=int, default=100, help="trivial queries to time")
    parser.add_argument("--poll-interval", type=float, default=0.005, help="seconds between polls")
    args = parser.parse_args()

    start_times = []
    for _ in range(args.starts):
        process, _endpoint, seconds = start_emulator()
        start_times.append(seconds)
        stop_emulator(process)
    print(
        f"start to healthy: median {_ms(statistics.median(start_times))}, "
        f"max {_ms(max(start_times))} over {args.starts} starts"
    )

    launched = time.perf_counter()
    process, endpoint, _seconds = start_emulator()
    try:
        session = boto3.session.Session(
            aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1"
        )
        athena = session.client("athena", endpoint_url=endpoint)
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        session.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        output_location = f"s3://{bucket}/results/"
        first, state = round_trip(athena, output_location, args.poll_interval)
        print(
            f"start to first query result (engine warm-up included): "
            f"{_ms(time.perf_counter() - launched)}; that query alone {_ms(first)} [{state}]"
        )
        timings = []
        for _ in range(args.queries):
            seconds, state = round_trip(athena, output_location, args.poll_interval)
            timings.append(seconds)
        timings.sort()
        p90 = timings[int(len(timings) * 0.9) - 1]
        print(
            f"SELECT 1 round trip (start + poll every {_ms(args.poll_interval)} + results): "
            f"median {_ms(statistics.median(timings))}, p90 {_ms(p90)}, "
            f"min {_ms(timings[0])} over {args.queries} queries [last: {state}]"
        )
    finally:
        stop_emulator(process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
