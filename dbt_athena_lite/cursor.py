"""PyAthena's cursor with our polling and retry policy (see retry.py), and errors that name the query.

PyAthena still does what it is good at: building requests, fetching and converting result pages,
and cancelling the query on Ctrl-C (kill_on_interrupt). The sleep function is injected so polling
and retries are tested without waiting.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from dbt_common.exceptions import DbtDatabaseError
from pyathena.cursor import Cursor
from pyathena.error import DatabaseError, OperationalError
from pyathena.model import AthenaCalculationExecution, AthenaQueryExecution
from pyathena.options import ExecuteOptions

from dbt_athena_lite.retry import (
    ERROR_CATEGORY_NAMES,
    QueryPolicy,
    client_error_code,
    is_iceberg_commit_conflict,
    is_retryable_start_error,
    statement_kind,
)

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]

# Athena refuses a QueryString longer than this many bytes (UTF-8) with an InvalidRequestException.
MAX_QUERY_BYTES = 262_144


class QueryTooLong(DbtDatabaseError):
    """A statement Athena would refuse for its length: refused before it is sent, saying what to change."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"The query is {size:,} bytes long; Athena accepts at most {MAX_QUERY_BYTES:,} bytes. "
            "Shorten the model's SQL: put long lists of values in a seed and join it, "
            "or split the model into smaller ones"
        )
        self.size = size


class AthenaQueryFailed(DbtDatabaseError):
    """A query Athena reported FAILED (or CANCELLED): carries the id, category and Athena's message."""

    def __init__(self, execution: AthenaQueryExecution) -> None:
        self.query_id = execution.query_id
        self.error_category = execution.error_category
        self.error_type = execution.error_type
        self.athena_message = execution.error_message or execution.state_change_reason or "no reason given"
        category = ERROR_CATEGORY_NAMES.get(execution.error_category or 0, "error")
        state = (execution.state or "FAILED").lower()
        super().__init__(f"Athena query {self.query_id} {state} ({category}): {self.athena_message}")


class RunningQueries:
    """Ids of queries in flight on one connection, so dbt's cancel (Ctrl-C) can stop them."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    def add(self, query_id: str) -> None:
        with self._lock:
            self._ids.add(query_id)

    def discard(self, query_id: str) -> None:
        with self._lock:
            self._ids.discard(query_id)

    def snapshot(self) -> list[str]:
        with self._lock:
            return sorted(self._ids)


class AthenaLiteCursor(Cursor):  # type: ignore[misc]
    def __init__(
        self,
        *,
        policy: QueryPolicy | None = None,
        sleep: Sleep = time.sleep,
        running: RunningQueries | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._policy = policy if policy is not None else QueryPolicy()
        self._sleep = sleep
        self._running = running if running is not None else RunningQueries()
        self._poll_delays: Iterator[float] = self._policy.poll.delays()
        self._last_execution: AthenaQueryExecution | None = None
        self._statement_kind = ""

    @property
    def last_execution(self) -> AthenaQueryExecution | None:
        """The final status of the last query, for the adapter response (bytes scanned, timings)."""
        return self._last_execution

    def execute(
        self, operation: str, parameters: dict[str, Any] | list[str] | None = None, **kwargs: Any
    ) -> AthenaLiteCursor:
        self._statement_kind = statement_kind(operation)
        attempt = 0
        while True:
            try:
                super().execute(operation, parameters, **kwargs)
                return self
            except OperationalError as error:
                execution = self._last_execution
                if execution is None or execution.state not in AthenaQueryExecution.TERMINAL_STATES:
                    raise  # a status request failed, not the query
                if (
                    is_iceberg_commit_conflict(execution.error_type, execution.error_message)
                    and attempt < self._policy.num_iceberg_retries
                ):
                    delay = self._policy.commit_backoff.delay(attempt)
                    logger.warning(
                        "Query %s lost an Iceberg commit race; re-running in %.2fs (retry %d of %d)",
                        execution.query_id,
                        delay,
                        attempt + 1,
                        self._policy.num_iceberg_retries,
                    )
                    self._sleep(delay)
                    attempt += 1
                    continue
                raise AthenaQueryFailed(execution) from error

    # --- hooks into PyAthena's execute() -------------------------------------------------------

    def _start_query_execution(self, request: dict[str, Any]) -> str:
        # One token for every re-submission: if a start "failed" after Athena accepted it, the retry
        # returns the same query instead of running it twice.
        size = len(str(request.get("QueryString", "")).encode("utf-8"))
        if size > MAX_QUERY_BYTES:
            raise QueryTooLong(size)
        request = {**request, "ClientRequestToken": str(uuid.uuid4())}
        attempt = 0
        while True:
            try:
                query_id: str = super()._start_query_execution(request)
            except DatabaseError as error:
                if not is_retryable_start_error(error) or attempt >= self._policy.num_retries:
                    raise
                delay = self._policy.backoff.delay(attempt)
                logger.info(
                    "StartQueryExecution answered %s; retrying in %.2fs (%d of %d)",
                    client_error_code(error),
                    delay,
                    attempt + 1,
                    self._policy.num_retries,
                )
                self._sleep(delay)
                attempt += 1
                continue
            self._running.add(query_id)
            return query_id

    def _poll(
        self, query_id: str, options: ExecuteOptions | None = None
    ) -> AthenaQueryExecution | AthenaCalculationExecution:
        self._poll_delays = self._policy.poll.delays(self._policy.durations.quickest(self._statement_kind))
        try:
            execution = super()._poll(query_id, options)
        finally:
            self._running.discard(query_id)
        if isinstance(execution, AthenaQueryExecution):
            self._last_execution = execution
            self._record_duration(execution)
        return execution

    def _poll_until_terminal(self, query_id: str) -> AthenaQueryExecution | AthenaCalculationExecution:
        # No query is done the moment it starts: wait before the first status check too.
        self._wait_poll_interval()
        return super()._poll_until_terminal(query_id)

    def _record_duration(self, execution: AthenaQueryExecution) -> None:
        submitted, completed = execution.submission_date_time, execution.completion_date_time
        if execution.state == AthenaQueryExecution.STATE_SUCCEEDED and submitted and completed:
            self._policy.durations.record(self._statement_kind, (completed - submitted).total_seconds())

    def _wait_poll_interval(self) -> None:
        self._sleep(next(self._poll_delays))
