"""The emulator's own boto3 clients (Glue, S3, Athena workgroups), one set per region.

They call the emulator's endpoint like any client, signed with INTERNAL_ACCESS_KEY_ID so
the API-call counts leave them out. Building a boto3 client costs tens of milliseconds, so
each region's set is built once.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

from dbt_athena_lite.emulator.engine.clients import INTERNAL_ACCESS_KEY_ID, EngineClients, make_clients


def split_s3_location(location: str) -> tuple[str, str]:
    """("bucket", "key/of/object") from "s3://bucket/key/of/object"."""
    if not location.startswith("s3://"):
        raise ValueError(f"not an s3:// location: {location!r}")
    bucket, _, key = location[len("s3://") :].partition("/")
    return bucket, key


class InternalClients:
    """Per-region internal clients bound to the emulator's endpoint."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._lock = threading.Lock()
        self._engine_clients: dict[str, EngineClients] = {}
        self._athena: dict[str, Any] = {}

    def for_region(self, region: str) -> EngineClients:
        with self._lock:
            if region not in self._engine_clients:
                self._engine_clients[region] = make_clients(self.endpoint_url, region)
            return self._engine_clients[region]

    def athena(self, region: str) -> Any:
        """For workgroup look-ups, which moto answers behind the same endpoint."""
        with self._lock:
            if region not in self._athena:
                session = boto3.session.Session(
                    aws_access_key_id=INTERNAL_ACCESS_KEY_ID,
                    aws_secret_access_key="athena-lite-internal",  # any key is accepted locally
                    region_name=region,
                )
                self._athena[region] = session.client(
                    "athena",
                    endpoint_url=self.endpoint_url,
                    config=Config(retries={"max_attempts": 2, "mode": "standard"}),
                )
            return self._athena[region]

    def write(self, location: str, body: bytes, region: str) -> None:
        """ResultWriter: put a query's result file."""
        bucket, key = split_s3_location(location)
        self.for_region(region).s3.put_object(Bucket=bucket, Key=key, Body=body)
