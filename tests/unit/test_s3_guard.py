"""The S3 delete guard: every rule, table-driven, and the executor (all or nothing, logged)."""

from __future__ import annotations

import pytest

from dbt_athena_lite.s3_guard import DeleteRequest, S3DeleteRefused, check_delete, guarded_delete

DATA = "s3://lake/data/"
TMP = "s3://lake/tmp/"
TABLES = "s3://results/athena/tables/"
ROOTS = (DATA, TMP, TABLES)
TABLE = "s3://lake/data/sales/orders/u-1"


def request(prefix: str, table_location: str = TABLE, declared: str | None = None) -> DeleteRequest:
    return DeleteRequest(prefix, "sales.orders", table_location, ROOTS, declared)


@pytest.mark.parametrize(
    ("prefix", "table_location", "declared", "expected"),
    [
        (TABLE, TABLE, None, TABLE + "/"),
        (TABLE + "/dt=2024-01-01", TABLE, None, TABLE + "/dt=2024-01-01/"),
        ("s3://lake/tmp/sales/orders__dbt_tmp/u-2", "s3://lake/tmp/sales/orders__dbt_tmp/u-2", None, None),
        ("s3://results/athena/tables/q-1", "s3://results/athena/tables/q-1", None, None),
        ("s3://ext/orders/", "s3://ext/orders", "s3://ext/orders/", "s3://ext/orders/"),
        ("s3://ext/orders/p=1", "s3://ext/orders", "s3://ext/orders", "s3://ext/orders/p=1/"),
    ],
)
def test_allowed(prefix: str, table_location: str, declared: str | None, expected: str | None) -> None:
    normalised = check_delete(request(prefix, table_location, declared))
    assert normalised == (expected or prefix.rstrip("/") + "/")


@pytest.mark.parametrize(
    ("prefix", "table_location", "declared", "rule"),
    [
        ("s3://lake", "s3://lake", None, "root of a bucket"),
        ("s3://lake/", "s3://lake/", "s3://lake/", "root of a bucket"),
        ("s3://lake/data/sales", TABLE, None, "not within the location"),
        ("s3://lake/data/sales/orders", TABLE, None, "not within the location"),
        ("s3://lake/data/sales/orders/u-10", TABLE, None, "not within the location"),
        ("s3://other/data/sales/orders/u-1", TABLE, None, "not within the location"),
        ("s3://lake/raw/orders", "s3://lake/raw/orders", None, "outside the directories"),
        ("s3://ext/other", "s3://ext/other", "s3://ext/orders", "outside the directories"),
        ("s3://lake/data", "s3://lake/data", None, "contains the data directory"),
        ("s3://lake/data/", "s3://lake/data/", "s3://lake/data/", "contains the data directory"),
        ("s3://lake/", "s3://lake/", None, "root of a bucket"),
        ("https://lake.s3.amazonaws.com/x", "https://lake.s3.amazonaws.com/x", None, "not an S3 path"),
    ],
)
def test_refused(prefix: str, table_location: str, declared: str | None, rule: str) -> None:
    with pytest.raises(S3DeleteRefused, match=rule) as raised:
        check_delete(request(prefix, table_location, declared))
    assert raised.value.prefix.rstrip("/") in str(raised.value)


def test_refusal_names_path_rule_and_fix() -> None:
    with pytest.raises(S3DeleteRefused) as raised:
        check_delete(request("s3://lake/raw/orders", "s3://lake/raw/orders"))
    message = str(raised.value)
    assert "s3://lake/raw/orders/" in message
    assert "outside the directories" in message
    assert "external_location" in message


def test_a_data_root_inside_another_root_is_protected() -> None:
    roots = ("s3://lake/", "s3://lake/data/")
    # A table whose location is the data directory itself (external_location=s3_data_dir).
    with pytest.raises(S3DeleteRefused, match="contains the data directory"):
        check_delete(DeleteRequest("s3://lake/data/", "t", "s3://lake/data/", roots[1:], "s3://lake/data/"))


class FakeStorage:
    def __init__(self) -> None:
        self.deleted: list[str] = []

    def delete_prefix(self, prefix: str) -> int:
        self.deleted.append(prefix)
        return 2


def test_executor_deletes_outermost_prefixes_once() -> None:
    storage = FakeStorage()
    requests = [request(TABLE + "/dt=1"), request(TABLE), request(TABLE + "/dt=2"), request(TABLE + "/")]
    assert guarded_delete(storage, requests) == 2
    assert storage.deleted == [TABLE + "/"]


def test_executor_checks_everything_before_deleting_anything() -> None:
    storage = FakeStorage()
    with pytest.raises(S3DeleteRefused):
        guarded_delete(storage, [request(TABLE), request("s3://lake/", "s3://lake/")])
    assert storage.deleted == []
