"""Polling, retries and error reporting of AthenaLiteCursor against a scripted Athena client (no sleeping)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pyathena.converter import DefaultTypeConverter
from pyathena.error import DatabaseError
from pyathena.formatter import DefaultParameterFormatter
from pyathena.util import RetryConfig

from dbt_athena_lite.connections import query_policy
from dbt_athena_lite.credentials import AthenaLiteCredentials
from dbt_athena_lite.cursor import (
    MAX_QUERY_BYTES,
    AthenaLiteCursor,
    AthenaQueryFailed,
    QueryTooLong,
    RunningQueries,
)
from dbt_athena_lite.retry import Backoff, PollSchedule, QueryPolicy


def _client_error(code: str, operation: str = "StartQueryExecution") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} happened"}}, operation)


_SUBMITTED = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _execution(
    query_id: str, state: str, error: dict[str, Any] | None = None, took: float | None = None
) -> dict[str, Any]:
    status: dict[str, Any] = {"State": state, "SubmissionDateTime": _SUBMITTED}
    if took is not None and state in ("SUCCEEDED", "FAILED", "CANCELLED"):
        status["CompletionDateTime"] = _SUBMITTED + timedelta(seconds=took)
    if error:
        status["AthenaError"] = error
        status["StateChangeReason"] = error["ErrorMessage"]
    return {
        "QueryExecution": {
            "QueryExecutionId": query_id,
            "Query": "select 1",
            "StatementType": "DML",
            "SubstatementType": "INSERT",
            "Status": status,
            "Statistics": {"DataScannedInBytes": 42, "EngineExecutionTimeInMillis": 7},
            "ResultConfiguration": {"OutputLocation": f"s3://bucket/results/{query_id}.csv"},
        }
    }


@dataclass
class ScriptedAthena:
    """An Athena client whose answers are scripted per call: the states a query passes through and the
    errors StartQueryExecution raises, recording every request."""

    start_errors: list[ClientError] = field(default_factory=list)
    # One list of states per started query (the last state repeats).
    states: list[list[str]] = field(default_factory=list)
    failures: dict[int, dict[str, Any]] = field(default_factory=dict)  # query number -> AthenaError
    took: dict[int, float] = field(default_factory=dict)  # query number -> seconds Athena reports
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _started: int = 0
    _polls: dict[str, int] = field(default_factory=dict)

    def start_query_execution(self, **request: Any) -> dict[str, Any]:
        self.calls.append(("StartQueryExecution", request))
        if self.start_errors:
            raise self.start_errors.pop(0)
        self._started += 1
        return {"QueryExecutionId": f"q{self._started}"}

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        self.calls.append(("GetQueryExecution", {"QueryExecutionId": QueryExecutionId}))
        number = int(QueryExecutionId[1:])
        script = self.states[number - 1]
        seen = self._polls.get(QueryExecutionId, 0)
        self._polls[QueryExecutionId] = seen + 1
        state = script[min(seen, len(script) - 1)]
        failure = self.failures.get(number) if state == "FAILED" else None
        return _execution(QueryExecutionId, state, failure, self.took.get(number))

    def get_query_results(self, **request: Any) -> dict[str, Any]:
        self.calls.append(("GetQueryResults", request))
        return {
            "UpdateCount": 3,
            "ResultSet": {
                "Rows": [{"Data": [{"VarCharValue": "x"}]}, {"Data": [{"VarCharValue": "1"}]}],
                "ResultSetMetadata": {
                    "ColumnInfo": [
                        {"Name": "x", "Type": "integer", "Nullable": "UNKNOWN", "CaseSensitive": False}
                    ]
                },
            },
        }

    def stop_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        self.calls.append(("StopQueryExecution", {"QueryExecutionId": QueryExecutionId}))
        return {}

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


@dataclass
class FakeConnection:
    client: ScriptedAthena


def make_cursor(
    athena: ScriptedAthena,
    sleeps: list[float],
    *,
    num_retries: int = 5,
    num_iceberg_retries: int = 3,
    poll_interval: float = 1.0,
    running: RunningQueries | None = None,
    sleep: Callable[[float], None] | None = None,
) -> AthenaLiteCursor:
    policy = QueryPolicy(
        num_retries=num_retries,
        num_iceberg_retries=num_iceberg_retries,
        poll=PollSchedule(ceiling_seconds=poll_interval),
        backoff=Backoff(random_fraction=lambda: 1.0),  # the jitter's upper bound, so delays are exact
        commit_backoff=replace(QueryPolicy().commit_backoff, random_fraction=lambda: 1.0),
    )
    return AthenaLiteCursor(
        policy=policy,
        sleep=sleep if sleep is not None else sleeps.append,
        running=running,
        connection=FakeConnection(athena),
        converter=DefaultTypeConverter(),
        formatter=DefaultParameterFormatter(),
        retry_config=RetryConfig(attempt=1),
        s3_staging_dir="s3://bucket/results/",
        schema_name="analytics",
        catalog_name="awsdatacatalog",
        work_group="primary",
        poll_interval=poll_interval,
        encryption_option=None,
        kms_key=None,
        kill_on_interrupt=False,
        result_reuse_enable=False,
        result_reuse_minutes=60,
    )


def test_polling_starts_fast_and_backs_off_to_poll_interval() -> None:
    athena = ScriptedAthena(states=[["QUEUED"] + ["RUNNING"] * 7 + ["SUCCEEDED"]])
    sleeps: list[float] = []

    cursor = make_cursor(athena, sleeps, poll_interval=0.5)
    cursor.execute("select 1")

    # One wait before each of the 9 status checks: none the moment the query starts.
    assert sleeps == [0.05, 0.1, 0.2, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5]
    assert athena.names().count("GetQueryExecution") == 9
    assert cursor.fetchall() == [(1,)]


def test_each_query_restarts_the_poll_schedule() -> None:
    athena = ScriptedAthena(states=[["RUNNING", "RUNNING", "SUCCEEDED"], ["RUNNING", "SUCCEEDED"]])
    sleeps: list[float] = []
    cursor = make_cursor(athena, sleeps)

    cursor.execute("select 1")
    cursor.execute("select 2")

    assert sleeps == [0.05, 0.1, 0.2, 0.05, 0.1]


def test_first_status_check_waits_as_long_as_the_quickest_recent_query() -> None:
    athena = ScriptedAthena(
        states=[["RUNNING", "SUCCEEDED"], ["RUNNING", "SUCCEEDED"], ["SUCCEEDED"], ["SUCCEEDED"]],
        took={1: 0.8, 2: 0.6, 3: 3.0},
    )
    sleeps: list[float] = []
    cursor = make_cursor(athena, sleeps, poll_interval=2.0)

    for query in ("select 1", "select 2", "select 3", "select 4"):
        cursor.execute(query)

    # Nothing known yet: 50 ms, then doubling. Then the quickest so far (0.8 s, then 0.6 s) first,
    # and a quarter of it if the query is still running; a slow query does not raise it.
    assert sleeps == [0.05, 0.1, 0.8, 0.2, 0.6, 0.6]


def test_the_first_wait_is_learned_per_kind_of_statement() -> None:
    athena = ScriptedAthena(
        states=[["SUCCEEDED"], ["SUCCEEDED"], ["SUCCEEDED"], ["SUCCEEDED"]],
        took={1: 0.5, 2: 2.0, 3: 0.5, 4: 2.0},
    )
    sleeps: list[float] = []
    cursor = make_cursor(athena, sleeps, poll_interval=5.0)

    cursor.execute("create or replace view v as select 1 as id")
    cursor.execute("create table t with (format='parquet') as select 1 as id")  # none known: any kind's
    cursor.execute('-- /* {"app": "dbt"} */\ncreate view w as select 2 as id')
    cursor.execute("create table u as select 2 as id")

    assert sleeps == [0.05, 0.5, 0.5, 2.0]


def test_the_learned_first_wait_stops_at_poll_interval() -> None:
    athena = ScriptedAthena(states=[["SUCCEEDED"], ["SUCCEEDED"]], took={1: 5.0})
    sleeps: list[float] = []
    cursor = make_cursor(athena, sleeps, poll_interval=1.0)

    cursor.execute("select 1")
    cursor.execute("select 2")

    assert sleeps == [0.05, 1.0]


def test_successful_query_reports_id_rows_and_bytes() -> None:
    athena = ScriptedAthena(states=[["SUCCEEDED"]])
    cursor = make_cursor(athena, [])

    cursor.execute("insert into t select 1")

    assert cursor.last_execution is not None
    assert cursor.last_execution.query_id == "q1"
    assert cursor.last_execution.data_scanned_in_bytes == 42
    assert cursor.rowcount == 3


@pytest.mark.parametrize(
    "code", ["TooManyRequestsException", "ThrottlingException", "InternalServerException"]
)
def test_throttled_start_is_resubmitted_with_the_same_token_and_backoff(code: str) -> None:
    athena = ScriptedAthena(start_errors=[_client_error(code), _client_error(code)], states=[["SUCCEEDED"]])
    sleeps: list[float] = []

    make_cursor(athena, sleeps).execute("select 1")

    starts = [request for name, request in athena.calls if name == "StartQueryExecution"]
    assert len(starts) == 3
    assert len({request["ClientRequestToken"] for request in starts}) == 1
    assert sleeps == [0.5, 1.0, 0.05]  # full-jitter upper bounds: base * 2**attempt; then the first poll


def test_start_retries_stop_at_num_retries() -> None:
    athena = ScriptedAthena(start_errors=[_client_error("ThrottlingException")] * 3, states=[["SUCCEEDED"]])
    sleeps: list[float] = []

    with pytest.raises(DatabaseError):
        make_cursor(athena, sleeps, num_retries=2).execute("select 1")

    assert athena.names().count("StartQueryExecution") == 3
    assert len(sleeps) == 2


def test_start_errors_that_are_not_transient_fail_at_once() -> None:
    athena = ScriptedAthena(start_errors=[_client_error("InvalidRequestException")], states=[["SUCCEEDED"]])
    sleeps: list[float] = []

    with pytest.raises(DatabaseError):
        make_cursor(athena, sleeps).execute("select 1")

    assert athena.names() == ["StartQueryExecution"]
    assert sleeps == []


def _athena_error(category: int, error_type: int, message: str) -> dict[str, Any]:
    return {"ErrorCategory": category, "ErrorType": error_type, "Retryable": False, "ErrorMessage": message}


@pytest.mark.parametrize(
    "message",
    [
        "SYNTAX_ERROR: line 1:8: mismatched input 'form'",
        "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.db.t' does not exist",
        "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
    ],
)
def test_user_errors_fail_once_with_query_id_and_athena_message(message: str) -> None:
    athena = ScriptedAthena(states=[["RUNNING", "FAILED"]], failures={1: _athena_error(2, 1100, message)})
    sleeps: list[float] = []

    with pytest.raises(AthenaQueryFailed) as raised:
        make_cursor(athena, sleeps).execute("select x form t")

    assert athena.names().count("StartQueryExecution") == 1
    assert raised.value.query_id == "q1"
    assert "q1" in str(raised.value)
    assert "user error" in str(raised.value)
    assert message in str(raised.value)


def test_iceberg_commit_conflicts_rerun_the_whole_query_until_it_succeeds() -> None:
    conflict = _athena_error(1, 233, "ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table")
    athena = ScriptedAthena(
        states=[["FAILED"], ["FAILED"], ["SUCCEEDED"]],
        failures={1: conflict, 2: conflict},
    )
    sleeps: list[float] = []

    make_cursor(athena, sleeps).execute("merge into t using s on t.id = s.id when matched then delete")

    assert athena.names().count("StartQueryExecution") == 3
    assert sleeps == [0.05, 0.5, 0.05, 1.0, 0.05]  # a poll wait, then the re-run backoffs (base * 2**attempt)


def test_iceberg_commit_reruns_wait_at_most_eight_seconds_unlike_throttled_starts() -> None:
    # Eight writers of one table: the unluckiest loses seven races before its commit goes through.
    conflict = _athena_error(1, 233, "ICEBERG_COMMIT_ERROR: Failed to commit")
    athena = ScriptedAthena(
        states=[["FAILED"]] * 7 + [["SUCCEEDED"]], failures=dict.fromkeys(range(1, 8), conflict)
    )
    sleeps: list[float] = []

    make_cursor(athena, sleeps, num_iceberg_retries=QueryPolicy().num_iceberg_retries).execute(
        "insert into t select 1"
    )

    backoffs = sleeps[1::2]  # each attempt waits once before its status check (0.05 s) and then backs off
    assert backoffs == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert sleeps[0::2] == [0.05] * 8
    assert athena.names().count("StartQueryExecution") == 8


def test_iceberg_commit_conflicts_give_up_after_num_iceberg_retries() -> None:
    conflict = _athena_error(1, 233, "ICEBERG_COMMIT_ERROR: Failed to commit")
    athena = ScriptedAthena(states=[["FAILED"]] * 3, failures={1: conflict, 2: conflict, 3: conflict})

    with pytest.raises(AthenaQueryFailed, match="ICEBERG_COMMIT_ERROR"):
        make_cursor(athena, [], num_iceberg_retries=2).execute("insert into t select 1")

    assert athena.names().count("StartQueryExecution") == 3


def test_running_queries_are_tracked_for_cancel_and_forgotten_after() -> None:
    running = RunningQueries()
    seen_while_running: list[list[str]] = []

    class Watching(ScriptedAthena):
        def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
            seen_while_running.append(running.snapshot())
            return super().get_query_execution(QueryExecutionId)

    athena = Watching(states=[["RUNNING", "SUCCEEDED"]])
    make_cursor(athena, [], running=running).execute("select 1")

    assert seen_while_running[0] == ["q1"]
    assert running.snapshot() == []


def test_default_policy_is_built_without_arguments() -> None:
    policy = QueryPolicy()
    delays: Callable[[], float] = iter(policy.poll.delays()).__next__
    assert [delays() for _ in range(7)] == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0]


DEFAULT_POLL_INTERVAL = next(
    f.default for f in dataclasses.fields(AthenaLiteCredentials) if f.name == "poll_interval"
)


@dataclass
class FakeClock:
    now: float = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FailsAt(ScriptedAthena):
    """Athena on a fake clock: the query runs until `failed_at`, then is FAILED with a user error."""

    clock: FakeClock = field(default_factory=FakeClock)
    failed_at: float = 0.0
    poll_times: list[float] = field(default_factory=list)

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        self.poll_times.append(self.clock.now)
        if self.clock.now < self.failed_at:
            return _execution(QueryExecutionId, "RUNNING")
        error = _athena_error(2, 1100, "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved")
        return _execution(QueryExecutionId, "FAILED", error)


@pytest.mark.parametrize("failed_at", [0.0, 0.01, 0.05, 0.3, 0.74, 1.5, 7.3, 61.02, 600.0])
@pytest.mark.parametrize("poll_interval", [None, 0.2, 2.0, 5.0])
def test_a_failed_query_is_reported_at_the_first_poll_after_it_failed(
    failed_at: float, poll_interval: float | None
) -> None:
    """Why a user error reaches dbt within 2 s of Athena's FAILED with the default poll_interval (1 s):
    the error is raised by the first status check that sees FAILED, and no wait between checks
    exceeds poll_interval. A poll_interval above 2 s (the user's choice) delays it by at most that."""
    ceiling = poll_interval if poll_interval is not None else DEFAULT_POLL_INTERVAL
    athena = FailsAt(states=[], failed_at=failed_at)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        athena.clock.sleep(seconds)

    cursor = make_cursor(athena, [], poll_interval=ceiling, sleep=sleep)
    with pytest.raises(AthenaQueryFailed, match="COLUMN_NOT_FOUND"):
        cursor.execute("select x from t")

    seen_failed = [t for t in athena.poll_times if t >= failed_at]
    assert seen_failed == [athena.clock.now]  # raised at the first poll that saw FAILED, no further call
    assert max(sleeps, default=0.0) <= ceiling
    assert athena.clock.now - failed_at <= ceiling
    assert athena.names().count("StartQueryExecution") == 1  # a user error is never retried
    if poll_interval is None:
        assert athena.clock.now - failed_at <= 2.0


def test_a_query_over_athenas_length_limit_is_refused_before_it_is_sent() -> None:
    athena = ScriptedAthena(states=[["SUCCEEDED"]])
    query = "select '" + "é" * (MAX_QUERY_BYTES // 2) + "'"  # fewer characters than bytes: UTF-8 counts

    with pytest.raises(QueryTooLong) as raised:
        make_cursor(athena, []).execute(query)

    assert athena.calls == []
    assert f"{len(query.encode('utf-8')):,} bytes long" in str(raised.value)
    assert "262,144 bytes" in str(raised.value)


def test_a_query_at_athenas_length_limit_is_sent() -> None:
    athena = ScriptedAthena(states=[["SUCCEEDED"]])
    query = "select '" + "x" * (MAX_QUERY_BYTES - len("select ''")) + "'"

    make_cursor(athena, []).execute(query)

    assert athena.names().count("StartQueryExecution") == 1


def test_every_thread_of_a_profile_learns_from_the_same_durations(
    load_profile: Callable[..., AthenaLiteCredentials],
) -> None:
    creds = load_profile(schema="durations_shared")
    other = load_profile(schema="durations_other")

    first, second = query_policy(creds), query_policy(creds)
    first.durations.record("select", 0.7)

    assert second.durations.quickest("select") == 0.7
    assert query_policy(other).durations.quickest("select") is None
