"""--faults: boto3 and PyAthena see Athena's and Glue's error codes at the configured rates,
in the order a seeded FaultInjector predicts; the emulator's own calls are never faulted."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from pyathena import connect
from pyathena.error import DatabaseError
from pyathena.util import RetryConfig

from dbt_athena_lite.emulator.engine.api import QueryContext, QueryResult, SqlEngine, check_iceberg_commit
from dbt_athena_lite.emulator.faults import FaultInjector, FaultSpec
from dbt_athena_lite.emulator.server import EmulatorServer

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("emulator")]

NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})  # every draw is seen


class _CommitsToIceberg:
    """An engine whose every statement ends in an Iceberg commit."""

    def __init__(self, _endpoint_url: str) -> None:
        pass

    def execute(self, sql: str, context: QueryContext) -> QueryResult:
        check_iceberg_commit(context, "db.events")
        return QueryResult(statement_type="DML", substatement_type="INSERT", update_count=1)


@pytest.fixture
def faulty(
    request: pytest.FixtureRequest,
    boto3_session: boto3.session.Session,
    select_engine_factory: Callable[[str], SqlEngine],
) -> Iterator[tuple[EmulatorServer, dict[str, Any], str]]:
    """An emulator started with the test's FaultSpec (indirect parameter), its clients
    (no retries) and an output location."""
    spec, engine_factory = request.param if isinstance(request.param, tuple) else (request.param, None)
    with EmulatorServer(engine_factory=engine_factory or select_engine_factory, faults=spec) as server:
        clients = {
            name: boto3_session.client(name, endpoint_url=server.endpoint_url, config=NO_RETRIES)  # type: ignore[call-overload]
            for name in ("athena", "glue", "s3")
        }
        bucket = f"faults-{uuid.uuid4().hex[:8]}"
        clients["s3"].create_bucket(Bucket=bucket)
        yield server, clients, f"s3://{bucket}/results/"


def _error_code(call: Callable[[], Any]) -> tuple[str, int] | None:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]
    return None


THROTTLE = FaultSpec(throttle=0.1, seed=7)


@pytest.mark.parametrize("faulty", [THROTTLE], indirect=True)
def test_start_query_execution_is_throttled_in_the_seeded_sequence(faulty: Any) -> None:
    _server, clients, output = faulty
    outcomes = [
        _error_code(
            lambda: clients["athena"].start_query_execution(
                QueryString="SELECT 1", ResultConfiguration={"OutputLocation": output}
            )
        )
        for _ in range(300)
    ]
    expected = FaultInjector(THROTTLE)
    assert outcomes == [
        ("TooManyRequestsException", 400) if expected.should_throttle() else None for _ in range(300)
    ]
    assert 15 <= outcomes.count(("TooManyRequestsException", 400)) <= 45
    # Other Athena calls are not throttled.
    assert all(_error_code(clients["athena"].list_work_groups) is None for _ in range(50))


INTERNAL = FaultSpec(internal=0.1, seed=3)


@pytest.mark.parametrize("faulty", [INTERNAL], indirect=True)
def test_athena_and_glue_calls_fail_with_500s_in_the_seeded_sequence(faulty: Any) -> None:
    _server, clients, _output = faulty
    calls = [clients["glue"].get_databases, clients["athena"].list_work_groups] * 150
    outcomes = [_error_code(call) for call in calls]
    expected = FaultInjector(INTERNAL)
    codes = ["InternalServiceException", "InternalServerException"] * 150
    assert outcomes == [(code, 500) if expected.should_fail_internal() else None for code in codes]
    # S3 is never faulted.
    assert all(_error_code(clients["s3"].list_buckets) is None for _ in range(50))


@pytest.mark.parametrize("faulty", [FaultSpec(internal=1.0, throttle=1.0)], indirect=True)
def test_the_emulators_own_calls_are_never_faulted(faulty: Any) -> None:
    server, clients, _output = faulty
    assert _error_code(clients["glue"].get_databases) == ("InternalServiceException", 500)
    internal = server.app.clients.for_region("us-east-1")
    assert isinstance(internal.glue.get_databases()["DatabaseList"], list)  # answered, not faulted
    assert server.app.clients.athena("us-east-1").get_work_group(WorkGroup="primary")["WorkGroup"]


@pytest.mark.parametrize("faulty", [FaultSpec(throttle=1.0)], indirect=True)
def test_pyathena_sees_the_throttling_error(faulty: Any) -> None:
    server, _clients, output = faulty
    connection = connect(
        s3_staging_dir=output,
        region_name="us-east-1",
        endpoint_url=server.endpoint_url,
        aws_access_key_id="AKIAFAULTS",
        aws_secret_access_key="secret",
        retry_config=RetryConfig(attempt=1),
        config=NO_RETRIES,
    )
    with pytest.raises(DatabaseError, match="TooManyRequestsException"):
        connection.cursor().execute("SELECT 1")


@pytest.mark.parametrize(
    "faulty", [(FaultSpec(iceberg_commit=1.0), _CommitsToIceberg)], indirect=True, ids=["iceberg_commit"]
)
def test_an_iceberg_commit_fault_fails_the_query_with_error_type_233(faulty: Any) -> None:
    _server, clients, output = faulty
    athena = clients["athena"]
    query_id = athena.start_query_execution(
        QueryString="INSERT INTO events VALUES (1)", ResultConfiguration={"OutputLocation": output}
    )["QueryExecutionId"]
    while (status := athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"])[
        "State"
    ] in ("QUEUED", "RUNNING"):
        pass
    assert status["State"] == "FAILED"
    assert status["AthenaError"]["ErrorType"] == 233
    assert status["StateChangeReason"].startswith("ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update")


@pytest.mark.parametrize("faulty", [(FaultSpec(), _CommitsToIceberg)], indirect=True, ids=["no_faults"])
def test_without_the_fault_iceberg_commits_succeed(faulty: Any) -> None:
    _server, clients, output = faulty
    athena = clients["athena"]
    query_id = athena.start_query_execution(
        QueryString="INSERT INTO events VALUES (1)", ResultConfiguration={"OutputLocation": output}
    )["QueryExecutionId"]
    while athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"] in (
        "QUEUED",
        "RUNNING",
    ):
        pass
    status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    assert status["State"] == "SUCCEEDED"
