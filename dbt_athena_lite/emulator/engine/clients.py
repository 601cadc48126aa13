"""boto3 clients the engine uses to reach Glue and S3 on the emulator's own endpoint.

The engine goes through the real APIs (never moto's internals), so everything it changes passes
the same code path as a client's call. It signs with INTERNAL_ACCESS_KEY_ID so that
/_emulator/stats can leave the emulator's own traffic out of the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

INTERNAL_ACCESS_KEY_ID = "ATHENALITEINTERNAL"
INTERNAL_SECRET_ACCESS_KEY = "athena-lite-internal"  # not a secret: any credentials are accepted locally


@dataclass(frozen=True)
class EngineClients:
    """Glue and S3 clients for one region, bound to the emulator's endpoint."""

    glue: Any
    s3: Any
    endpoint_url: str
    region: str


def make_clients(endpoint_url: str, region: str) -> EngineClients:
    session = boto3.session.Session(
        aws_access_key_id=INTERNAL_ACCESS_KEY_ID,
        aws_secret_access_key=INTERNAL_SECRET_ACCESS_KEY,
        region_name=region,
    )
    config = Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=32)
    return EngineClients(
        glue=session.client("glue", endpoint_url=endpoint_url, config=config),
        s3=session.client(
            "s3", endpoint_url=endpoint_url, config=config.merge(Config(s3={"addressing_style": "path"}))
        ),
        endpoint_url=endpoint_url,
        region=region,
    )
