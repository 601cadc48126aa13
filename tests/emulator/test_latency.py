"""--query-latency: every query stays QUEUED/RUNNING at least that long, as on Athena."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from dbt_athena_lite.emulator.engine.api import SqlEngine
from dbt_athena_lite.emulator.server import EmulatorServer

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("emulator")]

LATENCY = 0.5  # seconds


@pytest.fixture(scope="module")
def slow_athena(
    boto3_session: boto3.session.Session, select_engine_factory: Callable[[str], SqlEngine]
) -> Iterator[tuple[Any, str]]:
    """Athena client of an emulator with --query-latency LATENCY, and an output location."""
    with EmulatorServer(engine_factory=select_engine_factory, query_latency=LATENCY) as server:
        bucket = f"latency-{uuid.uuid4().hex[:8]}"
        boto3_session.client("s3", endpoint_url=server.endpoint_url).create_bucket(Bucket=bucket)
        yield boto3_session.client("athena", endpoint_url=server.endpoint_url), f"s3://{bucket}/results/"


def _start(athena: Any, output: str, sql: str = "SELECT 1") -> str:
    query_id: str = athena.start_query_execution(
        QueryString=sql, ResultConfiguration={"OutputLocation": output}
    )["QueryExecutionId"]
    return query_id


def _status_until_final(athena: Any, query_id: str) -> list[dict[str, Any]]:
    seen = []
    while True:
        status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        seen.append(status)
        if status["State"] not in ("QUEUED", "RUNNING"):
            return seen
        time.sleep(0.02)


def test_a_fast_query_finishes_no_sooner_than_the_latency(slow_athena: tuple[Any, str]) -> None:
    athena, output = slow_athena
    query_id = _start(athena, output)
    seen = _status_until_final(athena, query_id)
    final = seen[-1]
    assert final["State"] == "SUCCEEDED"
    assert final["CompletionDateTime"] - final["SubmissionDateTime"] >= dt.timedelta(seconds=LATENCY)
    assert all("CompletionDateTime" not in status for status in seen[:-1])
    statistics = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Statistics"]
    assert statistics["TotalExecutionTimeInMillis"] >= LATENCY * 1000
    assert athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"][1]["Data"] == [
        {"VarCharValue": "1"}
    ]


def test_failures_are_held_too(slow_athena: tuple[Any, str]) -> None:
    athena, output = slow_athena
    final = _status_until_final(athena, _start(athena, output, "SELECT * FROM no_such_table"))[-1]
    assert final["State"] == "FAILED"
    assert final["CompletionDateTime"] - final["SubmissionDateTime"] >= dt.timedelta(seconds=LATENCY)


def test_stop_during_the_hold_cancels(slow_athena: tuple[Any, str]) -> None:
    athena, output = slow_athena
    query_id = _start(athena, output)
    athena.stop_query_execution(QueryExecutionId=query_id)
    status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert status["State"] == "CANCELLED"
