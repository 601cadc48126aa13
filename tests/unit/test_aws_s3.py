"""S3 prefix operations on moto: directory boundaries, pagination, batched deletes, copies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from dbt_athena_lite.aws.s3 import S3DeleteFailed, S3Objects, directory_key


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="lake")
        yield client


def keys(s3: Any) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="lake")
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def test_directory_key_always_ends_with_a_slash() -> None:
    assert directory_key("s3://lake/data/t") == ("lake", "data/t/")
    assert directory_key("s3://lake/data/t/") == ("lake", "data/t/")


def test_a_prefix_is_a_directory_not_a_string_prefix(s3: Any) -> None:
    for key in ("data/t/a", "data/t2/a", "data/t"):
        s3.put_object(Bucket="lake", Key=key, Body=b"x")
    objects = S3Objects(s3)
    assert objects.list_keys("s3://lake/data/t") == ["data/t/a"]
    assert objects.delete_prefix("s3://lake/data/t") == 1
    assert keys(s3) == ["data/t", "data/t2/a"]
    assert not objects.has_objects("s3://lake/data/t")


def test_deletes_past_one_page_and_one_batch(s3: Any) -> None:
    for i in range(1203):
        s3.put_object(Bucket="lake", Key=f"data/t/{i:05}", Body=b"")
    assert S3Objects(s3).delete_prefix("s3://lake/data/t/") == 1203
    assert keys(s3) == []


def test_copy_keeps_relative_keys(s3: Any) -> None:
    for key in ("tmp/u/dt=1/a.parquet", "tmp/u/dt=2/b.parquet", "tmp/u2/c"):
        s3.put_object(Bucket="lake", Key=key, Body=b"x")
    assert S3Objects(s3).copy_prefix("s3://lake/tmp/u", "s3://lake/data/t") == 2
    assert keys(s3) == [
        "data/t/dt=1/a.parquet",
        "data/t/dt=2/b.parquet",
        "tmp/u/dt=1/a.parquet",
        "tmp/u/dt=2/b.parquet",
        "tmp/u2/c",
    ]


class RefusingClient:
    """DeleteObjects answers with per-key errors (e.g. AccessDenied on some keys)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def delete_objects(self, **kwargs: Any) -> dict[str, Any]:
        return {"Errors": [{"Key": o["Key"], "Code": "AccessDenied"} for o in kwargs["Delete"]["Objects"]]}


def test_per_key_delete_errors_are_raised(s3: Any) -> None:
    s3.put_object(Bucket="lake", Key="data/t/a", Body=b"x")
    with pytest.raises(S3DeleteFailed, match="data/t/a: AccessDenied"):
        S3Objects(RefusingClient(s3)).delete_prefix("s3://lake/data/t")
