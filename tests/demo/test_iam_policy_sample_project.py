"""`athena-lite iam-policy` against what the adapter really calls.

sample_project's `prod` target (an assumed role, its own workgroup, results and data in two buckets)
is built on an in-process emulator reached through AWS_ENDPOINT_URL, as a deployment job would reach
AWS. The emulator counts every API call the adapter makes (its own engine's calls are not counted);
each must be allowed by the policy the CLI prints for the same target, on the resources the build
touched, and the policy must grant nothing beyond the profile's resources.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from dbt_athena_lite.emulator.server import EmulatorServer
from dbt_athena_lite.iam_policy import ACTION_REASONS, iam_action
from tests.iam_matching import allows, granted_actions, granted_resources

SAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "sample_project"
BIN = Path(sys.executable).parent
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's account, and the role's
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/dbt-deploy"
WORK_GROUP = "etl"
SCHEMA = "jaffle_lake"
RESULTS_BUCKET, RESULTS_PREFIX = "jaffle-results", "athena/"
DATA_BUCKET, DATA_PREFIX = "jaffle-data", "lake/"
# One worker builds the project once for every test here.
pytestmark = pytest.mark.xdist_group("iam_policy")

GLUE_DATABASE_ACTIONS = {
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:CreateDatabase",
    "glue:DeleteDatabase",
}


@dataclass(frozen=True)
class BuiltProject:
    called: dict[str, int]  # "service:Operation" -> count, from /_emulator/stats
    policy: dict[str, Any]
    boto_kwargs: dict[str, str]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltProject]:
    project = tmp_path_factory.mktemp("iam") / "sample_project"
    shutil.copytree(
        SAMPLE_PROJECT, project, ignore=shutil.ignore_patterns(".athena_local", "target", "logs", ".user.yml")
    )
    with EmulatorServer("127.0.0.1", 0) as server:
        url = server.endpoint_url
        boto_kwargs = {
            "endpoint_url": url,
            "region_name": REGION,
            "aws_access_key_id": "setup",
            "aws_secret_access_key": "setup",
        }
        s3 = boto3.client("s3", **boto_kwargs)
        for bucket in (RESULTS_BUCKET, DATA_BUCKET):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        boto3.client("athena", **boto_kwargs).create_work_group(
            Name=WORK_GROUP,
            Configuration={
                "ResultConfiguration": {"OutputLocation": f"s3://{RESULTS_BUCKET}/{RESULTS_PREFIX}"}
            },
        )
        urllib.request.urlopen(urllib.request.Request(f"{url}/_emulator/stats/reset", method="POST"))

        env = _deployment_env(url)
        for command in (["debug"], ["build"]):
            run = subprocess.run(
                [str(BIN / "dbt"), *command, "--target", "prod", "--profiles-dir", "."],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert run.returncode == 0, run.stdout[-4000:]
        with urllib.request.urlopen(f"{url}/_emulator/stats") as response:
            called = json.loads(response.read())

        printed = subprocess.run(
            [str(BIN / "athena-lite"), "iam-policy", "--profiles-dir", ".", "--target", "prod"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        yield BuiltProject(called, json.loads(printed.stdout), boto_kwargs)


def _deployment_env(endpoint_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "JAFFLE_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_ACCESS_KEY_ID="deploy-job",
        AWS_SECRET_ACCESS_KEY="deploy-job",
        JAFFLE_AWS_REGION=REGION,
        JAFFLE_WORK_GROUP=WORK_GROUP,
        JAFFLE_S3_STAGING_DIR=f"s3://{RESULTS_BUCKET}/{RESULTS_PREFIX}",
        JAFFLE_S3_DATA_DIR=f"s3://{DATA_BUCKET}/{DATA_PREFIX}",
        JAFFLE_ROLE_ARN=ROLE_ARN,
        JAFFLE_EXTERNAL_ID="external-id-1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def _called_actions(built: BuiltProject) -> set[str]:
    return {action for key in built.called for action in iam_action(*key.split(":", 1))}


def test_the_build_called_every_service_it_needs(built: BuiltProject) -> None:
    services = {key.split(":", 1)[0] for key in built.called}
    assert services == {"athena", "glue", "s3", "sts"}, built.called
    assert built.called["athena:StartQueryExecution"] >= 30


def test_every_called_action_is_granted_and_documented(built: BuiltProject) -> None:
    called = _called_actions(built)
    assert called <= set(ACTION_REASONS), called - set(ACTION_REASONS)
    assert called <= granted_actions(built.policy), called - granted_actions(built.policy)


def test_athena_and_sts_calls_are_allowed_on_their_resources(built: BuiltProject) -> None:
    workgroup = f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{WORK_GROUP}"
    for action in (a for a in _called_actions(built) if a.startswith("athena:")):
        assert allows(built.policy, action, workgroup), action
        assert not allows(built.policy, action, f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/primary")
    assert allows(built.policy, "sts:AssumeRole", ROLE_ARN)


def test_glue_calls_are_allowed_on_every_database_and_table_built(built: BuiltProject) -> None:
    glue = boto3.client("glue", **built.boto_kwargs)
    databases = [d["Name"] for d in glue.get_databases()["DatabaseList"] if d["Name"] != "default"]
    assert databases == [SCHEMA]
    tables = [t["Name"] for t in glue.get_tables(DatabaseName=SCHEMA)["TableList"]]
    assert len(tables) >= 10
    arn = f"arn:aws:glue:{REGION}:{ACCOUNT}"
    glue_actions = {a for a in _called_actions(built) if a.startswith("glue:")}
    for action in glue_actions:
        # Glue authorizes a database call on the catalog and the database, a table call on the table too.
        resources = [f"{arn}:catalog", f"{arn}:database/{SCHEMA}"]
        if action not in GLUE_DATABASE_ACTIONS:
            resources += [f"{arn}:table/{SCHEMA}/{table}" for table in tables]
        for resource in resources:
            assert allows(built.policy, action, resource), (action, resource)
        assert not allows(built.policy, action, f"{arn}:database/finance"), action


def test_s3_calls_are_allowed_on_every_object_and_location_built(built: BuiltProject) -> None:
    s3 = boto3.client("s3", **built.boto_kwargs)
    glue = boto3.client("glue", **built.boto_kwargs)
    data_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=DATA_BUCKET)["Contents"]]
    result_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=RESULTS_BUCKET)["Contents"]]
    assert data_keys and result_keys
    for key in data_keys:
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            assert allows(built.policy, action, f"arn:aws:s3:::{DATA_BUCKET}/{key}"), (action, key)
    for key in result_keys:
        for action in ("s3:GetObject", "s3:PutObject"):
            assert allows(built.policy, action, f"arn:aws:s3:::{RESULTS_BUCKET}/{key}"), (action, key)
        assert not allows(built.policy, "s3:DeleteObject", f"arn:aws:s3:::{RESULTS_BUCKET}/{key}")
    # The adapter lists table locations (before deleting or copying) and the configured directories.
    locations = [
        t["StorageDescriptor"]["Location"]
        for t in glue.get_tables(DatabaseName=SCHEMA)["TableList"]
        if t.get("TableType") != "VIRTUAL_VIEW"
    ]
    assert locations
    for location in [
        *locations,
        f"s3://{DATA_BUCKET}/{DATA_PREFIX}",
        f"s3://{RESULTS_BUCKET}/{RESULTS_PREFIX}",
    ]:
        bucket, _, key = location.removeprefix("s3://").partition("/")
        prefix = key.rstrip("/") + "/"
        assert allows(built.policy, "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix}), (
            location
        )


def test_nothing_broader_than_the_profile_is_granted(built: BuiltProject) -> None:
    actions = granted_actions(built.policy)
    assert actions <= set(ACTION_REASONS)
    assert not any("*" in action or "?" in action for action in actions)
    expected_prefixes = (
        f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{WORK_GROUP}",
        f"arn:aws:glue:{REGION}:{ACCOUNT}:catalog",
        f"arn:aws:glue:{REGION}:{ACCOUNT}:database/{SCHEMA}",
        f"arn:aws:glue:{REGION}:{ACCOUNT}:database/default",
        f"arn:aws:glue:{REGION}:{ACCOUNT}:table/{SCHEMA}",
        f"arn:aws:s3:::{RESULTS_BUCKET}",
        f"arn:aws:s3:::{DATA_BUCKET}",
        ROLE_ARN,
    )
    for resource in granted_resources(built.policy):
        assert resource.startswith(expected_prefixes), resource
    assert not allows(built.policy, "s3:ListBucket", f"arn:aws:s3:::{DATA_BUCKET}", {"s3:prefix": "other/"})
    assert not allows(built.policy, "s3:GetObject", f"arn:aws:s3:::{DATA_BUCKET}/other/file")
    assert not allows(
        built.policy, "glue:DeleteDatabase", f"arn:aws:glue:{REGION}:{ACCOUNT}:database/default"
    )
