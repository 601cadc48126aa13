"""What every benchmark script needs from the emulator: start it as its own process (as a user
does), wait until it answers, read and reset its API call counts, run a query and poll it, stop it.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
_LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


class EmulatorProcess:
    """`python -m dbt_athena_lite.emulator --port 0 [extra args]` until stop().

    `start_seconds` is process start to /_emulator/health answering 200.
    """

    def __init__(self, extra_args: Sequence[str] = (), python: str = sys.executable) -> None:
        started = time.perf_counter()
        command = [python, "-m", "dbt_athena_lite.emulator", "--host", "127.0.0.1", "--port", "0"]
        self.process = subprocess.Popen([*command, *extra_args], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        match = _LISTENING.search(self.process.stdout.readline())
        if not match:
            self.process.kill()
            raise RuntimeError(f"the emulator did not report its address: {' '.join(command)}")
        self.endpoint = match.group(1)
        while not self._healthy():
            time.sleep(0.005)
        self.start_seconds = time.perf_counter() - started

    @property
    def pid(self) -> int:
        return self.process.pid

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/_emulator/health", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def stats(self) -> dict[str, int]:
        """API calls clients made since the last reset, keyed `service:Action`."""
        with urllib.request.urlopen(f"{self.endpoint}/_emulator/stats", timeout=10) as response:
            counts: dict[str, int] = json.loads(response.read())
        return counts

    def reset_stats(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/_emulator/stats/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def client(self, service: str, **config: Any) -> Any:
        return boto3.client(  # type: ignore[call-overload]  # any service name
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=Config(**config) if config else None,
        )

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def run_query(
    athena: Any,
    sql: str,
    output_location: str,
    database: str | None = None,
    poll_interval: float = 0.01,
) -> tuple[float, list[list[str | None]]]:
    """Seconds from StartQueryExecution to a final state, and the result rows (header first for a
    SELECT, the first page only). Raises with Athena's reason if the query did not succeed."""
    started = time.perf_counter()
    request: dict[str, Any] = {
        "QueryString": sql,
        "ResultConfiguration": {"OutputLocation": output_location},
    }
    if database:
        request["QueryExecutionContext"] = {"Database": database}
    query_id = athena.start_query_execution(**request)["QueryExecutionId"]
    while True:
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(poll_interval)
    elapsed = time.perf_counter() - started
    if status["State"] != "SUCCEEDED":
        raise RuntimeError(f"{sql[:80]}... {status['State']}: {status.get('StateChangeReason')}")
    result_set = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]
    rows = [[cell.get("VarCharValue") for cell in row["Data"]] for row in result_set["Rows"]]
    return elapsed, rows


def status_kib(pid: int, field: str) -> int:
    """A `/proc/<pid>/status` memory field (VmRSS, VmHWM) in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)
