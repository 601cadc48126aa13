"""S3 objects as tables see them: data files under a location, uploads of written files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbt_athena_lite.emulator.engine.api import AthenaQueryError


@dataclass(frozen=True)
class DataFile:
    url: str  # s3://bucket/key
    size: int


def split_s3_url(url: str) -> tuple[str, str]:
    """'s3://bucket/a/b' -> ('bucket', 'a/b'); raises a user error naming the bad location."""
    if not url.startswith(("s3://", "s3a://", "s3n://")):
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"Location must be an s3:// URL, got '{url}'")
    bucket, _, key = url.split("://", 1)[1].partition("/")
    if not bucket:
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"Location has no bucket: '{url}'")
    return bucket, key


def folder_prefix(url: str) -> tuple[str, str]:
    """Bucket and key prefix of a table/partition folder (always ending in '/', or empty)."""
    bucket, key = split_s3_url(url)
    return bucket, (key.rstrip("/") + "/") if key.strip("/") else ""


def join_url(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts])


def _is_data_key(relative_key: str, size: int) -> bool:
    """Hive ignores hidden files (`_SUCCESS`, `.crc`), folder markers and empty placeholder keys."""
    if size == 0 or not relative_key or relative_key.endswith(("/", "_$folder$")):
        return False
    return not any(part.startswith(("_", ".")) for part in relative_key.split("/"))


def list_data_files(s3: Any, location: str) -> list[DataFile]:
    """Every data file under a table or partition location (recursively, as Athena reads)."""
    bucket, prefix = folder_prefix(location)
    files: list[DataFile] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", ()):
                relative = item["Key"][len(prefix) :]
                if _is_data_key(relative, item["Size"]):
                    files.append(DataFile(f"s3://{bucket}/{item['Key']}", int(item["Size"])))
    except s3.exceptions.NoSuchBucket as error:
        raise AthenaQueryError(
            "HIVE_FILESYSTEM_ERROR", f"The bucket of location {location} does not exist", category=1
        ) from error
    return files


def has_objects(s3: Any, location: str) -> bool:
    bucket, prefix = folder_prefix(location)
    try:
        response = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=1)
    except s3.exceptions.NoSuchBucket:
        return False
    return bool(response.get("KeyCount") or response.get("Contents"))


def upload_file(s3: Any, path: Path, url: str) -> str:
    bucket, key = split_s3_url(url)
    s3.upload_file(str(path), bucket, key)
    return url


def delete_objects(s3: Any, urls: Iterable[str]) -> None:
    """Remove objects this statement wrote itself (never anything it did not create)."""
    by_bucket: dict[str, list[dict[str, str]]] = {}
    for url in urls:
        bucket, key = split_s3_url(url)
        by_bucket.setdefault(bucket, []).append({"Key": key})
    for bucket, keys in by_bucket.items():
        for start in range(0, len(keys), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True})
