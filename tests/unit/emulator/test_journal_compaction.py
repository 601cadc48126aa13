"""Compaction rules on synthetic journals: what a later request undid is dropped, the rest kept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dbt_athena_lite.emulator.persistence.compaction import compact
from dbt_athena_lite.emulator.persistence.effects import Kind, describe
from dbt_athena_lite.emulator.persistence.journal import JournalRecord

_TARGET_PREFIX = {"glue": "AWSGlue", "athena": "AmazonAthena"}


def _auth(service: str) -> dict[str, str]:
    scope = f"AKIATEST/20240101/us-east-1/{service}/aws4_request"
    return {"HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"}


def s3(method: str, path: str, query: str = "", body: bytes = b"", **headers: str) -> JournalRecord:
    assigned = {"uploadId": headers.pop("upload_id")} if "upload_id" in headers else {}
    return JournalRecord(
        method, path, query, {**_auth("s3"), **headers}, at=0.0, inline_body=body, assigned=assigned
    )


def api(service: str, action: str, **request: Any) -> JournalRecord:
    headers = {**_auth(service), "HTTP_X_AMZ_TARGET": f"{_TARGET_PREFIX[service]}.{action}"}
    return JournalRecord("POST", "/", "", headers, at=0.0, inline_body=json.dumps(request).encode())


def kept(*records: JournalRecord) -> list[int]:
    """Indexes of the records compaction keeps."""
    survivors = compact(records, lambda record: record.inline_body)
    return [i for i, record in enumerate(records) if any(record is s for s in survivors)]


def delete_objects(bucket: str, *keys: str) -> JournalRecord:
    objects = "".join(f"<Object><Key>{key}</Key></Object>" for key in keys)
    return s3("POST", f"/{bucket}", "delete", f"<Delete>{objects}</Delete>".encode())


@pytest.mark.parametrize(
    ("record", "kind", "targets"),
    [
        (s3("PUT", "/b"), Kind.CREATE, [("bucket", "b")]),
        (s3("PUT", "/b/k/1.csv"), Kind.REPLACE, [("object", "b", "k/1.csv")]),
        (s3("PUT", "/k.csv", HTTP_HOST="b.localhost:4566"), Kind.REPLACE, [("object", "b", "k.csv")]),
        (s3("PUT", "/b", "versioning"), Kind.MODIFY, [("bucket", "b")]),
        (s3("PUT", "/b/k", "tagging"), Kind.MODIFY, [("object", "b", "k")]),
        (s3("DELETE", "/b/k", "versionId=3"), Kind.MODIFY, [("object", "b", "k")]),
        (delete_objects("b", "x", "y"), Kind.DELETE, [("object", "b", "x"), ("object", "b", "y")]),
        (s3("POST", "/b/k", "uploads", upload_id="u1"), Kind.UPLOAD_PART, [("object", "b", "k")]),
        (s3("POST", "/b/k", "uploadId=u1"), Kind.REPLACE, [("object", "b", "k")]),
        (api("glue", "CreateDatabase", DatabaseInput={"Name": "d"}), Kind.CREATE, [("database", "d")]),
        (api("glue", "DeleteDatabase", Name="d"), Kind.DELETE, [("database", "d")]),
        (
            api("glue", "UpdateTable", DatabaseName="d", TableInput={"Name": "t"}),
            Kind.MODIFY,
            [("table", "d", "t")],
        ),
        (
            api("glue", "BatchCreatePartition", DatabaseName="d", TableName="t"),
            Kind.MODIFY,
            [("table", "d", "t")],
        ),
        (
            api("glue", "BatchDeleteTable", DatabaseName="d", TablesToDelete=["a"]),
            Kind.DELETE,
            [("table", "d", "a")],
        ),
        (api("athena", "CreateWorkGroup", Name="w"), Kind.CREATE, [("workgroup", "w")]),
        (api("athena", "DeleteWorkGroup", WorkGroup="w"), Kind.DELETE, [("workgroup", "w")]),
        (api("glue", "CreateCrawler", Name="c"), Kind.OTHER, []),
    ],
)
def test_describes_what_a_request_did(
    record: JournalRecord, kind: Kind, targets: list[tuple[str, ...]]
) -> None:
    effect = describe(record, lambda r: r.inline_body)
    assert (effect.kind, list(effect.targets)) == (kind, targets)


def test_an_overwritten_object_keeps_only_its_last_write_and_a_needless_delete_goes() -> None:
    assert kept(
        s3("PUT", "/b"),
        s3("PUT", "/b/k", body=b"1"),
        s3("PUT", "/b/other"),
        s3("PUT", "/b/k", body=b"2"),
        s3("PUT", "/b/gone"),
        s3("DELETE", "/b/gone"),
    ) == [0, 2, 3]


def test_a_deleted_bucket_takes_its_whole_history_along() -> None:
    assert kept(
        s3("PUT", "/b"),
        s3("PUT", "/b/k"),
        delete_objects("b", "k"),
        s3("DELETE", "/b"),
        s3("PUT", "/b"),  # created again: this one stays
    ) == [4]


def test_uploads_go_with_their_complete_or_abort_and_open_ones_stay() -> None:
    assert kept(
        s3("PUT", "/b"),
        s3("POST", "/b/done", "uploads", upload_id="u1"),
        s3("PUT", "/b/done", "partNumber=1&uploadId=u1"),
        s3("POST", "/b/done", "uploadId=u1"),
        s3("POST", "/b/aborted", "uploads", upload_id="u2"),
        s3("PUT", "/b/aborted", "partNumber=1&uploadId=u2"),
        s3("DELETE", "/b/aborted", "uploadId=u2"),
        s3("POST", "/b/open", "uploads", upload_id="u3"),
        s3("POST", "/b/overwritten", "uploads", upload_id="u4"),
        s3("POST", "/b/overwritten", "uploadId=u4"),
        s3("PUT", "/b/overwritten"),
    ) == [0, 1, 2, 3, 7, 10]


def test_versioned_buckets_and_copy_sources_keep_their_history() -> None:
    assert kept(
        s3("PUT", "/v"),
        s3("PUT", "/v", "versioning"),
        s3("PUT", "/v/k", body=b"1"),
        s3("PUT", "/v/k", body=b"2"),
        s3("PUT", "/c"),
        s3("PUT", "/c/src", body=b"1"),
        s3("PUT", "/c/dst", HTTP_X_AMZ_COPY_SOURCE="/c/src"),
        s3("PUT", "/c/src", body=b"2"),
    ) == [0, 1, 2, 3, 4, 5, 6, 7]


def test_temporary_tables_and_dropped_databases_leave_nothing() -> None:
    columns = {"Columns": [{"Name": "id", "Type": "int"}]}
    assert kept(
        api("glue", "CreateDatabase", DatabaseInput={"Name": "d"}),
        api(
            "glue",
            "CreateTable",
            DatabaseName="d",
            TableInput={"Name": "t__tmp", "StorageDescriptor": columns},
        ),
        api("glue", "BatchCreatePartition", DatabaseName="d", TableName="t__tmp"),
        api("glue", "DeleteTable", DatabaseName="d", Name="t__tmp"),
        api("glue", "CreateTable", DatabaseName="d", TableInput={"Name": "t", "StorageDescriptor": columns}),
        api("glue", "UpdateTable", DatabaseName="d", TableInput={"Name": "t", "StorageDescriptor": columns}),
        api("glue", "CreateDatabase", DatabaseInput={"Name": "x"}),
        api("glue", "CreateTable", DatabaseName="x", TableInput={"Name": "t"}),
        api("glue", "DeleteDatabase", Name="x"),
        api("athena", "CreateWorkGroup", Name="w"),
        api("athena", "UpdateWorkGroup", WorkGroup="w"),
        api("athena", "DeleteWorkGroup", WorkGroup="w"),
    ) == [0, 4, 5]


def test_a_delete_stays_when_an_unknown_request_may_have_created_its_target() -> None:
    assert kept(
        api("glue", "CreateDatabase", DatabaseInput={"Name": "d"}),
        api("glue", "ImportCatalogToGlue", CatalogId="1"),  # not understood: may create anything
        api("glue", "DeleteTable", DatabaseName="d", Name="t"),
        s3("PUT", "/b"),
        s3("POST", "/b", "form-upload"),  # not an action we know: may create any object
        s3("DELETE", "/b/k"),
    ) == [0, 1, 2, 3, 4, 5]


def test_nothing_before_a_reset_is_kept() -> None:
    reset = JournalRecord("POST", "/moto-api/reset", "", {}, at=0.0)
    assert kept(s3("PUT", "/b"), s3("PUT", "/b/k"), reset, s3("PUT", "/c")) == [3]
