"""Peak memory of the emulator while a query aggregates a 10M-row table.

    .venv/bin/python bench/emulator_scan_memory.py [--rows 10000000]

Runs the emulator as its own process (so the figure is the emulator's alone), builds a Parquet table
of `--rows` rows with a CTAS, resets the process's peak-RSS counter (Linux: `5` into
/proc/<pid>/clear_refs), runs an aggregating scan through the Athena API and prints the peak resident
memory during the scan and the timings. Target: under 1.5 GiB. Prints figures; never fails on them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3

TARGET_BYTES = int(1.5 * 1024**3)


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "dbt_athena_lite.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "listening on " in line:
            return process, line.split("listening on ", 1)[1].strip()
    raise RuntimeError("the emulator did not start")


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def run(athena: Any, sql: str) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    query_id = athena.start_query_execution(
        QueryString=sql, ResultConfiguration={"OutputLocation": "s3://bench-scan/results/"}
    )["QueryExecutionId"]
    while True:
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if status["State"] != "SUCCEEDED":
        raise RuntimeError(f"{sql[:60]}...: {status.get('StateChangeReason')}")
    rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]
    return elapsed, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    outer = max(1, args.rows // 10_000)
    process, endpoint = start_emulator()
    try:
        clients = {
            name: boto3.client(
                name,
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
            )
            for name in ("s3", "athena")
        }
        clients["s3"].create_bucket(Bucket="bench-scan")
        athena = clients["athena"]
        run(athena, "CREATE DATABASE bench")
        # Athena's sequence() stops at 10,000 elements, so the rows come from a cross join.
        ctas_seconds, _ = run(
            athena,
            "CREATE TABLE bench.big WITH (format='PARQUET', external_location='s3://bench-scan/big/') AS "
            "SELECT a * 10000 + b AS id, (a * 10000 + b) % 97 AS grp, "
            "'label-' || CAST(b AS VARCHAR) AS label, (a + b) * 0.5e0 AS score "
            f"FROM UNNEST(sequence(0, {outer - 1})) AS x(a) CROSS JOIN UNNEST(sequence(0, 9999)) AS y(b)",
        )
        after_ctas = status_kib(process.pid, "VmRSS")
        Path(f"/proc/{process.pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        scan_seconds, rows = run(
            athena,
            "SELECT grp, count(*) AS n, sum(score) AS total, max(length(label)) AS longest "
            "FROM bench.big GROUP BY grp ORDER BY grp",
        )
        peak = status_kib(process.pid, "VmHWM") * 1024
        print(f"rows: {outer * 10_000:,}; groups returned: {len(rows) - 1}")
        print(f"CTAS: {ctas_seconds:.1f} s; emulator RSS after it: {after_ctas / 1024:.0f} MiB")
        print(f"aggregating scan: {scan_seconds:.2f} s")
        verdict = "within" if peak < TARGET_BYTES else "OVER"
        print(f"peak emulator RSS during the scan: {peak / 1024**2:.0f} MiB ({verdict} the 1.5 GiB target)")
    finally:
        process.terminate()
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
