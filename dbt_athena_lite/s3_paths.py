"""Pure helpers for `s3://bucket/prefix` paths: parsing, normalising, joining, containment.

Everything that decides where data lives or what may be deleted goes through these, so a path is
interpreted one way only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<key>.*))?$")
_HTTPS_S3_URL = re.compile(
    r"^https?://(?:(?P<vhost>[^./]+)\.)?s3[.\-](?:[a-z0-9\-]+\.)?amazonaws\.com(?:\.cn)?/?(?P<rest>.*)$"
)


class InvalidS3Path(ValueError):
    """A string that is not an `s3://bucket/prefix` path; the message says how to write it."""


@dataclass(frozen=True)
class S3Path:
    """A parsed S3 location. `key` never starts with '/'; a directory key ends with '/' (or is '')."""

    bucket: str
    key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def is_bucket_root(self) -> bool:
        return self.key.strip("/") == ""

    def __str__(self) -> str:
        return self.uri


def parse_s3_path(value: str) -> S3Path:
    """Parse `s3://bucket[/key]`; explain the fix for the usual mistakes (https URLs, s3a://, no scheme)."""
    text = value.strip()
    match = _S3_URI.match(text)
    if match:
        return S3Path(bucket=match["bucket"], key=(match["key"] or "").lstrip("/"))
    https = _HTTPS_S3_URL.match(text)
    if https:
        hint = f"s3://{https['vhost']}/{https['rest']}" if https["vhost"] else f"s3://{https['rest']}"
        raise InvalidS3Path(f"{value!r} is an HTTPS URL; write it as an S3 path: {hint!r}")
    if re.match(r"^s3[an]://", text):
        raise InvalidS3Path(f"{value!r} uses a Hadoop scheme; Athena expects 's3://': {'s3://' + text[6:]!r}")
    if text.startswith("s3://"):
        raise InvalidS3Path(
            f"{value!r} has no valid bucket name (3-63 lower-case letters, digits, '.' or '-')"
        )
    raise InvalidS3Path(f"{value!r} is not an S3 path; expected 's3://bucket/prefix/'")


def as_directory(value: str) -> str:
    """Normalise an S3 directory to `s3://bucket/prefix/` (one trailing slash, no double slashes)."""
    path = parse_s3_path(value)
    key = re.sub(r"/{2,}", "/", path.key).strip("/")
    return f"s3://{path.bucket}/{key}/" if key else f"s3://{path.bucket}/"


def join(directory: str, *parts: str) -> str:
    """Join path segments under an S3 directory, keeping exactly one '/' between them."""
    segments = [directory.rstrip("/")] + [part.strip("/") for part in parts if part.strip("/")]
    return "/".join(segments)


def is_within(path: str, root: str) -> bool:
    """True when `path` is `root` itself or lies below it (segment-wise: `s3://b/ab` is not below `s3://b/a`)."""
    inner, outer = parse_s3_path(path), parse_s3_path(root)
    if inner.bucket != outer.bucket:
        return False
    outer_key = outer.key.strip("/")
    inner_key = inner.key.strip("/")
    return outer_key in ("", inner_key) or inner_key.startswith(outer_key + "/")


def overlaps(path: str, others: Iterable[str]) -> bool:
    """True when `path` lies within one of `others`, or one of them within it."""
    return any(is_within(path, other) or is_within(other, path) for other in others)
