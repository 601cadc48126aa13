"""S3 object operations under a prefix, over an injected boto3 S3 client.

Nothing here decides whether a delete is allowed: callers go through `s3_guard`, which calls
`delete_prefix` only for prefixes it has checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbt_athena_lite import s3_paths

DELETE_BATCH = 1000  # DeleteObjects accepts at most 1,000 keys per request


def directory_key(prefix: str) -> tuple[str, str]:
    """(bucket, key prefix ending in '/') for an S3 directory, so `s3://b/t` never matches `s3://b/t2/...`."""
    path = s3_paths.parse_s3_path(s3_paths.as_directory(prefix))
    return path.bucket, path.key


def delete_requests(bucket: str, keys: list[str]) -> Iterator[dict[str, Any]]:
    """DeleteObjects requests for `keys`, at most DELETE_BATCH keys each."""
    for start in range(0, len(keys), DELETE_BATCH):
        batch = keys[start : start + DELETE_BATCH]
        yield {"Bucket": bucket, "Delete": {"Objects": [{"Key": key} for key in batch], "Quiet": True}}


class S3DeleteFailed(RuntimeError):
    """DeleteObjects reported keys it could not delete."""


class S3Objects:
    def __init__(self, s3_client: Any) -> None:
        self._s3 = s3_client

    def list_keys(self, prefix: str) -> list[str]:
        """Every key below the directory `prefix` (all pages)."""
        bucket, key_prefix = directory_key(prefix)
        paginator = self._s3.get_paginator("list_objects_v2")
        return [
            obj["Key"]
            for page in paginator.paginate(Bucket=bucket, Prefix=key_prefix)
            for obj in page.get("Contents", [])
        ]

    def has_objects(self, prefix: str) -> bool:
        bucket, key_prefix = directory_key(prefix)
        response = self._s3.list_objects_v2(Bucket=bucket, Prefix=key_prefix, MaxKeys=1)
        return bool(response.get("KeyCount") or response.get("Contents"))

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object below the directory `prefix`; returns how many were deleted."""
        bucket, _ = directory_key(prefix)
        keys = self.list_keys(prefix)
        for request in delete_requests(bucket, keys):
            errors = self._s3.delete_objects(**request).get("Errors") or []
            if errors:
                sample = ", ".join(f"{e.get('Key')}: {e.get('Code')}" for e in errors[:3])
                raise S3DeleteFailed(f"Could not delete {len(errors)} objects under {prefix} ({sample})")
        return len(keys)

    def copy_prefix(self, source: str, destination: str) -> int:
        """Copy every object below `source` to the same relative key below `destination`."""
        src_bucket, src_key = directory_key(source)
        dst_bucket, dst_key = directory_key(destination)
        keys = self.list_keys(source)
        for key in keys:
            # The managed copy switches to multipart above 5 GB, where CopyObject alone fails.
            self._s3.copy({"Bucket": src_bucket, "Key": key}, dst_bucket, dst_key + key[len(src_key) :])
        return len(keys)
