"""Running dbt with either adapter against the emulator, and what a run leaves to measure: wall time,
the emulator's API call counts, per-model statuses and row counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator_process import EmulatorProcess, run_query

BENCH_DIR = Path(__file__).resolve().parent
REFERENCE_VENV = BENCH_DIR / ".venv-reference"
REFERENCE_REQUIREMENTS = BENCH_DIR / "requirements-reference.txt"


@dataclass(frozen=True)
class Adapter:
    name: str  # also the profiles.yml target
    label: str
    dbt: Path
    env: dict[str, str]


def ensure_reference_venv() -> Path:
    """bench/.venv-reference with dbt-athena at the pinned versions (created once; never our venv:
    dbt-athena pins a PyAthena older than ours)."""
    dbt = REFERENCE_VENV / "bin" / "dbt"
    if not dbt.exists():
        print(f"creating {REFERENCE_VENV} (dbt-athena, pinned in {REFERENCE_REQUIREMENTS.name})", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(REFERENCE_VENV)], check=True)
        subprocess.run(
            [str(REFERENCE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", "-r", str(REFERENCE_REQUIREMENTS)],
            check=True,
        )  # fmt: skip
    return dbt


def adapters(endpoint: str) -> tuple[Adapter, Adapter]:
    quiet = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    lite = Adapter("lite", "dbt-athena-lite", Path(sys.executable).parent / "dbt", quiet)
    reference = Adapter(
        "reference",
        "dbt-athena 1.11.1",
        ensure_reference_venv(),
        {**quiet, "AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1"},
    )
    return lite, reference


@dataclass
class DbtRun:
    adapter: str
    command: str
    seconds: float
    returncode: int
    calls: dict[str, int]
    statuses: dict[str, str] = field(default_factory=dict)  # model name -> success / error / ...
    messages: dict[str, str] = field(default_factory=dict)  # model name -> error message

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def failed(self) -> list[str]:
        return sorted(name for name, status in self.statuses.items() if status != "success")


def run_dbt(
    adapter: Adapter,
    emulator: EmulatorProcess,
    *,
    project: Path,
    profiles: Path,
    run_dir: Path,
    arguments: Sequence[str],
) -> DbtRun:
    """`dbt <arguments>` with the adapter's target, timed, with the API calls it alone made."""
    command = [
        str(adapter.dbt), *arguments, "--project-dir", str(project), "--profiles-dir", str(profiles),
        "--target", adapter.name, "--target-path", str(run_dir / "target"), "--log-path", str(run_dir / "logs"),
    ]  # fmt: skip
    env = {**os.environ, **adapter.env}
    env.pop("VIRTUAL_ENV", None)
    run_dir.mkdir(parents=True, exist_ok=True)
    emulator.reset_stats()
    started = time.perf_counter()
    with (run_dir / "stdout.log").open("w") as log:
        completed = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - started
    run = DbtRun(adapter.name, " ".join(arguments), seconds, completed.returncode, emulator.stats())
    results_file = run_dir / "target" / "run_results.json"
    if results_file.exists():
        for result in json.loads(results_file.read_text())["results"]:
            name = result["unique_id"].rsplit(".", 1)[-1]
            run.statuses[name] = result["status"]
            if result["status"] != "success" and result.get("message"):
                run.messages[name] = str(result["message"]).splitlines()[0][:300]
    return run


def row_counts(emulator: EmulatorProcess, schema: str, models: Sequence[str], output: str) -> dict[str, int]:
    """count(*) of every given model, in one query (the emulator's latency is paid once)."""
    if not models:
        return {}
    sql = " UNION ALL ".join(
        f"SELECT '{name}' AS model, count(*) AS n FROM {schema}.{name}" for name in models
    )
    athena: Any = emulator.client("athena")
    _seconds, rows = run_query(athena, sql, output, poll_interval=0.05)
    return {str(model): int(str(count)) for model, count in rows[1:]}
