"""Build whole dbt projects (sample_project, generated ones) against an emulator endpoint, and read back
what they built: every table's full contents, sorted, through Athena."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import boto3
import pyathena
import pytest
from dbt.adapters.factory import reset_adapters
from dbt.cli.main import dbtRunner, dbtRunnerResult

from tests.functional.adapter.tables_util import glue_client
from tests.functional.conftest import BUCKET, REGION

SAMPLE_PROJECT = Path(__file__).resolve().parents[3] / "sample_project"
# Columns whose value is the build's wall-clock time (now() / current_timestamp), so two builds of the
# same data differ there; dbt_scd_id hashes the key with dbt_updated_at, which is now() for the
# snapshot's `check` strategy. Every other column must match exactly.
CLOCK_COLUMNS = frozenset({"loaded_at", "dbt_updated_at", "dbt_valid_from", "dbt_scd_id"})

Row = tuple[Any, ...]


def write_profile(
    project_dir: Path,
    *,
    profile: str,
    endpoint: str,
    schema: str,
    threads: int = 4,
    extra: dict[str, Any] | None = None,
) -> None:
    fields: dict[str, Any] = {
        "type": "athena_lite",
        "endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "region_name": REGION,
        "database": "awsdatacatalog",
        "schema": schema,
        "s3_staging_dir": f"s3://{BUCKET}/{schema}/results/",
        "s3_data_dir": f"s3://{BUCKET}/{schema}/data/",
        "threads": threads,
        "poll_interval": 0.2,
        **(extra or {}),
    }
    lines = [f"{profile}:", "  target: t", "  outputs:", "    t:"]
    lines += [f"      {name}: {value}" for name, value in fields.items()]
    (project_dir / "profiles.yml").write_text("\n".join(lines) + "\n")


def copy_sample_project(destination: Path, *, endpoint: str, schema: str) -> Path:
    shutil.copytree(
        SAMPLE_PROJECT,
        destination,
        ignore=shutil.ignore_patterns(".athena_local", "target", "logs", ".user.yml", "profiles.yml"),
    )
    write_profile(destination, profile="jaffle_lake", endpoint=endpoint, schema=schema)
    return destination


def invoke(project_dir: Path, *args: str, profiles_dir: Path | None = None) -> dbtRunnerResult:
    """dbt in this process (as dbt-tests-adapter runs it), on `project_dir` with the profiles.yml in
    `profiles_dir` (default: the project's own)."""
    profiles = profiles_dir if profiles_dir is not None else project_dir
    try:
        return dbtRunner().invoke([*args, "--project-dir", str(project_dir), "--profiles-dir", str(profiles)])
    finally:
        # dbt leaves the adapter it registered in its factory, and dbt-tests-adapter's `project`
        # fixture of a later test class would reuse it, endpoint and all (register_adapter keeps an
        # existing one): forget it, as that fixture does at its own teardown.
        reset_adapters()


def statuses(result: dbtRunnerResult) -> dict[str, str]:
    """Node name -> status (`success`, `error`, `skipped`, `pass`, ...) of one invocation."""
    return {item.node.name: str(item.status) for item in result.result.results}


def athena_client(endpoint: str) -> Any:
    return boto3.client(
        "athena", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )


def create_work_group(endpoint: str, prefix: str) -> str:
    """A workgroup of its own for a test, so its queries can be listed apart from the session's."""
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    athena_client(endpoint).create_work_group(Name=name, Configuration={})
    return name


class OwnWorkGroup:
    """Mixin for a dbt-tests-adapter class: its queries run in a workgroup of their own, so
    query_executions() lists just them; `profile_overrides` change other profile fields."""

    profile_overrides: ClassVar[dict[str, Any]] = {}

    @pytest.fixture(scope="class")
    def work_group(self, emulator_endpoint: str) -> str:
        return create_work_group(emulator_endpoint, type(self).__name__.lower())

    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict[str, Any], work_group: str) -> dict[str, Any]:
        return {**dbt_profile_target, **self.profile_overrides, "work_group": work_group}


def query_executions(endpoint: str, work_group: str) -> list[dict[str, Any]]:
    """Every query the emulator ran in `work_group` (BatchGetQueryExecution's records)."""
    athena = athena_client(endpoint)
    pages = athena.get_paginator("list_query_executions").paginate(WorkGroup=work_group)
    ids = [query_id for page in pages for query_id in page["QueryExecutionIds"]]
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), 50):
        found += athena.batch_get_query_execution(QueryExecutionIds=ids[start : start + 50])[
            "QueryExecutions"
        ]
    return found


def glue_tables(endpoint: str, schema: str) -> dict[str, list[str]]:
    """Table name -> column names (data columns, then partition columns), as Glue has them."""
    pages = glue_client(endpoint).get_paginator("get_tables").paginate(DatabaseName=schema)
    tables: dict[str, list[str]] = {}
    for page in pages:
        for table in page["TableList"]:
            columns = table.get("StorageDescriptor", {}).get("Columns", []) + table.get("PartitionKeys", [])
            tables[table["Name"]] = [column["Name"] for column in columns]
    return tables


def connect(endpoint: str, schema: str) -> Any:
    return pyathena.connect(
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        s3_staging_dir=f"s3://{BUCKET}/{schema}/reads/",
        schema_name=schema,
        poll_interval=0.05,  # PyAthena's default waits a whole second before its first status check
    )


def contents(cursor: Any, schema: str, table: str, columns: Sequence[str]) -> list[Row]:
    """Every row of `table` (only `columns`), sorted, so two builds compare regardless of order."""
    selected = ", ".join(f'"{column}"' for column in columns)
    cursor.execute(f'select {selected} from "{schema}"."{table}"')
    return sorted((tuple(row) for row in cursor.fetchall()), key=repr)


def compared_columns(columns: Iterable[str]) -> list[str]:
    return [column for column in columns if column not in CLOCK_COLUMNS]
