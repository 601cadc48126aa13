"""API calls of a second run of each kind of model: a table, a seed, an Iceberg merge and a Hive
insert_overwrite incremental (the crash tests' project, tests/crash/lake.py), one model at a time.

    .venv/bin/python bench/rerun_calls.py

Builds the project once (run 1), then runs `dbt build --select <model>` of run 2 per model and
prints the calls the emulator served for it, by service and action. Prints figures; never fails.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: its tests' helpers

from tests.crash.lake import BUCKET, DBT, MODELS, Lake, dbt_build, finish, write_project, write_seed
from tests.emulator_process import emulator_process


def main() -> None:
    with emulator_process(None) as (_emulator, endpoint), tempfile.TemporaryDirectory() as tmp:
        lake = Lake(endpoint)
        lake.client("s3").create_bucket(Bucket=BUCKET)
        root = Path(tmp) / "project"
        write_project(root, endpoint)
        finish(dbt_build(root, 1))
        write_seed(root, 2)
        print(f"{'model':20} {'queries':>7} {'glue':>5} {'s3':>4}  calls (athena:Get* left out)")
        for name in MODELS:
            lake.reset_stats()
            command = [str(DBT), "build", "--select", name, "--vars", json.dumps({"v": 2})]
            subprocess.run([*command, "--profiles-dir", str(root)], cwd=root, check=True, capture_output=True)
            calls = {
                k: v for k, v in sorted(lake.stats().items()) if not k.startswith(("athena:Get", "sts:"))
            }
            totals = {s: sum(v for k, v in calls.items() if k.startswith(s + ":")) for s in ("glue", "s3")}
            queries = calls.get("athena:StartQueryExecution", 0)
            print(f"{name:20} {queries:>7} {totals['glue']:>5} {totals['s3']:>4}  {calls}")


if __name__ == "__main__":
    main()
