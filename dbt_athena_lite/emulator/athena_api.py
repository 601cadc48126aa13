"""The Athena JSON actions the emulator answers itself (queries and catalog metadata).

Requests arrive as `X-Amz-Target: AmazonAthena.<Action>` with a JSON body; each handler
takes the decoded body and returns the decoded response. Workgroup actions are not here:
moto answers them, and StartQueryExecution reads the workgroup back from moto.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

from dbt_athena_lite.emulator.api_errors import (
    JSON_CONTENT_TYPE,
    AthenaApiError,
    response_for,
)
from dbt_athena_lite.emulator.athena_metadata import CatalogActions, check_catalog, data_catalog
from dbt_athena_lite.emulator.engine.api import QueryContext
from dbt_athena_lite.emulator.internal_clients import InternalClients
from dbt_athena_lite.emulator.parameters import ParameterCountError, substitute_parameters
from dbt_athena_lite.emulator.query_service import (
    SUCCEEDED,
    IdempotencyMismatchError,
    QueryExecution,
    QueryService,
    QuerySubmission,
    UnknownQueryError,
    execution_statistics,
    new_query_id,
)
from dbt_athena_lite.emulator.results import page_rows

DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account: Glue and S3 live there too
DEFAULT_WORK_GROUP = "primary"
MAX_QUERY_LENGTH = 262_144  # bytes of UTF-8
ENGINE_VERSION = {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"}

HttpResponse = tuple[int, list[tuple[str, str]], bytes]
Handler = Callable[[dict[str, Any], str], dict[str, Any]]


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # the JSON protocols send timestamps as epoch seconds
        return value.timestamp()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _no_fault() -> bool:
    return False


def _invalid(message: str) -> AthenaApiError:
    return AthenaApiError("InvalidRequestException", message)


def _required(request: dict[str, Any], member: str) -> str:
    """A required request member (botocore checks them; raw HTTP callers may not)."""
    value = request.get(member)
    if not value:
        raise _invalid(f"{member} is required.")
    return str(value)


def encode_token(scope: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{scope}".encode()).decode()


def decode_token(scope: str, token: str | None) -> int:
    """The offset a NextToken stands for; 0 without one. A token from another listing fails."""
    if not token:
        return 0
    try:
        offset, _, token_scope = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if token_scope == scope:
            return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise _invalid("The NextToken is not valid for this request.")


def _paginate(
    items: Sequence[Any], scope: str, request: dict[str, Any], key: str, limit: int
) -> dict[str, Any]:
    """One page of `items` under `key`, sized by the request's MaxResults (at most `limit`)."""
    start = decode_token(scope, request.get("NextToken"))
    end = start + min(int(request.get("MaxResults") or limit), limit)
    response: dict[str, Any] = {key: list(items[start:end])}
    if end < len(items):
        response["NextToken"] = encode_token(scope, end)
    return response


def query_execution_shape(execution: QueryExecution) -> dict[str, Any]:
    """The QueryExecution structure of GetQueryExecution / BatchGetQueryExecution."""
    status: dict[str, Any] = {"State": execution.state, "SubmissionDateTime": execution.submitted_at}
    if execution.state_change_reason:
        status["StateChangeReason"] = execution.state_change_reason
    if execution.completed_at:
        status["CompletionDateTime"] = execution.completed_at
    if execution.failure:
        status["AthenaError"] = execution.failure.athena_error()
    context: dict[str, str] = {"Catalog": execution.context.catalog}
    if execution.context.database:
        context["Database"] = execution.context.database
    shape: dict[str, Any] = {
        "QueryExecutionId": execution.query_id,
        "Query": execution.query,
        "StatementType": execution.statement_type,
        "ResultConfiguration": {"OutputLocation": execution.output_location}
        if execution.output_location
        else {},
        "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
        "QueryExecutionContext": context,
        "Status": status,
        "Statistics": {
            **execution_statistics(execution),
            "ResultReuseInformation": {"ReusedPreviousResult": False},
        },
        "WorkGroup": execution.context.work_group,
        "EngineVersion": ENGINE_VERSION,
    }
    if execution.substatement_type:
        shape["SubstatementType"] = execution.substatement_type
    if execution.execution_parameters:
        shape["ExecutionParameters"] = list(execution.execution_parameters)
    return shape


class AthenaApi:
    """Answers the Athena actions listed in its handler table (see `handles`)."""

    def __init__(
        self,
        queries: QueryService,
        clients: InternalClients,
        account_id: str = DEFAULT_ACCOUNT_ID,
        *,
        should_fail_iceberg_commit: Callable[[], bool] = _no_fault,
    ) -> None:
        self._queries = queries
        self._iceberg_commit_fault = should_fail_iceberg_commit
        self._clients = clients
        self._account_id = account_id
        # Workgroups live in moto; each StartQueryExecution needs one. They are cached and
        # forgotten whenever a request may have changed them (see forget_work_groups).
        self._work_groups: dict[tuple[str, str], dict[str, Any]] = {}
        self._work_groups_generation = 0
        self._work_groups_lock = threading.Lock()
        self._handlers: dict[str, Handler] = {
            "StartQueryExecution": self.start_query_execution,
            "GetQueryExecution": self.get_query_execution,
            "BatchGetQueryExecution": self.batch_get_query_execution,
            "ListQueryExecutions": self.list_query_executions,
            "StopQueryExecution": self.stop_query_execution,
            "GetQueryResults": self.get_query_results,
            "GetQueryRuntimeStatistics": self.get_query_runtime_statistics,
            "GetTableMetadata": self.get_table_metadata,
            "ListTableMetadata": self.list_table_metadata,
            "GetDatabase": self.get_database,
            "ListDatabases": self.list_databases,
            "GetDataCatalog": self.get_data_catalog,
            "ListDataCatalogs": self.list_data_catalogs,
        }

    def handles(self, action: str) -> bool:
        return action in self._handlers

    def handle(self, action: str, body: bytes, region: str) -> HttpResponse:
        try:
            request = json.loads(body or b"{}")
            if not isinstance(request, dict):
                raise _invalid("The request body must be a JSON object.")
            response = self._handlers[action](request, region)
        except AthenaApiError as error:
            return response_for(error)
        except json.JSONDecodeError as error:
            return response_for(_invalid(f"The request body is not valid JSON: {error}"))
        payload = json.dumps(response, default=_json_default).encode("utf-8")
        return 200, [("Content-Type", JSON_CONTENT_TYPE)], payload

    # ------------------------------------------------------------ query lifecycle

    def forget_work_groups(self) -> None:
        """Call after a request that may have created, changed or deleted a workgroup."""
        with self._work_groups_lock:
            self._work_groups.clear()
            self._work_groups_generation += 1

    def _work_group(self, name: str, region: str) -> dict[str, Any]:
        key = (region, name)
        with self._work_groups_lock:
            cached = self._work_groups.get(key)
            generation = self._work_groups_generation
        if cached is None:
            try:
                cached = self._clients.athena(region).get_work_group(WorkGroup=name).get("WorkGroup")
            except ClientError:
                cached = None
            if not cached:
                raise _invalid(f"WorkGroup {name} is not found.")
            with self._work_groups_lock:
                # Not if a change was made meanwhile: what was read may predate it.
                if generation == self._work_groups_generation:
                    self._work_groups[key] = cached
        if cached.get("State", "ENABLED") != "ENABLED":
            raise _invalid(f"WorkGroup {name} is disabled.")
        return dict(cached)

    @staticmethod
    def _output_location(request: dict[str, Any], work_group: dict[str, Any]) -> str:
        """The request's OutputLocation, else the workgroup's; the workgroup's always when it
        enforces its configuration (AWS's default for a new workgroup, and moto's)."""
        configuration = work_group.get("Configuration") or {}
        group_location = (configuration.get("ResultConfiguration") or {}).get("OutputLocation")
        asked = (request.get("ResultConfiguration") or {}).get("OutputLocation")
        enforced = bool(configuration.get("EnforceWorkGroupConfiguration", True))
        location = (group_location or asked) if enforced else (asked or group_location)
        if not location:
            raise _invalid(
                "No output location provided. An output location is required either through "
                "the Workgroup result configuration setting or as an API input."
            )
        if not str(location).startswith("s3://"):
            raise _invalid(f"OutputLocation must be an s3:// URI, got {location!r}.")
        return str(location)

    def start_query_execution(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        query = request.get("QueryString") or ""
        if not query.strip():
            raise _invalid("QueryString must not be empty.")
        if len(query.encode("utf-8")) > MAX_QUERY_LENGTH:
            raise _invalid(f"QueryString is longer than Athena's limit of {MAX_QUERY_LENGTH} bytes.")
        name = request.get("WorkGroup") or DEFAULT_WORK_GROUP
        location = self._output_location(request, self._work_group(name, region))
        parameters = tuple(str(p) for p in request.get("ExecutionParameters") or ())
        try:
            statement = substitute_parameters(query, parameters) if parameters else query
        except ParameterCountError as error:
            raise _invalid(str(error)) from None
        execution_context = request.get("QueryExecutionContext") or {}
        catalog = execution_context.get("Catalog") or "awsdatacatalog"
        check_catalog(catalog)
        context = QueryContext(
            query_id=new_query_id(),
            account_id=self._account_id,
            region=region,
            catalog=catalog,
            database=execution_context.get("Database"),
            output_location=location,
            work_group=name,
            should_fail_iceberg_commit=self._iceberg_commit_fault,
        )
        submission = QuerySubmission(
            query=query,
            statement=statement,
            context=context,
            execution_parameters=parameters,
            client_request_token=request.get("ClientRequestToken"),
        )
        try:
            execution = self._queries.start(submission)
        except IdempotencyMismatchError as error:
            raise _invalid(str(error)) from None
        return {"QueryExecutionId": execution.query_id}

    def _execution(self, request: dict[str, Any]) -> QueryExecution:
        query_id = _required(request, "QueryExecutionId")
        try:
            return self._queries.get(query_id)
        except UnknownQueryError:
            raise _invalid(f"QueryExecution {query_id} was not found") from None

    def get_query_execution(self, request: dict[str, Any], _region: str) -> dict[str, Any]:
        return {"QueryExecution": query_execution_shape(self._execution(request))}

    def batch_get_query_execution(self, request: dict[str, Any], _region: str) -> dict[str, Any]:
        found, missing = [], []
        for query_id in request.get("QueryExecutionIds") or []:
            try:
                found.append(query_execution_shape(self._queries.get(query_id)))
            except UnknownQueryError:
                missing.append(
                    {
                        "QueryExecutionId": query_id,
                        "ErrorCode": "InvalidRequestException",
                        "ErrorMessage": f"QueryExecution {query_id} was not found",
                    }
                )
        return {"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing}

    def list_query_executions(self, request: dict[str, Any], _region: str) -> dict[str, Any]:
        """Newest first. The token names the last query returned, so queries started while
        a client pages do not shift the pages."""
        name = request.get("WorkGroup") or DEFAULT_WORK_GROUP
        scope = f"list:{name}"
        executions = list(self._queries.newest_first(name))
        if request.get("NextToken"):
            before = decode_token(scope, request["NextToken"])
            executions = [e for e in executions if e.sequence < before]
        limit = min(int(request.get("MaxResults") or 50), 50)
        page = executions[:limit]
        response: dict[str, Any] = {"QueryExecutionIds": [e.query_id for e in page]}
        if len(executions) > limit:
            response["NextToken"] = encode_token(scope, page[-1].sequence)
        return response

    def stop_query_execution(self, request: dict[str, Any], _region: str) -> dict[str, Any]:
        self._queries.stop(self._execution(request).query_id)
        return {}

    def _succeeded(self, request: dict[str, Any]) -> QueryExecution:
        execution = self._execution(request)
        if execution.state in ("QUEUED", "RUNNING"):
            raise _invalid(f"Query has not yet finished. Current state: {execution.state}")
        if execution.state != SUCCEEDED or execution.result is None:
            reason = f": {execution.state_change_reason}" if execution.state_change_reason else ""
            raise _invalid(f"Query did not finish successfully. Final query state: {execution.state}{reason}")
        return execution

    def get_query_results(self, request: dict[str, Any], _region: str) -> dict[str, Any]:
        execution = self._succeeded(request)
        try:
            result = self._queries.result_of(execution)
        except ClientError as error:  # the result file was deleted or cannot be read
            raise _invalid(
                f"Unable to read the results of query {execution.query_id} from "
                f"{execution.output_location}: {error}"
            ) from None
        max_results = int(request.get("MaxResults") or 1000)
        if not 1 <= max_results <= 1000:
            raise _invalid("MaxResults must be between 1 and 1000.")
        start = decode_token(execution.query_id, request.get("NextToken"))
        rows, next_offset = page_rows(result, start, max_results)
        response: dict[str, Any] = {
            "ResultSet": {"Rows": rows, "ResultSetMetadata": {"ColumnInfo": list(result.columns)}}
        }
        if result.update_count is not None:
            response["UpdateCount"] = result.update_count
        if next_offset is not None:
            response["NextToken"] = encode_token(execution.query_id, next_offset)
        return response

    def get_query_runtime_statistics(self, request: dict[str, Any], _region: str) -> dict[str, Any]:
        execution = self._execution(request)
        timings = execution_statistics(execution)
        timeline = {
            key: timings[key]
            for key in (
                "QueryQueueTimeInMillis",
                "ServicePreProcessingTimeInMillis",
                "QueryPlanningTimeInMillis",
                "EngineExecutionTimeInMillis",
                "ServiceProcessingTimeInMillis",
                "TotalExecutionTimeInMillis",
            )
        }
        output_rows = execution.output_rows
        return {
            "QueryRuntimeStatistics": {
                "Timeline": timeline,
                "Rows": {
                    "InputRows": output_rows if execution.statement_type == "DML" else 0,
                    "InputBytes": execution.data_scanned_bytes,
                    "OutputBytes": execution.output_bytes,
                    "OutputRows": output_rows,
                },
            }
        }

    # ------------------------------------------------------------ catalog metadata

    def _catalog(self, request: dict[str, Any], region: str) -> CatalogActions:
        check_catalog(request.get("CatalogName"))
        return CatalogActions(self._clients.for_region(region).glue)

    def get_table_metadata(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        catalog = self._catalog(request, region)
        metadata = catalog.get_table_metadata(
            _required(request, "DatabaseName"), _required(request, "TableName")
        )
        return {"TableMetadata": metadata}

    def list_table_metadata(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        database = _required(request, "DatabaseName")
        tables = self._catalog(request, region).list_table_metadata(database, request.get("Expression"))
        return _paginate(tables, f"tables:{database}", request, "TableMetadataList", limit=50)

    def get_database(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        return {"Database": self._catalog(request, region).get_database(_required(request, "DatabaseName"))}

    def list_databases(self, request: dict[str, Any], region: str) -> dict[str, Any]:
        databases = self._catalog(request, region).list_databases()
        return _paginate(databases, "databases", request, "DatabaseList", limit=50)

    def get_data_catalog(self, request: dict[str, Any], _region: str) -> dict[str, Any]:
        check_catalog(request.get("Name"))
        return {"DataCatalog": data_catalog(self._account_id)}

    def list_data_catalogs(self, _request: dict[str, Any], _region: str) -> dict[str, Any]:
        return {"DataCatalogsSummary": [{"CatalogName": "AwsDataCatalog", "Type": "GLUE"}]}
