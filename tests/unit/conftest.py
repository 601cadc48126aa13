"""Shared helpers for the unit tests."""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from dbt_athena_lite.credentials import AthenaLiteCredentials

# The smallest profile that loads; tests override or remove (value None) single fields.
MINIMAL_PROFILE: dict[str, Any] = {
    "s3_staging_dir": "s3://query-results/athena/",
    "region_name": "eu-west-1",
    "database": "awsdatacatalog",
    "schema": "analytics",
}


def load_profile_fields(profile: dict[str, Any]) -> AthenaLiteCredentials:
    """Load a target's fields exactly as dbt-core's `Profile._credentials_from_profile` does."""
    data = AthenaLiteCredentials.translate_aliases(profile)
    AthenaLiteCredentials.validate(data)  # dbt's JSON-schema check: sees values after env_var() coercion
    return AthenaLiteCredentials.from_dict(data)


@pytest.fixture
def load_profile() -> Callable[..., AthenaLiteCredentials]:
    """`load_profile(**fields)`: MINIMAL_PROFILE with `fields` applied (None removes one), as dbt loads it."""

    def load(**fields: Any) -> AthenaLiteCredentials:
        merged = {**MINIMAL_PROFILE, **fields}
        return load_profile_fields({key: value for key, value in merged.items() if value is not None})

    return load


@pytest.fixture
def dbt_loads_athena_lite(monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt-core's Profile loader runs as under the CLI: `type: athena_lite` finds our credentials (no
    adapter registered), and the one global flag Profile reads is set."""
    monkeypatch.setattr("dbt.adapters.factory.load_plugin", lambda name: AthenaLiteCredentials)
    monkeypatch.setattr("dbt.flags.GLOBAL_FLAGS", Namespace(LOG_CACHE_EVENTS=False))


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any]]:
    """moto Glue and S3 clients with a Glue database `sales` and a bucket `lake`."""
    with mock_aws():
        glue = boto3.client("glue", region_name="us-east-1")
        s3 = boto3.client("s3", region_name="us-east-1")
        glue.create_database(DatabaseInput={"Name": "sales"})
        s3.create_bucket(Bucket="lake")
        yield glue, s3
