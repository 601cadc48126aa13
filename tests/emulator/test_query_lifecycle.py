"""Query executions through boto3: states, failures, cancellation, idempotency, output
locations, workgroups, parameters, listing and the bounded history."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from dbt_athena_lite.emulator.engine.api import QueryContext, QueryResult, ResultColumn
from dbt_athena_lite.emulator.query_service import QueryService, QuerySubmission
from dbt_athena_lite.emulator.server import EmulatorServer

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("emulator")]

# Runs for minutes on DuckDB unless interrupted: the way to hold a query in RUNNING.
LONG_QUERY = "SELECT count(*) FROM range(100000000000) AS t(i) WHERE i % 7 = 3"


def _start(clients: Any, sql: str, **extra: Any) -> str:
    request: dict[str, Any] = {
        "QueryString": sql,
        "ResultConfiguration": {"OutputLocation": clients.output_location},
        **extra,
    }
    query_id: str = clients.athena.start_query_execution(**request)["QueryExecutionId"]
    return query_id


def _wait(athena: Any, query_id: str, states: tuple[str, ...], timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        execution: dict[str, Any] = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Status"]["State"] in states:
            return execution
        assert time.monotonic() < deadline, f"{query_id} still {execution['Status']['State']}"
        time.sleep(0.01)


def _error_of(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    error: dict[str, Any] = raised.value.response["Error"]
    return error


def test_a_select_succeeds_with_athena_shaped_execution(select_clients: Any) -> None:
    state, rows, execution = select_clients.run_query("SELECT 1 AS one")
    query_id = execution["QueryExecutionId"]
    status = execution["Status"]
    assert state == "SUCCEEDED"
    assert rows == [("one",), ("1",)]
    assert execution["Query"] == "SELECT 1 AS one"
    assert execution["StatementType"] == "DML"
    assert execution["SubstatementType"] == "SELECT"
    assert execution["WorkGroup"] == "primary"
    assert execution["QueryExecutionContext"] == {"Catalog": "awsdatacatalog"}
    assert execution["EngineVersion"]["EffectiveEngineVersion"] == "Athena engine version 3"
    assert execution["ResultConfiguration"]["OutputLocation"] == (
        f"{select_clients.output_location}{query_id}.csv"
    )
    assert status["SubmissionDateTime"] <= status["CompletionDateTime"]
    statistics = execution["Statistics"]
    assert statistics["TotalExecutionTimeInMillis"] >= statistics["EngineExecutionTimeInMillis"]
    assert set(statistics) >= {
        "EngineExecutionTimeInMillis",
        "DataScannedInBytes",
        "TotalExecutionTimeInMillis",
        "QueryQueueTimeInMillis",
        "ServiceProcessingTimeInMillis",
    }


def test_a_failing_statement_reports_athena_error(select_clients: Any) -> None:
    state, _rows, execution = select_clients.run_query("SELEC 1")
    status = execution["Status"]
    assert state == "FAILED"
    assert status["StateChangeReason"].startswith("SYNTAX_ERROR: ")
    assert status["AthenaError"] == {
        "ErrorCategory": 2,
        "ErrorType": 1006,
        "Retryable": False,
        "ErrorMessage": status["StateChangeReason"],
    }
    error = _error_of(select_clients.athena.get_query_results, QueryExecutionId=execution["QueryExecutionId"])
    assert error["Code"] == "InvalidRequestException"
    assert "Final query state: FAILED" in error["Message"]


def test_an_unexpected_engine_exception_is_a_system_error(select_clients: Any) -> None:
    state, _rows, execution = select_clients.run_query("SELECT CAST('not a number' AS INTEGER)")
    athena_error = execution["Status"]["AthenaError"]
    assert state == "FAILED"
    assert athena_error["ErrorCategory"] == 1
    assert athena_error["ErrorType"] == 200
    assert athena_error["ErrorMessage"].startswith("GENERIC_INTERNAL_ERROR: ")
    assert "not a number" in athena_error["ErrorMessage"]


def test_stopping_a_running_query_cancels_it(select_clients: Any) -> None:
    athena = select_clients.athena
    query_id = _start(select_clients, LONG_QUERY)
    _wait(athena, query_id, ("RUNNING",))
    error = _error_of(athena.get_query_results, QueryExecutionId=query_id)
    assert error == {
        "Code": "InvalidRequestException",
        "Message": "Query has not yet finished. Current state: RUNNING",
    }
    athena.stop_query_execution(QueryExecutionId=query_id)
    execution = _wait(athena, query_id, ("CANCELLED", "FAILED", "SUCCEEDED"))
    assert execution["Status"]["State"] == "CANCELLED"
    assert "CompletionDateTime" in execution["Status"]


def test_a_query_stopped_while_queued_never_runs(
    boto3_session: boto3.session.Session, select_engine_factory: Any
) -> None:
    with EmulatorServer(engine_factory=select_engine_factory, workers=1) as server:
        athena = boto3_session.client("athena", endpoint_url=server.endpoint_url)
        s3 = boto3_session.client("s3", endpoint_url=server.endpoint_url)
        s3.create_bucket(Bucket="queued-results")
        config = {"ResultConfiguration": {"OutputLocation": "s3://queued-results/out/"}}
        blocking = athena.start_query_execution(QueryString=LONG_QUERY, **config)["QueryExecutionId"]
        _wait(athena, blocking, ("RUNNING",))
        queued = athena.start_query_execution(QueryString="SELECT 'queued'", **config)["QueryExecutionId"]
        assert (
            athena.get_query_execution(QueryExecutionId=queued)["QueryExecution"]["Status"]["State"]
            == "QUEUED"
        )
        athena.stop_query_execution(QueryExecutionId=queued)
        athena.stop_query_execution(QueryExecutionId=blocking)
        assert _wait(athena, blocking, ("CANCELLED",))["Status"]["State"] == "CANCELLED"
        queued_execution = _wait(athena, queued, ("CANCELLED",))
        engine = server.app.engine()
    assert queued_execution["Status"]["State"] == "CANCELLED"
    assert engine.statements_run == [LONG_QUERY]


def test_client_request_token_makes_start_idempotent(select_clients: Any) -> None:
    token = uuid.uuid4().hex
    first = _start(select_clients, "SELECT 1", ClientRequestToken=token)
    again = _start(select_clients, "SELECT 1", ClientRequestToken=token)
    other = _start(select_clients, "SELECT 1", ClientRequestToken=uuid.uuid4().hex)
    assert first == again
    assert other != first
    error = _error_of(
        select_clients.athena.start_query_execution,
        QueryString="SELECT 2",
        ClientRequestToken=token,
        ResultConfiguration={"OutputLocation": select_clients.output_location},
    )
    assert error["Code"] == "InvalidRequestException"
    assert first in error["Message"]


def test_unknown_query_ids_are_invalid_requests(select_clients: Any) -> None:
    missing = str(uuid.uuid4())
    for call in (
        select_clients.athena.get_query_execution,
        select_clients.athena.get_query_results,
        select_clients.athena.stop_query_execution,
    ):
        error = _error_of(call, QueryExecutionId=missing)
        assert error["Code"] == "InvalidRequestException"
        assert missing in error["Message"]


def test_without_any_output_location_start_is_rejected(select_clients: Any) -> None:
    error = _error_of(select_clients.athena.start_query_execution, QueryString="SELECT 1")
    assert error["Code"] == "InvalidRequestException"
    assert error["Message"].startswith("No output location provided.")


def test_workgroup_output_location_applies_and_enforcement_overrides(select_clients: Any) -> None:
    athena = select_clients.athena
    bucket = select_clients.results_bucket
    free, enforced = f"free-{uuid.uuid4().hex[:8]}", f"enforced-{uuid.uuid4().hex[:8]}"
    athena.create_work_group(
        Name=free,
        Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://{bucket}/free/"},
            "EnforceWorkGroupConfiguration": False,
        },
    )
    athena.create_work_group(
        Name=enforced,
        Configuration={
            "ResultConfiguration": {"OutputLocation": f"s3://{bucket}/enforced/"},
            "EnforceWorkGroupConfiguration": True,
        },
    )
    from_group = athena.start_query_execution(QueryString="SELECT 1", WorkGroup=free)["QueryExecutionId"]
    from_request = _start(select_clients, "SELECT 1", WorkGroup=free)
    overridden = _start(select_clients, "SELECT 1", WorkGroup=enforced)

    def location(query_id: str) -> str:
        execution = _wait(athena, query_id, ("SUCCEEDED",))
        return str(execution["ResultConfiguration"]["OutputLocation"])

    assert location(from_group) == f"s3://{bucket}/free/{from_group}.csv"
    assert location(from_request) == f"{select_clients.output_location}{from_request}.csv"
    assert location(overridden) == f"s3://{bucket}/enforced/{overridden}.csv"
    assert _wait(athena, overridden, ("SUCCEEDED",))["WorkGroup"] == enforced
    listed = athena.list_query_executions(WorkGroup=enforced)["QueryExecutionIds"]
    assert listed == [overridden]


def test_unknown_workgroup_is_rejected(select_clients: Any) -> None:
    error = _error_of(
        select_clients.athena.start_query_execution, QueryString="SELECT 1", WorkGroup="no-such-group"
    )
    assert error["Code"] == "InvalidRequestException"
    assert "no-such-group" in error["Message"]


def test_execution_parameters_are_substituted(select_clients: Any) -> None:
    athena = select_clients.athena
    query_id = _start(select_clients, "SELECT ? AS n, ? AS s", ExecutionParameters=["41 + 1", "'x?'"])
    execution = _wait(athena, query_id, ("SUCCEEDED", "FAILED"))
    rows = athena.get_query_results(QueryExecutionId=query_id)["ResultSet"]["Rows"]
    assert execution["Query"] == "SELECT ? AS n, ? AS s"
    assert execution["ExecutionParameters"] == ["41 + 1", "'x?'"]
    assert [d.get("VarCharValue") for d in rows[1]["Data"]] == ["42", "x?"]
    error = _error_of(
        athena.start_query_execution,
        QueryString="SELECT ?",
        ExecutionParameters=["1", "2"],
        ResultConfiguration={"OutputLocation": select_clients.output_location},
    )
    assert error["Message"] == "Incorrect number of parameters: expected 1 but found 2"


def test_batch_get_and_paginated_listing(select_clients: Any) -> None:
    athena = select_clients.athena
    work_group = f"list-{uuid.uuid4().hex[:8]}"
    athena.create_work_group(Name=work_group, Configuration={"EnforceWorkGroupConfiguration": False})
    ids = [_start(select_clients, f"SELECT {i}", WorkGroup=work_group) for i in range(7)]
    missing = str(uuid.uuid4())
    batch = athena.batch_get_query_execution(QueryExecutionIds=[ids[0], missing])
    assert [e["QueryExecutionId"] for e in batch["QueryExecutions"]] == [ids[0]]
    assert [u["QueryExecutionId"] for u in batch["UnprocessedQueryExecutionIds"]] == [missing]
    paginator = athena.get_paginator("list_query_executions")
    pages = list(paginator.paginate(WorkGroup=work_group, PaginationConfig={"PageSize": 3}))
    assert [len(page["QueryExecutionIds"]) for page in pages] == [3, 3, 1]
    assert [qid for page in pages for qid in page["QueryExecutionIds"]] == ids[::-1]
    # A query started between pages does not shift the next page.
    first_page = athena.list_query_executions(WorkGroup=work_group, MaxResults=3)
    newer = _start(select_clients, "SELECT 'newer'", WorkGroup=work_group)
    second_page = athena.list_query_executions(
        WorkGroup=work_group, MaxResults=3, NextToken=first_page["NextToken"]
    )
    assert second_page["QueryExecutionIds"] == ids[::-1][3:6]
    assert newer not in first_page["QueryExecutionIds"] + second_page["QueryExecutionIds"]


def test_stopping_a_finished_query_keeps_its_state(select_clients: Any) -> None:
    _state, _rows, execution = select_clients.run_query("SELECT 1")
    select_clients.athena.stop_query_execution(QueryExecutionId=execution["QueryExecutionId"])
    again = select_clients.athena.get_query_execution(QueryExecutionId=execution["QueryExecutionId"])
    assert again["QueryExecution"]["Status"]["State"] == "SUCCEEDED"


def test_ddl_is_typed_ddl_and_writes_a_txt_file(select_clients: Any) -> None:
    table = f"t_{uuid.uuid4().hex[:8]}"
    state, rows, execution = select_clients.run_query(f"CREATE TABLE {table} (a INTEGER)")
    location = execution["ResultConfiguration"]["OutputLocation"]
    key = location.removeprefix(f"s3://{select_clients.results_bucket}/")
    assert state == "SUCCEEDED"
    assert rows == []
    assert execution["StatementType"] == "DDL"
    assert location.endswith(f"/{execution['QueryExecutionId']}.txt")
    assert select_clients.s3.head_object(Bucket=select_clients.results_bucket, Key=key)["ContentLength"] == 0


def test_concurrent_queries_all_finish(select_clients: Any) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda i: select_clients.run_query(f"SELECT {i} AS i"), range(24)))
    assert [rows for _state, rows, _execution in outcomes] == [[("i",), (str(i),)] for i in range(24)]


def test_runtime_statistics_report_rows_and_timeline(select_clients: Any) -> None:
    _state, _rows, execution = select_clients.run_query("SELECT * FROM range(12)")
    stats = select_clients.athena.get_query_runtime_statistics(
        QueryExecutionId=execution["QueryExecutionId"]
    )["QueryRuntimeStatistics"]
    assert stats["Rows"]["OutputRows"] == 12
    assert stats["Rows"]["OutputBytes"] > 0
    assert (
        stats["Timeline"]["TotalExecutionTimeInMillis"]
        == execution["Statistics"]["TotalExecutionTimeInMillis"]
    )


class _Recorder:
    """Engine and ResultStore in one: answers each statement with its own text."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def execute(self, sql: str, context: QueryContext) -> QueryResult:
        return QueryResult("DML", [ResultColumn("sql", "varchar")], [(sql,)], has_header_row=True)

    def write(self, location: str, body: bytes, region: str) -> None:
        with self.lock:
            self.files[location] = body

    def read(self, location: str, region: str) -> bytes:
        with self.lock:
            return self.files[location]


def test_history_keeps_only_the_newest_executions() -> None:
    recorder = _Recorder()
    service = QueryService(lambda: recorder, recorder, workers=2, max_executions=5)
    for i in range(12):
        _run_to_end(service, f"q{i}", f"SELECT {i}")
    service.shutdown()
    kept = [e.query_id for e in service.newest_first("primary")]
    assert kept == [f"q{i}" for i in range(11, 6, -1)]
    assert recorder.files["s3://b/o/q11.csv"] == b'"sql"\n"SELECT 11"\n'


def test_errors_use_the_json_protocol_shape(select_clients: Any) -> None:
    """Raw HTTP: the shape botocore and other SDKs parse (unsigned requests are accepted)."""
    endpoint = select_clients.emulator.endpoint_url
    headers = {"X-Amz-Target": "AmazonAthena.GetQueryExecution", "Content-Type": "application/x-amz-json-1.1"}
    missing_id = requests.post(endpoint, data=b"{}", headers=headers, timeout=5)
    assert missing_id.status_code == 400
    assert missing_id.headers["x-amzn-ErrorType"] == "InvalidRequestException"
    assert missing_id.json() == {
        "__type": "InvalidRequestException",
        "message": "QueryExecutionId is required.",
    }
    not_json = requests.post(endpoint, data=b"{", headers=headers, timeout=5)
    assert not_json.status_code == 400
    assert not_json.json()["__type"] == "InvalidRequestException"


def test_query_strings_over_athenas_limit_are_rejected(select_clients: Any) -> None:
    too_long = "SELECT '" + "é" * 131_070 + "'"  # under 262,144 characters, over 262,144 bytes
    error = _error_of(
        select_clients.athena.start_query_execution,
        QueryString=too_long,
        ResultConfiguration={"OutputLocation": select_clients.output_location},
    )
    assert error["Code"] == "InvalidRequestException"
    assert "262144 bytes" in error["Message"]


def test_workgroup_changes_apply_to_the_next_query(select_clients: Any) -> None:
    # moto 5.2 has no UpdateWorkGroup: a workgroup changes by being deleted and created again.
    athena = select_clients.athena
    bucket = select_clients.results_bucket
    name = f"changing-{uuid.uuid4().hex[:8]}"

    def create(prefix: str) -> None:
        athena.create_work_group(
            Name=name, Configuration={"ResultConfiguration": {"OutputLocation": f"s3://{bucket}/{prefix}/"}}
        )

    create("before")
    before = athena.start_query_execution(QueryString="SELECT 1", WorkGroup=name)["QueryExecutionId"]
    athena.delete_work_group(WorkGroup=name)
    error = _error_of(athena.start_query_execution, QueryString="SELECT 1", WorkGroup=name)
    create("after")
    after = athena.start_query_execution(QueryString="SELECT 1", WorkGroup=name)["QueryExecutionId"]
    location_before = _wait(athena, before, ("SUCCEEDED",))["ResultConfiguration"]["OutputLocation"]
    location_after = _wait(athena, after, ("SUCCEEDED",))["ResultConfiguration"]["OutputLocation"]
    assert error["Code"] == "InvalidRequestException"
    assert location_before == f"s3://{bucket}/before/{before}.csv"
    assert location_after == f"s3://{bucket}/after/{after}.csv"


def test_an_output_bucket_that_does_not_exist_fails_the_query(select_clients: Any) -> None:
    missing = f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/results/"
    query_id = select_clients.athena.start_query_execution(
        QueryString="SELECT 1", ResultConfiguration={"OutputLocation": missing}
    )["QueryExecutionId"]
    status = _wait(select_clients.athena, query_id, ("FAILED", "SUCCEEDED"))["Status"]
    assert status["State"] == "FAILED"
    assert status["AthenaError"]["ErrorType"] == 401
    assert f"{missing}{query_id}.csv" in status["StateChangeReason"]
    assert "NoSuchBucket" in status["StateChangeReason"]


def _run_to_end(service: QueryService, query_id: str, sql: str) -> Any:
    context = QueryContext(query_id, "123456789012", "us-east-1", "awsdatacatalog", None, "s3://b/o/")
    execution = service.start(QuerySubmission(query=sql, statement=sql, context=context))
    deadline = time.monotonic() + 5
    while not execution.is_finished:
        assert time.monotonic() < deadline
        time.sleep(0.001)
    return execution


def test_older_results_are_read_back_from_their_files() -> None:
    recorder = _Recorder()
    service = QueryService(lambda: recorder, recorder, workers=1, results_in_memory=2)
    executions = [_run_to_end(service, f"r{i}", f"SELECT '{i}, \"{i}\"'") for i in range(4)]
    service.shutdown()
    assert [e.rows_offloaded for e in executions] == [True, True, False, False]
    assert executions[0].result.rows == ()
    assert service.result_of(executions[0]).rows == (("SELECT '0, \"0\"'",),)
    assert service.result_of(executions[3]).rows == (("SELECT '3, \"3\"'",),)
    del recorder.files["s3://b/o/r1.csv"]
    with pytest.raises(KeyError):
        service.result_of(executions[1])
