"""What a journaled request did, in terms compaction can reason about.

Each record is described by an Effect on named entities: ("bucket", b), ("object", b, k),
("database", d), ("table", d, t), ("workgroup", w). Requests we do not understand are
OTHER: always kept, and assumed to touch anything of their service.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.etree import ElementTree

from dbt_athena_lite.emulator.persistence.journal import JournalRecord
from dbt_athena_lite.emulator.persistence.mutations import MOTO_RESET_PATH
from dbt_athena_lite.emulator.stats import bucket_from_host, identify_call, s3_action

Entity = tuple[str, ...]


class Kind(enum.Enum):
    RESET = "reset"  # moto's reset: nothing before it matters
    CREATE = "create"  # brings an entity into being
    REPLACE = "replace"  # sets an object's whole value (PutObject, CopyObject, CompleteMultipartUpload)
    DELETE = "delete"  # ends one or more entities
    MODIFY = "modify"  # changes part of an existing entity (UpdateTable, a partition, tags, ...)
    UPLOAD_PART = "upload_part"  # CreateMultipartUpload, UploadPart(Copy): pending until Complete
    ABORT = "abort"  # AbortMultipartUpload: the upload's parts never mattered
    OTHER = "other"  # anything else: kept as it is


@dataclass(frozen=True)
class Effect:
    kind: Kind
    service: str
    targets: tuple[Entity, ...] = ()
    upload_id: str | None = None
    copy_source: Entity | None = None  # an object a copy reads
    versioning: bool = False  # PutBucketVersioning: the bucket's history is no longer ours to compact


def parent(entity: Entity) -> Entity | None:
    """The container an entity lives in (an object's bucket, a table's database)."""
    if entity[0] == "object":
        return ("bucket", entity[1])
    if entity[0] == "table":
        return ("database", entity[1])
    return None


def _environ(record: JournalRecord) -> dict[str, Any]:
    return {
        **record.headers,
        "REQUEST_METHOD": record.method,
        "PATH_INFO": record.path,
        "QUERY_STRING": record.query,
    }


def describe(record: JournalRecord, body_of: Callable[[JournalRecord], bytes]) -> Effect:
    if record.path == MOTO_RESET_PATH:
        return Effect(Kind.RESET, "moto")
    environ = _environ(record)
    call = identify_call(environ, lambda: body_of(record))
    service = call.service if call else "s3"  # unsigned writes are anonymous S3 writes
    if service == "s3":
        return _s3_effect(record, environ, body_of)
    if service in ("glue", "athena") and call is not None:
        try:
            request = json.loads(body_of(record) or b"{}")
        except ValueError:
            return Effect(Kind.OTHER, service)
        if isinstance(request, dict):
            describe_json = _glue_effect if service == "glue" else _athena_effect
            return describe_json(call.action, request)
    return Effect(Kind.OTHER, service)


# ---------------------------------------------------------------- S3

_OBJECT_ACTIONS = {
    "PutObject": Kind.REPLACE,
    "CopyObject": Kind.REPLACE,
    "CompleteMultipartUpload": Kind.REPLACE,
    "DeleteObject": Kind.DELETE,
    "CreateMultipartUpload": Kind.UPLOAD_PART,
    "UploadPart": Kind.UPLOAD_PART,
    "UploadPartCopy": Kind.UPLOAD_PART,
    "AbortMultipartUpload": Kind.ABORT,
}


def _s3_effect(
    record: JournalRecord, environ: dict[str, Any], body_of: Callable[[JournalRecord], bytes]
) -> Effect:
    action = s3_action(record.method, record.path, record.query, environ)
    path = record.path
    host_bucket = bucket_from_host(str(environ.get("HTTP_HOST", "")))
    if host_bucket:
        path = f"/{host_bucket}{path}"
    bucket, _, key = path.lstrip("/").partition("/")
    if not bucket:
        return Effect(Kind.OTHER, "s3")
    query = parse_qs(record.query, keep_blank_values=True)
    if not key:
        if action == "CreateBucket":
            return Effect(Kind.CREATE, "s3", (("bucket", bucket),))
        if action == "DeleteBucket":
            return Effect(Kind.DELETE, "s3", (("bucket", bucket),))
        keys = _deleted_keys(body_of(record)) if action == "DeleteObjects" else None
        if keys is not None:
            return Effect(Kind.DELETE, "s3", tuple(("object", bucket, k) for k in keys))
        if action in ("PutBucketVersioning", "PutObjectLockConfiguration"):
            return Effect(Kind.MODIFY, "s3", (("bucket", bucket),), versioning=True)
        if action.startswith(("POST", "PUT", "DELETE")):  # unknown to s3_action (e.g. a form upload)
            return Effect(Kind.OTHER, "s3")
        return Effect(Kind.MODIFY, "s3", (("bucket", bucket),))
    target = ("object", bucket, key)
    kind = _OBJECT_ACTIONS.get(action, Kind.MODIFY)
    if "versionId" in query:  # one version of a versioned object: never a whole-value change
        kind = Kind.MODIFY
    upload_id = query["uploadId"][0] if "uploadId" in query else record.assigned.get("uploadId")
    source = _copy_source(str(environ.get("HTTP_X_AMZ_COPY_SOURCE", "")))
    return Effect(kind, "s3", (target,), upload_id=upload_id, copy_source=source)


def _copy_source(header: str) -> Entity | None:
    """("object", bucket, key) from x-amz-copy-source: "/bucket/key?versionId=..." (URL-encoded)."""
    if not header:
        return None
    bucket, _, key = unquote(header.split("?", 1)[0]).lstrip("/").partition("/")
    return ("object", bucket, key)


def _deleted_keys(body: bytes) -> list[str] | None:
    """The keys of a DeleteObjects request; None if the body cannot be read."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    return [element.text or "" for element in root.iter() if element.tag.rsplit("}", 1)[-1] == "Key"]


# ---------------------------------------------------------------- Glue and Athena workgroups


def _glue_effect(action: str, request: dict[str, Any]) -> Effect:
    if action in ("CreateDatabase", "UpdateDatabase"):
        name = (request.get("DatabaseInput") or {}).get("Name") or request.get("Name")
        kind = Kind.CREATE if action == "CreateDatabase" else Kind.MODIFY
        return Effect(kind, "glue", (("database", str(name)),)) if name else Effect(Kind.OTHER, "glue")
    if action == "DeleteDatabase" and request.get("Name"):
        return Effect(Kind.DELETE, "glue", (("database", str(request["Name"])),))
    database = request.get("DatabaseName")
    if not database:
        return Effect(Kind.OTHER, "glue")
    if action in ("CreateTable", "UpdateTable"):
        name = (request.get("TableInput") or {}).get("Name")
        kind = Kind.CREATE if action == "CreateTable" else Kind.MODIFY
        return (
            Effect(kind, "glue", (("table", str(database), str(name)),))
            if name
            else Effect(Kind.OTHER, "glue")
        )
    if action == "DeleteTable" and request.get("Name"):
        return Effect(Kind.DELETE, "glue", (("table", str(database), str(request["Name"])),))
    if action == "BatchDeleteTable":
        names = request.get("TablesToDelete") or []
        return Effect(Kind.DELETE, "glue", tuple(("table", str(database), str(n)) for n in names))
    if request.get("TableName"):  # partitions, table versions, column statistics
        return Effect(Kind.MODIFY, "glue", (("table", str(database), str(request["TableName"])),))
    return Effect(Kind.MODIFY, "glue", (("database", str(database)),))


def _athena_effect(action: str, request: dict[str, Any]) -> Effect:
    if action == "CreateWorkGroup" and request.get("Name"):
        return Effect(Kind.CREATE, "athena", (("workgroup", str(request["Name"])),))
    if action in ("UpdateWorkGroup", "DeleteWorkGroup") and request.get("WorkGroup"):
        kind = Kind.DELETE if action == "DeleteWorkGroup" else Kind.MODIFY
        return Effect(kind, "athena", (("workgroup", str(request["WorkGroup"])),))
    return Effect(Kind.OTHER, "athena")
