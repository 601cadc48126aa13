"""Counting the AWS API calls the emulator serves, keyed `service:Action`.

Tests and benchmarks use the counts to prove how many calls a dbt run makes (for example
that a model costs one StartQueryExecution and no redundant GetTable). The emulator's own
engine traffic is signed with INTERNAL_ACCESS_KEY_ID and left out, so the counts show only
what a client asked for.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from dbt_athena_lite.emulator.engine.clients import INTERNAL_ACCESS_KEY_ID

WsgiEnviron = Mapping[str, Any]

# S3 REST calls name no action: it follows from the method, how deep the path goes
# (service root, bucket, object) and which sub-resource the query string names.
# Sub-resources are checked in this order; the first present one wins.
_S3_SUBRESOURCE_ACTIONS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("GET", "bucket"): (
        ("list-type", "ListObjectsV2"),
        ("location", "GetBucketLocation"),
        ("versioning", "GetBucketVersioning"),
        ("versions", "ListObjectVersions"),
        ("uploads", "ListMultipartUploads"),
        ("policy", "GetBucketPolicy"),
        ("tagging", "GetBucketTagging"),
        ("acl", "GetBucketAcl"),
        ("lifecycle", "GetBucketLifecycleConfiguration"),
        ("encryption", "GetBucketEncryption"),
        ("cors", "GetBucketCors"),
        ("notification", "GetBucketNotificationConfiguration"),
    ),
    ("PUT", "bucket"): (
        ("versioning", "PutBucketVersioning"),
        ("policy", "PutBucketPolicy"),
        ("tagging", "PutBucketTagging"),
        ("acl", "PutBucketAcl"),
        ("lifecycle", "PutBucketLifecycleConfiguration"),
        ("encryption", "PutBucketEncryption"),
        ("cors", "PutBucketCors"),
        ("notification", "PutBucketNotificationConfiguration"),
    ),
    ("DELETE", "bucket"): (
        ("policy", "DeleteBucketPolicy"),
        ("tagging", "DeleteBucketTagging"),
        ("lifecycle", "DeleteBucketLifecycle"),
        ("encryption", "DeleteBucketEncryption"),
        ("cors", "DeleteBucketCors"),
    ),
    ("POST", "bucket"): (("delete", "DeleteObjects"),),
    ("GET", "object"): (
        ("uploadId", "ListParts"),
        ("tagging", "GetObjectTagging"),
        ("acl", "GetObjectAcl"),
        ("attributes", "GetObjectAttributes"),
    ),
    ("PUT", "object"): (
        ("tagging", "PutObjectTagging"),
        ("acl", "PutObjectAcl"),
    ),
    ("DELETE", "object"): (
        ("uploadId", "AbortMultipartUpload"),
        ("tagging", "DeleteObjectTagging"),
    ),
    ("POST", "object"): (
        ("uploads", "CreateMultipartUpload"),
        ("uploadId", "CompleteMultipartUpload"),
        ("restore", "RestoreObject"),
    ),
}

# The action when no sub-resource matched.
_S3_PLAIN_ACTIONS: dict[tuple[str, str], str] = {
    ("GET", "service"): "ListBuckets",
    ("GET", "bucket"): "ListObjects",
    ("HEAD", "bucket"): "HeadBucket",
    ("PUT", "bucket"): "CreateBucket",
    ("DELETE", "bucket"): "DeleteBucket",
    ("GET", "object"): "GetObject",
    ("HEAD", "object"): "HeadObject",
    ("PUT", "object"): "PutObject",
    ("DELETE", "object"): "DeleteObject",
}


@dataclass(frozen=True)
class ApiCall:
    """Who called which API, as far as the request tells."""

    service: str  # SigV4 signing name: "athena", "glue", "s3", "sts", "iam", ...
    action: str
    access_key_id: str | None
    region: str | None

    @property
    def key(self) -> str:
        return f"{self.service}:{self.action}"

    @property
    def is_internal(self) -> bool:
        return self.access_key_id == INTERNAL_ACCESS_KEY_ID


def credential_scope(environ: WsgiEnviron) -> tuple[str | None, str | None, str | None]:
    """(access key id, region, service) from the SigV4 Authorization header or presigned URL.

    SigV2 (`AWS key:signature` headers, `AWSAccessKeyId=` presigned URLs, which boto3 still
    makes for S3 by default) exists only for S3 here and names no region."""
    auth = str(environ.get("HTTP_AUTHORIZATION", ""))
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    if auth.startswith("AWS "):
        return auth[4:].split(":", 1)[0], None, "s3"
    if "AWSAccessKeyId" in query:
        return query["AWSAccessKeyId"][0], None, "s3"
    credential = ""
    if "Credential=" in auth:
        credential = auth.split("Credential=", 1)[1].split(",", 1)[0].strip()
    else:
        credential = query.get("X-Amz-Credential", [""])[0]
    # <access key>/<date>/<region>/<service>/aws4_request
    parts = credential.split("/")
    if len(parts) != 5:
        return None, None, None
    return parts[0], parts[2], parts[3]


# Virtual-hosted requests name the bucket in the Host header: bucket.localhost:4566 or
# bucket.s3.<region>.amazonaws.com. Anything else (an IP address, localhost) is path-style.
_VIRTUAL_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.(?:localhost|s3[.-][a-z0-9.-]*amazonaws\.com)$"
)


def bucket_from_host(host: str) -> str | None:
    match = _VIRTUAL_HOST.match(host.rsplit(":", 1)[0].lower()) if host else None
    return match.group("bucket") if match else None


def s3_action(method: str, path: str, query_string: str, headers: WsgiEnviron) -> str:
    """The S3 operation a REST request performs (path-style or virtual-hosted)."""
    bucket = bucket_from_host(str(headers.get("HTTP_HOST", "")))
    if bucket:
        path = f"/{bucket}{path}"
    segments = [segment for segment in path.split("/", 2)[1:] if segment]
    level = ("service", "bucket", "object")[min(len(segments), 2)]
    query = parse_qs(query_string, keep_blank_values=True)
    if method == "PUT" and level == "object" and "HTTP_X_AMZ_COPY_SOURCE" in headers:
        return "UploadPartCopy" if "partNumber" in query else "CopyObject"
    if method == "PUT" and level == "object" and "partNumber" in query:
        return "UploadPart"
    for subresource, action in _S3_SUBRESOURCE_ACTIONS.get((method, level), ()):
        if subresource in query:
            return action
    return _S3_PLAIN_ACTIONS.get((method, level), f"{method}:{level}")


def identify_call(environ: WsgiEnviron, read_body: Callable[[], bytes]) -> ApiCall | None:
    """Name the API call a request makes; None for requests that are not AWS API calls.

    `read_body` is called only for query-protocol requests (STS, IAM), whose action is in
    the form body, so large S3 uploads are never read here."""
    access_key, region, service = credential_scope(environ)
    if service is None:
        return None
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        action = target.rsplit(".", 1)[-1]
    elif service == "s3":
        action = s3_action(
            str(environ.get("REQUEST_METHOD", "GET")),
            str(environ.get("PATH_INFO", "/")),
            str(environ.get("QUERY_STRING", "")),
            environ,
        )
    else:
        # Query protocol (STS, IAM): Action= in the form body, or in the URL for GETs.
        form = parse_qs(read_body().decode("utf-8", "replace"))
        query = parse_qs(str(environ.get("QUERY_STRING", "")))
        action = (form.get("Action") or query.get("Action") or ["Unknown"])[0]
    return ApiCall(service=service, action=action, access_key_id=access_key, region=region)


class ApiCallCounter:
    """Thread-safe counts of the calls clients made (internal calls are not counted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def record(self, call: ApiCall) -> None:
        if call.is_internal:
            return
        with self._lock:
            self._counts[call.key] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
