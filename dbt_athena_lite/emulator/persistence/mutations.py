"""Which requests change state (and so are journaled), and the ids moto assigns in answers.

The rule errs towards journaling: every PUT, POST, PATCH and DELETE is a change unless it
is known to only read (a JSON or query-protocol action named Get*, List*, ...; STS; S3
Select). Replaying a read is harmless; missing a write loses data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dbt_athena_lite.emulator.stats import ApiCall

_WRITE_METHODS = frozenset({"PUT", "POST", "PATCH", "DELETE"})
_READ_ACTION_PREFIXES = ("Get", "List", "Describe", "Search", "BatchGet", "Query", "Check", "Lookup")
# STS hands out credentials; none of it is state worth keeping across a restart.
_UNJOURNALED_SERVICES = frozenset({"sts"})
MOTO_RESET_PATH = "/moto-api/reset"
_UPLOAD_ID = re.compile(rb"<UploadId>([^<]+)</UploadId>")


def is_mutating(environ: Mapping[str, Any], call: ApiCall | None) -> bool:
    """True for a request whose success changes moto's state."""
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    if method not in _WRITE_METHODS:
        return False
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith("/moto-api"):
        return path == MOTO_RESET_PATH
    if call is None:  # unsigned: a JSON-protocol call by its target, else an anonymous S3 write
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        return not target.rsplit(".", 1)[-1].startswith(_READ_ACTION_PREFIXES) if target else True
    if call.service in _UNJOURNALED_SERVICES:
        return False
    if call.service == "s3":
        return not _is_select(environ)
    return not call.action.startswith(_READ_ACTION_PREFIXES)


def _is_select(environ: Mapping[str, Any]) -> bool:
    """S3 SelectObjectContent: a POST with `?select&select-type=2` that only reads."""
    names = {part.split("=", 1)[0] for part in str(environ.get("QUERY_STRING", "")).split("&")}
    return "select" in names


def assigned_ids(headers: Mapping[str, str], body: bytes) -> dict[str, str]:
    """Ids moto made up in a successful answer that later requests will quote back:
    a multipart upload's UploadId, an object version's VersionId."""
    ids: dict[str, str] = {}
    upload = _UPLOAD_ID.search(body) if b"<UploadId>" in body else None
    if upload:
        ids["uploadId"] = upload.group(1).decode()
    lowered = {name.lower(): value for name, value in headers.items()}
    version = lowered.get("x-amz-version-id")
    if version and version != "null":
        ids["versionId"] = version
    return ids
