"""dbt functional tests (dbt-tests-adapter) against an in-process emulator.

One emulator serves the whole session; each test class gets its own schema (dbt-tests-adapter's
`unique_schema`) and the profile below. Tests here run in one xdist group, so the emulator starts once
per worker that runs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from dbt_athena_lite.emulator.server import EmulatorServer

REGION = "us-east-1"
BUCKET = "dbt-functional"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/functional/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("functional"))


@pytest.fixture(scope="session")
def emulator_endpoint() -> Iterator[str]:
    with EmulatorServer("127.0.0.1", 0) as server:
        s3 = boto3.client(
            "s3",
            endpoint_url=server.endpoint_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=BUCKET)
        yield server.endpoint_url


@pytest.fixture(scope="class")
def dbt_profile_target(emulator_endpoint: str) -> dict[str, Any]:
    return {
        "type": "athena_lite",
        "threads": 4,
        "region_name": REGION,
        "database": "awsdatacatalog",
        "s3_staging_dir": f"s3://{BUCKET}/staging/",
        "s3_data_dir": f"s3://{BUCKET}/data/",
        "endpoint_url": emulator_endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "poll_interval": 0.2,
    }
