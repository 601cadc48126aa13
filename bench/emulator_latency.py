"""Emulator latency: start-to-healthy time of `athena-lite emulator`, and a trivial query's
round trip through boto3 (StartQueryExecution, polling GetQueryExecution, GetQueryResults).

    .venv/bin/python bench/emulator_latency.py [--starts 5] [--queries 100] [--poll-interval 0.005]

Prints figures; never fails on timing. The emulator runs as its own process with its
default (real) SQL engine, as a user would start it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from dataclasses import dataclass

from emulator_process import EmulatorProcess, run_query


@dataclass(frozen=True)
class LatencyFigures:
    start_seconds: list[float]  # process start to /health answering, one per start
    first_query_after_launch: float  # process start to the first SELECT 1's results
    first_query: float  # that first query alone (engine warm-up included)
    round_trips: list[float]  # sorted, one per later SELECT 1
    poll_interval: float

    @property
    def median_start(self) -> float:
        return statistics.median(self.start_seconds)

    @property
    def median_round_trip(self) -> float:
        return statistics.median(self.round_trips)

    @property
    def p90_round_trip(self) -> float:
        return self.round_trips[max(0, int(len(self.round_trips) * 0.9) - 1)]


def measure_latency(starts: int = 5, queries: int = 100, poll_interval: float = 0.005) -> LatencyFigures:
    start_seconds = []
    for _ in range(starts):
        with EmulatorProcess() as emulator:
            start_seconds.append(emulator.start_seconds)
    launched = time.perf_counter()
    with EmulatorProcess() as emulator:
        athena = emulator.client("athena")
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        emulator.client("s3").create_bucket(Bucket=bucket)
        output_location = f"s3://{bucket}/results/"
        first, _rows = run_query(athena, "SELECT 1", output_location, poll_interval=poll_interval)
        first_after_launch = time.perf_counter() - launched
        timings = sorted(
            run_query(athena, "SELECT 1", output_location, poll_interval=poll_interval)[0]
            for _ in range(queries)
        )
    return LatencyFigures(start_seconds, first_after_launch, first, timings, poll_interval)


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
    figures = measure_latency(args.starts, args.queries, args.poll_interval)
    print(
        f"start to healthy: median {_ms(figures.median_start)}, "
        f"max {_ms(max(figures.start_seconds))} over {args.starts} starts"
    )
    print(
        f"start to first query result (engine warm-up included): "
        f"{_ms(figures.first_query_after_launch)}; that query alone {_ms(figures.first_query)}"
    )
    print(
        f"SELECT 1 round trip (start + poll every {_ms(args.poll_interval)} + results): "
        f"median {_ms(figures.median_round_trip)}, p90 {_ms(figures.p90_round_trip)}, "
        f"min {_ms(figures.round_trips[0])} over {args.queries} queries"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
