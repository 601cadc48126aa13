"""QueryExecution.as_seen_at: a final state dated in the future (--query-latency) is not shown yet."""

from __future__ import annotations

import datetime as dt

from dbt_athena_lite.emulator.engine.api import QueryContext
from dbt_athena_lite.emulator.query_service import QueryExecution


def test_a_result_held_for_the_latency_looks_in_progress_until_its_time() -> None:
    submitted = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    execution = QueryExecution(
        query_id="q",
        query="SELECT 1",
        statement="SELECT 1",
        context=QueryContext("q", "123456789012", "us-east-1", "awsdatacatalog", None, "s3://b/"),
        statement_type="DML",
        state="SUCCEEDED",
        submitted_at=submitted,
        started_at=submitted,
        completed_at=submitted + dt.timedelta(seconds=30),
    )
    held = execution.as_seen_at(submitted + dt.timedelta(seconds=1))
    assert (held.state, held.completed_at, held.result) == ("RUNNING", None, None)
    assert execution.as_seen_at(submitted + dt.timedelta(seconds=30)) is execution
