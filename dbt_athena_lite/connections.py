"""dbt's connection manager for Athena: one PyAthena connection per dbt thread, over shared AWS clients."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyathena
from dbt.adapters.contracts.connection import AdapterResponse, Connection, ConnectionState
from dbt.adapters.events.logging import AdapterLogger
from dbt.adapters.exceptions.connection import FailedToConnectError
from dbt.adapters.sql.connections import SQLConnectionManager
from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError
from pyathena.connection import Connection as PyAthenaConnection
from pyathena.error import Error as PyAthenaError
from pyathena.util import RetryConfig

from dbt_athena_lite import local_mode
from dbt_athena_lite.aws.session import AwsClients
from dbt_athena_lite.credentials import AthenaLiteCredentials, validate_threads
from dbt_athena_lite.cursor import AthenaLiteCursor, AthenaQueryFailed, RunningQueries
from dbt_athena_lite.query_comment import AthenaQueryStringSetter
from dbt_athena_lite.retry import Backoff, PollSchedule, QueryDurations, QueryPolicy, client_error_code

logger = AdapterLogger("AthenaLite")

# What to check when AWS refuses a call, by error code: the fix, not just the symptom.
_ERROR_HINTS = {
    "UnrecognizedClientException": "The access key is not valid: check the credentials in the profile.",
    "InvalidSignatureException": "The secret key does not match the access key.",
    "ExpiredTokenException": "The session token has expired: refresh it (e.g. `aws sso login`).",
    "AccessDeniedException": "The credentials lack permission for this call: see the README's IAM policy.",
    "InvalidRequestException": "Check work_group and s3_staging_dir in the profile.",
}


@dataclass
class AthenaAdapterResponse(AdapterResponse):
    data_scanned_in_bytes: int | None = None
    engine_execution_time_in_millis: int | None = None


class AthenaLiteHandle:
    """The DB-API handle dbt holds per thread: a PyAthena connection plus the queries it is running."""

    def __init__(self, connection: PyAthenaConnection[Any], running: RunningQueries) -> None:
        self.connection = connection
        self.running = running

    def cursor(self) -> AthenaLiteCursor:
        cursor: AthenaLiteCursor = self.connection.cursor()
        return cursor

    def cancel_running(self) -> list[str]:
        """Ask Athena to stop every query this handle has in flight; returns their ids."""
        stopped = self.running.snapshot()
        for query_id in stopped:
            athena: Any = self.connection.client
            athena.stop_query_execution(QueryExecutionId=query_id)
        return stopped

    def close(self) -> None:
        self.connection.close()

    def rollback(self) -> None:
        """Athena has no transactions; dbt may still call this on error paths."""


_clients_lock = threading.Lock()
_clients_by_profile: dict[str, AwsClients] = {}
_durations_by_profile: dict[str, QueryDurations] = {}


def _profile_key(creds: AthenaLiteCredentials) -> str:
    return json.dumps(creds.to_dict(), sort_keys=True, default=str)


def aws_clients(creds: AthenaLiteCredentials) -> AwsClients:
    """The process-wide AWS clients for a profile: one session (one assumed role, refreshed in one
    place) shared by every dbt thread. With `emulator: true`, the first call starts or attaches to the
    local emulator and points the profile at it."""
    with _clients_lock:
        launch = creds.emulator and not creds.endpoint_url
        if launch:
            local_mode.use_local_emulator(creds, local_mode.state_dir(creds, project_root=None))
        key = _profile_key(creds)
        if key not in _clients_by_profile:
            _clients_by_profile[key] = AwsClients(creds)
            if launch:
                local_mode.provision(creds, _clients_by_profile[key])
        return _clients_by_profile[key]


def query_policy(creds: AthenaLiteCredentials) -> QueryPolicy:
    """Every thread of a profile learns from the same recent query durations."""
    with _clients_lock:
        durations = _durations_by_profile.setdefault(_profile_key(creds), QueryDurations())
    return QueryPolicy(
        num_retries=creds.num_retries,
        num_iceberg_retries=creds.num_iceberg_retries,
        poll=PollSchedule(ceiling_seconds=creds.poll_interval),
        backoff=Backoff(),
        durations=durations,
    )


class AthenaLiteConnectionManager(SQLConnectionManager):
    TYPE = "athena_lite"

    def __init__(self, profile: Any, mp_context: Any) -> None:
        validate_threads(profile.threads)
        super().__init__(profile, mp_context)

    def set_query_header(self, query_header_context: dict[str, Any]) -> None:
        self.query_header = AthenaQueryStringSetter(self.profile, query_header_context)

    @classmethod
    def open(cls, connection: Connection) -> Connection:
        if connection.state == ConnectionState.OPEN:
            return connection
        creds: AthenaLiteCredentials = connection.credentials
        try:
            clients = aws_clients(creds)
            running = RunningQueries()
            athena = pyathena.connect(
                session=clients.session,
                region_name=creds.region_name,
                s3_staging_dir=creds.s3_staging_dir,
                work_group=creds.work_group,
                catalog_name=creds.database,
                schema_name=creds.schema,
                poll_interval=creds.poll_interval,
                endpoint_url=creds.endpoint_url,
                config=clients.config,
                # botocore retries each API call; PyAthena's own layer would multiply them.
                retry_config=RetryConfig(attempt=1),
                cursor_class=AthenaLiteCursor,
                cursor_kwargs={"policy": query_policy(creds), "running": running},
                kill_on_interrupt=True,
            )
        except Exception as error:
            connection.handle = None
            connection.state = ConnectionState.FAIL
            raise FailedToConnectError(_describe(error)) from error
        connection.handle = AthenaLiteHandle(athena, running)
        connection.state = ConnectionState.OPEN
        return connection

    def cancel(self, connection: Connection) -> None:
        handle = connection.handle
        if isinstance(handle, AthenaLiteHandle):
            for query_id in handle.cancel_running():
                logger.info(f"Cancelled Athena query {query_id} of connection {connection.name}")

    @contextmanager
    def exception_handler(self, sql: str) -> Iterator[None]:
        try:
            yield
        except AthenaQueryFailed:
            raise
        except (DbtRuntimeError, KeyboardInterrupt):
            raise
        except PyAthenaError as error:
            logger.debug(f"Athena error running: {sql}")
            raise DbtDatabaseError(_describe(error)) from error

    @classmethod
    def get_response(cls, cursor: AthenaLiteCursor) -> AthenaAdapterResponse:
        execution = cursor.last_execution
        rows = cursor.rowcount if cursor.rowcount is not None and cursor.rowcount >= 0 else None
        state = execution.state if execution is not None else None
        return AthenaAdapterResponse(
            _message=f"{state or 'OK'}{f' {rows}' if rows is not None else ''}",
            code=state,
            rows_affected=rows,
            query_id=execution.query_id if execution is not None else None,
            data_scanned_in_bytes=execution.data_scanned_in_bytes if execution is not None else None,
            engine_execution_time_in_millis=(
                execution.engine_execution_time_in_millis if execution is not None else None
            ),
        )

    @classmethod
    def data_type_code_to_name(cls, type_code: int | str) -> str:
        # PyAthena's description carries Athena's own type name ("varchar", "bigint", ...).
        return str(type_code).split("(")[0].upper()

    # Athena has no transactions: dbt's BEGIN/COMMIT become no-ops instead of failing statements.
    def add_begin_query(self) -> Any:
        return None

    def add_commit_query(self) -> Any:
        return None

    def begin(self) -> None:
        self.get_thread_connection().transaction_open = True

    def commit(self) -> None:
        self.get_thread_connection().transaction_open = False


def _describe(error: BaseException) -> str:
    code = client_error_code(error)
    hint = _ERROR_HINTS.get(code or "")
    return f"{error} {hint}" if hint else str(error)
