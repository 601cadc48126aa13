"""A dbt project with one model of each kind whose every row shows which run wrote it, a profile
pointing at an emulator process, and the checks a crash must never break.

Run `v` writes, in every relation, the ids 1..5 (the insert_overwrite model: in days 1..3) with
`amount = id * v`. So each relation holds exactly the rows of one run, or a mix that the checks see.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

DBT = Path(sys.executable).with_name("dbt")
REGION = "us-east-1"
BUCKET = "crash-lake"
SCHEMA = "lake"
DATA_DIR = "data/"  # s3_data_dir and s3_tmp_table_dir live below it; query results do not
MODELS = {
    "seed_amounts": "",  # the seed
    "table_amounts": "{{ config(materialized='table') }}",
    "merge_amounts": (
        "{{ config(materialized='incremental', table_type='iceberg', incremental_strategy='merge', "
        "unique_key='id') }}"
    ),
    "overwrite_amounts": (
        "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', "
        "partitioned_by=['day']) }}"
    ),
}
TEMPORARY_MARKERS = ("__dbt_tmp", "__dbt_seed_csv")


def rows(name: str, version: int) -> list[tuple[str, ...]]:
    """What relation `name` holds after run `version`, as Athena returns it (text, ordered)."""
    ids = range(1, 6)
    if name == "overwrite_amounts":
        return sorted((str(i), str(i * version), str(day)) for day in (1, 2, 3) for i in ids)
    return [(str(i), str(i * version)) for i in ids]


def write_project(root: Path, endpoint: str) -> None:
    (root / "models").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "dbt_project.yml").write_text(
        "name: crash_lake\nversion: '1.0'\nprofile: crash_lake\nconfig-version: 2\n"
        "flags:\n  send_anonymous_usage_stats: false\n"
    )
    profile = {
        "crash_lake": {
            "target": "dev",
            "outputs": {
                "dev": {
                    "type": "athena_lite",
                    "region_name": REGION,
                    "database": "awsdatacatalog",
                    "schema": SCHEMA,
                    "s3_staging_dir": f"s3://{BUCKET}/results/",
                    "s3_data_dir": f"s3://{BUCKET}/{DATA_DIR}tables/",
                    "s3_tmp_table_dir": f"s3://{BUCKET}/{DATA_DIR}tmp/",
                    "endpoint_url": endpoint,
                    "aws_access_key_id": "crash",
                    "aws_secret_access_key": "crash",
                    "poll_interval": 0.2,
                    "threads": 1,
                }
            },
        }
    }
    (root / "profiles.yml").write_text(json.dumps(profile))  # YAML reads JSON
    for name, config in MODELS.items():
        if name == "seed_amounts":
            continue
        days = "cross join unnest(array[1, 2, 3]) as d(day)" if "overwrite" in name else ""
        columns = "id, id * {{ var('v') }} as amount" + (", day" if days else "")
        (root / "models" / f"{name}.sql").write_text(
            f"{config}\nselect {columns} from unnest(sequence(1, 5)) as t(id) {days}\n"
        )


def write_seed(root: Path, version: int) -> None:
    lines = ["id,amount", *(",".join(row) for row in rows("seed_amounts", version))]
    (root / "seeds" / "seed_amounts.csv").write_text("\n".join(lines) + "\n")


def dbt_build(root: Path, version: int) -> subprocess.Popen[str]:
    """Start `dbt build` of run `version` (the seed file is rewritten for it first)."""
    write_seed(root, version)
    return subprocess.Popen(
        [str(DBT), "build", "--vars", json.dumps({"v": version}), "--profiles-dir", str(root)],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


def finish(process: subprocess.Popen[str]) -> None:
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output


@dataclass
class Lake:
    """Clients of one emulator, and the checks."""

    endpoint: str

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="crash",
            aws_secret_access_key="crash",
        )

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.endpoint}/_emulator/stats", timeout=10) as response:
            counts: dict[str, int] = json.load(response)
        return counts

    def reset_stats(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/_emulator/stats/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def kill_when(self, process: subprocess.Popen[str], action: str, count: int) -> bool:
        """SIGKILL `process` once the emulator has served `count` calls of `action` (counted from
        the last reset). False if the process ended before that."""
        while process.poll() is None:
            if self.stats().get(action, 0) >= count:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
                return True
            time.sleep(0.02)
        return False

    def wait_idle(self) -> None:
        """Wait for queries a killed client left running: Athena finishes them too."""
        athena = self.client("athena")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ids = athena.list_query_executions().get("QueryExecutionIds", [])
            states = [
                q["Status"]["State"]
                for start in range(0, len(ids), 50)
                for q in athena.batch_get_query_execution(QueryExecutionIds=ids[start : start + 50])[
                    "QueryExecutions"
                ]
            ]
            if not any(state in ("QUEUED", "RUNNING") for state in states):
                return
            time.sleep(0.05)
        raise AssertionError("queries were still running after two minutes")

    def query(self, sql: str) -> list[tuple[str, ...]]:
        athena = self.client("athena")
        query_id = athena.start_query_execution(
            QueryString=sql, ResultConfiguration={"OutputLocation": f"s3://{BUCKET}/results/"}
        )["QueryExecutionId"]
        while (status := athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"])[
            "State"
        ] in ("QUEUED", "RUNNING"):
            time.sleep(0.02)
        assert status["State"] == "SUCCEEDED", f"{sql}: {status}"
        pages = athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        found = [
            tuple(d.get("VarCharValue", "") for d in r["Data"]) for p in pages for r in p["ResultSet"]["Rows"]
        ]
        return found[1:]  # the header row

    def contents(self, name: str) -> list[tuple[str, ...]]:
        return sorted(self.query(f"select * from {SCHEMA}.{name}"))

    def assert_each_relation_from_one_run(self, *versions: int) -> dict[str, int]:
        """Every relation is queryable and holds exactly the rows of one of `versions`; returns which."""
        found: dict[str, int] = {}
        for name in MODELS:
            got = self.contents(name)
            matching = [v for v in versions if got == sorted(rows(name, v))]
            assert matching, f"{name} holds rows of no single run {versions}: {got}"
            found[name] = matching[0]
        return found

    def table_names(self) -> list[str]:
        glue = self.client("glue")
        pages = glue.get_paginator("get_tables").paginate(DatabaseName=SCHEMA)
        return sorted(t["Name"] for page in pages for t in page["TableList"])

    def assert_clean(self) -> None:
        """No temporary table in Glue, and no S3 object under the data directory that no table reads:
        each lies in a partition's location (partitioned Hive tables read only those) or in the
        location of an unpartitioned table."""
        names = self.table_names()
        assert not [n for n in names if any(marker in n for marker in TEMPORARY_MARKERS)], names
        glue, s3 = self.client("glue"), self.client("s3")
        read: list[str] = []
        for name in names:
            table = glue.get_table(DatabaseName=SCHEMA, Name=name)["Table"]
            if table.get("PartitionKeys"):
                pages = glue.get_paginator("get_partitions").paginate(DatabaseName=SCHEMA, TableName=name)
                read += [p["StorageDescriptor"]["Location"] for page in pages for p in page["Partitions"]]
            elif table.get("TableType") != "VIRTUAL_VIEW":
                read.append(table["StorageDescriptor"]["Location"])
        directories = [location.rstrip("/") + "/" for location in read]
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=DATA_DIR)
        keys = [f"s3://{BUCKET}/{o['Key']}" for page in pages for o in page.get("Contents", [])]
        orphans = [key for key in keys if not any(key.startswith(d) for d in directories)]
        assert not orphans, f"objects no table reads: {orphans}"
