"""Helpers for the table tests: the emulator's S3 and Glue as boto3 sees them, and model SQL."""

from __future__ import annotations

from typing import Any

import boto3

from tests.functional.conftest import BUCKET, REGION


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )


def s3_client(endpoint: str) -> Any:
    return _client("s3", endpoint)


def glue_client(endpoint: str) -> Any:
    return _client("glue", endpoint)


def keys_under(endpoint: str, prefix: str) -> list[str]:
    pages = s3_client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return [obj["Key"] for page in pages for obj in page.get("Contents", [])]


def table_names(endpoint: str, schema: str) -> list[str]:
    return sorted(t["Name"] for t in glue_client(endpoint).get_tables(DatabaseName=schema)["TableList"])


def table_location(endpoint: str, schema: str, name: str) -> str:
    table = glue_client(endpoint).get_table(DatabaseName=schema, Name=name)["Table"]
    return str(table["StorageDescriptor"]["Location"])


def count(project: Any, name: str) -> int:
    return int(project.run_sql(f"select count(*) from {project.test_schema}.{name}", fetch="one")[0])


# Twelve rows, three groups: the model every table test builds.
ROWS = (
    "select id, 'name_' || cast(id as varchar) as name, id % 3 as grp from unnest(sequence(1, 12)) as t(id)"
)
