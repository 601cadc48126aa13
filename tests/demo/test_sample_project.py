"""What `make demo` does, as CI runs it: `dbt build` of sample_project on the embedded emulator, twice.

The second build must run the incrementals incrementally against the state the first left behind in
the project's emulator folder (a separate dbt process attaching to the same emulator).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "sample_project"
DBT = Path(sys.executable).with_name("dbt")

pytestmark = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("demo") / "sample_project"
    shutil.copytree(
        SAMPLE_PROJECT,
        directory,
        ignore=shutil.ignore_patterns(".athena_local", "target", "logs", ".user.yml"),
    )
    yield directory
    emulator = directory / ".athena_local" / "emulator.json"
    if emulator.exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(json.loads(emulator.read_text())["pid"]), signal.SIGTERM)


def _dbt(
    project_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DBT), *args, "--profiles-dir", "."],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )


def _results(project_dir: Path) -> dict[str, dict[str, Any]]:
    results = json.loads((project_dir / "target" / "run_results.json").read_text())["results"]
    # unique_id: "<type>.<project>.<name>[.<hash>]"
    return {result["unique_id"].split(".")[2]: result for result in results}


def test_build_twice_runs_incrementals_incrementally(project_dir: Path) -> None:
    first = _dbt(project_dir, "build")
    assert first.returncode == 0, first.stdout[-4000:]
    first_results = _results(project_dir)
    assert {r["status"] for r in first_results.values()} <= {"success", "pass"}
    assert len(first_results) >= 30

    second = _dbt(project_dir, "build")
    assert second.returncode == 0, second.stdout[-4000:]
    second_results = _results(project_dir)

    # Incremental re-runs touch only recent data: fewer rows than the first, full build.
    for model in ("order_status_history", "daily_revenue"):
        rows_first = first_results[model]["adapter_response"]["rows_affected"]
        rows_second = second_results[model]["adapter_response"]["rows_affected"]
        assert 0 < rows_second < rows_first, (model, rows_first, rows_second)
    # The tests of the second build ran against the state the first one left.
    assert second_results["unique_daily_revenue_order_date"]["status"] == "pass"

    summary = subprocess.run(
        [sys.executable, "scripts/summarize_run.py"],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "daily_revenue" in summary.stdout and "Totals:" in summary.stdout


def test_prod_target_names_its_missing_variables(project_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAFFLE_")}
    result = _dbt(project_dir, "debug", "--target", "prod", env=env)
    assert result.returncode != 0
    assert "JAFFLE_AWS_REGION" in result.stdout
