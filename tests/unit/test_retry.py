"""Retry classification and backoff bounds."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from pyathena.error import DatabaseError

from dbt_athena_lite.retry import (
    Backoff,
    PollSchedule,
    QueryDurations,
    client_error_code,
    is_iceberg_commit_conflict,
    is_retryable_start_error,
    statement_kind,
)


def _wrapped(code: str) -> DatabaseError:
    # PyAthena re-raises botocore's error as DatabaseError with the ClientError as __cause__.
    try:
        try:
            raise ClientError({"Error": {"Code": code, "Message": "m"}}, "StartQueryExecution")
        except ClientError as error:
            raise DatabaseError("failed") from error
    except DatabaseError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        ("TooManyRequestsException", True),
        ("ThrottlingException", True),
        ("InternalServerException", True),
        ("InvalidRequestException", False),
        ("AccessDeniedException", False),
    ],
)
def test_start_errors_are_retried_only_when_transient(code: str, retryable: bool) -> None:
    error = _wrapped(code)
    assert client_error_code(error) == code
    assert is_retryable_start_error(error) is retryable


def test_errors_without_an_aws_code_are_not_retried() -> None:
    assert client_error_code(ValueError("x")) is None
    assert not is_retryable_start_error(ValueError("x"))


@pytest.mark.parametrize(
    ("error_type", "message", "conflict"),
    [
        (233, "anything", True),
        (None, "ICEBERG_COMMIT_ERROR: Failed to commit", True),
        (1100, "SYNTAX_ERROR: line 1:1", False),
        (None, None, False),
    ],
)
def test_iceberg_commit_conflict(error_type: int | None, message: str | None, conflict: bool) -> None:
    assert is_iceberg_commit_conflict(error_type, message) is conflict


def test_backoff_grows_exponentially_and_is_capped() -> None:
    upper = Backoff(base_seconds=0.5, cap_seconds=4.0, random_fraction=lambda: 1.0)
    assert [upper.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    lower = Backoff(random_fraction=lambda: 0.0)
    assert lower.delay(3) == 0.0


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("select 1", "select"),
        ("  WITH x AS (select 1) select * from x", "select"),
        ('-- /* {"app": "dbt"} */\ncreate or replace view v as select 1', "view"),
        ("/* header */ CREATE VIEW v AS SELECT 1", "view"),
        ("create table t with (format='parquet') as select 1 as id", "ctas"),
        ("create table t\nwith (table_type='iceberg')\nas\n(with a as (select 1) select * from a)", "ctas"),
        ("create external table t (id int) location 's3://b/t/'", "create"),
        ("insert into t select 1", "insert"),
        ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "merge"),
        ("-- only a comment", ""),
    ],
)
def test_statement_kind(sql: str, kind: str) -> None:
    assert statement_kind(sql) == kind


def test_durations_fall_back_to_any_kind_until_one_of_the_kind_is_known() -> None:
    durations = QueryDurations()
    assert durations.quickest("ctas") is None
    durations.record("view", 0.4)
    assert durations.quickest("ctas") == 0.4
    durations.record("ctas", 1.5)
    durations.record("ctas", 1.2)
    assert (durations.quickest("ctas"), durations.quickest("view")) == (1.2, 0.4)


def test_after_the_expected_wait_checks_start_at_a_quarter_of_it() -> None:
    delays = PollSchedule(ceiling_seconds=1.0).delays(expected_seconds=0.8)
    assert [next(delays) for _ in range(5)] == [0.8, 0.2, 0.4, 0.8, 1.0]
