"""S3 path helpers: one interpretation of a path for locations and delete guards."""

from __future__ import annotations

import pytest

from dbt_athena_lite.s3_paths import InvalidS3Path, S3Path, as_directory, is_within, join, parse_s3_path


@pytest.mark.parametrize(
    ("value", "bucket", "key"),
    [
        pytest.param("s3://data-lake", "data-lake", "", id="bucket-no-slash"),
        pytest.param("s3://data-lake/", "data-lake", "", id="bucket-root"),
        pytest.param("s3://data-lake/raw/orders/", "data-lake", "raw/orders/", id="directory"),
        pytest.param("s3://data-lake/raw/part-0.parquet", "data-lake", "raw/part-0.parquet", id="object"),
        pytest.param("s3://data-lake//raw/", "data-lake", "raw/", id="leading-double-slash"),
        pytest.param("  s3://my.dotted.bucket/x  ", "my.dotted.bucket", "x", id="dots-and-whitespace"),
    ],
)
def test_parse(value: str, bucket: str, key: str) -> None:
    assert parse_s3_path(value) == S3Path(bucket=bucket, key=key)


@pytest.mark.parametrize(
    ("value", "is_root"),
    [("s3://data-lake", True), ("s3://data-lake/", True), ("s3://data-lake/a/", False)],
)
def test_bucket_root(value: str, is_root: bool) -> None:
    path = parse_s3_path(value)

    assert path.is_bucket_root is is_root
    assert str(path) == path.uri == f"s3://{path.bucket}/{path.key}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("https://data-lake.s3.amazonaws.com/raw/x", "'s3://data-lake/raw/x'", id="virtual-host"),
        pytest.param(
            "https://data-lake.s3.eu-west-1.amazonaws.com/raw/", "'s3://data-lake/raw/'", id="regional-vhost"
        ),
        pytest.param("https://s3.amazonaws.com/data-lake/raw/", "'s3://data-lake/raw/'", id="path-style"),
        pytest.param(
            "https://s3-eu-west-1.amazonaws.com/data-lake/r", "'s3://data-lake/r'", id="legacy-dash-region"
        ),
        pytest.param(
            "https://data-lake.s3.cn-north-1.amazonaws.com.cn/r", "'s3://data-lake/r'", id="china-partition"
        ),
        pytest.param("s3a://data-lake/raw/", "'s3://data-lake/raw/'", id="s3a"),
        pytest.param("s3n://data-lake/raw/", "'s3://data-lake/raw/'", id="s3n"),
        pytest.param("data-lake/raw/", "expected 's3://bucket/prefix/'", id="no-scheme"),
        pytest.param("S3://data-lake/raw/", "expected 's3://bucket/prefix/'", id="upper-case-scheme"),
        pytest.param("s3://Data_Lake/raw/", "no valid bucket name", id="bad-bucket-chars"),
        pytest.param("s3://ab/raw/", "no valid bucket name", id="bucket-too-short"),
        pytest.param("s3://", "no valid bucket name", id="scheme-only"),
        pytest.param("", "expected 's3://bucket/prefix/'", id="empty"),
    ],
)
def test_invalid_paths_explain_the_fix(value: str, message: str) -> None:
    with pytest.raises(InvalidS3Path) as caught:
        parse_s3_path(value)

    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("value", "directory"),
    [
        ("s3://data-lake", "s3://data-lake/"),
        ("s3://data-lake/", "s3://data-lake/"),
        ("s3://data-lake//", "s3://data-lake/"),
        ("s3://data-lake/raw", "s3://data-lake/raw/"),
        ("s3://data-lake/raw/", "s3://data-lake/raw/"),
        ("s3://data-lake/raw//orders///", "s3://data-lake/raw/orders/"),
        ("s3://data-lake//raw", "s3://data-lake/raw/"),
    ],
)
def test_as_directory(value: str, directory: str) -> None:
    assert as_directory(value) == directory
    assert as_directory(directory) == directory  # idempotent


@pytest.mark.parametrize(
    ("directory", "parts", "joined"),
    [
        ("s3://data-lake/tables/", ("analytics", "orders"), "s3://data-lake/tables/analytics/orders"),
        ("s3://data-lake/tables", ("analytics/", "/orders/"), "s3://data-lake/tables/analytics/orders"),
        ("s3://data-lake/", ("orders",), "s3://data-lake/orders"),
        ("s3://data-lake/tables/", ("", "/", "orders"), "s3://data-lake/tables/orders"),
        ("s3://data-lake/tables//", ("orders",), "s3://data-lake/tables/orders"),
    ],
)
def test_join_keeps_one_slash_between_segments(directory: str, parts: tuple[str, ...], joined: str) -> None:
    assert join(directory, *parts) == joined


@pytest.mark.parametrize(
    ("path", "root", "inside"),
    [
        pytest.param("s3://b-1/a/x", "s3://b-1/a/", True, id="child"),
        pytest.param("s3://b-1/a/x/y/z.parquet", "s3://b-1/a", True, id="grandchild-root-without-slash"),
        pytest.param("s3://b-1/a/", "s3://b-1/a/", True, id="itself"),
        pytest.param("s3://b-1/a", "s3://b-1/a/", True, id="itself-without-slash"),
        pytest.param("s3://b-1/a/x", "s3://b-1/", True, id="under-bucket-root"),
        pytest.param("s3://b-1/a//x", "s3://b-1/a/", True, id="double-slash-below"),
        pytest.param("s3://b-1/ab", "s3://b-1/a", False, id="sibling-sharing-a-prefix"),
        pytest.param("s3://b-1/ab/x", "s3://b-1/a/", False, id="below-sibling"),
        pytest.param("s3://b-1/a", "s3://b-1/a/x/", False, id="parent"),
        pytest.param("s3://b-1/", "s3://b-1/a/", False, id="bucket-root-not-under-prefix"),
        pytest.param("s3://b-2/a/x", "s3://b-1/a/", False, id="other-bucket"),
        pytest.param("s3://b-10/a/x", "s3://b-1/a/", False, id="bucket-sharing-a-prefix"),
    ],
)
def test_is_within_compares_whole_segments(path: str, root: str, inside: bool) -> None:
    assert is_within(path, root) is inside


def test_is_within_rejects_invalid_paths() -> None:
    with pytest.raises(InvalidS3Path):
        is_within("https://b-1.s3.amazonaws.com/a/x", "s3://b-1/a/")
