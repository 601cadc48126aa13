"""Naming the API call of a request for /_emulator/stats, without a server."""

from __future__ import annotations

import pytest

from dbt_athena_lite.emulator.stats import credential_scope, s3_action


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "action"),
    [
        ("GET", "/", "", {}, "ListBuckets"),
        ("PUT", "/b", "", {}, "CreateBucket"),
        ("HEAD", "/b", "", {}, "HeadBucket"),
        ("DELETE", "/b", "", {}, "DeleteBucket"),
        ("GET", "/b", "location", {}, "GetBucketLocation"),
        ("GET", "/b", "list-type=2&prefix=a", {}, "ListObjectsV2"),
        ("GET", "/b", "prefix=a", {}, "ListObjects"),
        ("POST", "/b", "delete", {}, "DeleteObjects"),
        ("GET", "/b/k/x.csv", "", {}, "GetObject"),
        ("HEAD", "/b/k", "", {}, "HeadObject"),
        ("PUT", "/b/k", "", {}, "PutObject"),
        ("PUT", "/b/k", "", {"HTTP_X_AMZ_COPY_SOURCE": "/b/j"}, "CopyObject"),
        ("DELETE", "/b/k", "", {}, "DeleteObject"),
        ("POST", "/b/k", "uploads", {}, "CreateMultipartUpload"),
        ("PUT", "/b/k", "partNumber=1&uploadId=u", {}, "UploadPart"),
        ("POST", "/b/k", "uploadId=u", {}, "CompleteMultipartUpload"),
        ("DELETE", "/b/k", "uploadId=u", {}, "AbortMultipartUpload"),
        ("GET", "/b/k", "tagging", {}, "GetObjectTagging"),
        ("GET", "/", "", {"HTTP_HOST": "127.0.0.1:4566"}, "ListBuckets"),
        ("GET", "/k/x.csv", "", {"HTTP_HOST": "my-bucket.localhost:4566"}, "GetObject"),
        ("GET", "/", "list-type=2", {"HTTP_HOST": "my.bucket.s3.us-east-1.amazonaws.com"}, "ListObjectsV2"),
        ("PUT", "/", "", {"HTTP_HOST": "my-bucket.s3.amazonaws.com"}, "CreateBucket"),
    ],
)
def test_s3_rest_requests_are_named_by_method_path_and_query(
    method: str, path: str, query: str, headers: dict[str, str], action: str
) -> None:
    assert s3_action(method, path, query, headers) == action


@pytest.mark.parametrize(
    ("environ", "scope"),
    [
        (
            {
                "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=AKID/20240102/eu-west-1/glue/aws4_request, SignedHeaders=host, Signature=x"
            },
            ("AKID", "eu-west-1", "glue"),
        ),
        (
            {"QUERY_STRING": "X-Amz-Credential=AKID%2F20240102%2Fus-east-1%2Fs3%2Faws4_request"},
            ("AKID", "us-east-1", "s3"),
        ),
        ({"QUERY_STRING": "AWSAccessKeyId=AKID&Signature=x&Expires=1"}, ("AKID", None, "s3")),
        ({"HTTP_AUTHORIZATION": "AWS AKID:signature"}, ("AKID", None, "s3")),
        ({}, (None, None, None)),
    ],
)
def test_credential_scope_names_key_region_and_service(
    environ: dict[str, str], scope: tuple[str | None, str | None, str | None]
) -> None:
    assert credential_scope(environ) == scope
