"""Query executions: ids, states, the worker pool, cancellation and result files.

Every StartQueryExecution becomes a QueryExecution that moves QUEUED -> RUNNING ->
SUCCEEDED | FAILED | CANCELLED on a worker thread, as in Athena; clients poll it. A finished
execution has written its result to its output location (`<id>.csv`, or `<id>.txt` for DDL,
SHOW and DESCRIBE) like Athena does, and keeps it rendered for GetQueryResults.

With a minimum latency (`--query-latency`), a query that finishes early keeps showing
QUEUED / RUNNING until `submitted + latency`: its final state is dated then and revealed
lazily, when a client asks, so no thread waits for the deadline.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import count, islice
from typing import Protocol

from dbt_athena_lite.emulator.engine.api import (
    AthenaQueryError,
    QueryCancelled,
    QueryContext,
    SqlEngine,
    StatementType,
)
from dbt_athena_lite.emulator.error_catalog import (
    QueryFailure,
    failure_from_athena_error,
    failure_from_exception,
    failure_writing_results,
)
from dbt_athena_lite.emulator.results import (
    RenderedResult,
    csv_bytes,
    parse_csv_rows,
    parse_txt_rows,
    render_result,
    txt_bytes,
)

logger = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"
FINISHED_STATES = frozenset({SUCCEEDED, FAILED, CANCELLED})

# Athena knows a statement's type when it accepts it; the engine reports the exact type
# when it finishes. Until then the leading keyword decides, by Athena's definitions: DDL
# changes the catalog, UTILITY inspects it (SHOW, DESCRIBE, EXPLAIN), DML is the rest
# (including CREATE TABLE AS SELECT, which the engine corrects when it finishes).
_DDL_KEYWORDS = frozenset({"CREATE", "DROP", "ALTER", "MSCK"})
_UTILITY_KEYWORDS = frozenset({"SHOW", "DESCRIBE", "DESC", "EXPLAIN"})
# Statements that are not DML but still produce a CSV result set with a header.
_CSV_SUBSTATEMENTS = frozenset({"CREATE_TABLE_AS_SELECT", "EXPLAIN", "EXPLAIN_ANALYZE"})


# dbt puts a /* query comment */ first; Athena classifies by the statement after it.
_LEADING_COMMENTS = re.compile(r"\A(?:\s+|\(|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)


def guess_statement_type(sql: str) -> StatementType:
    leading = _LEADING_COMMENTS.match(sql)
    words = sql[leading.end() if leading else 0 :].split(None, 1)
    keyword = words[0].upper() if words else ""
    if keyword in _DDL_KEYWORDS:
        return "DDL"
    if keyword in _UTILITY_KEYWORDS:
        return "UTILITY"
    return "DML"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _millis(start: dt.datetime | None, end: dt.datetime | None) -> int:
    if start is None or end is None:
        return 0
    return max(0, round((end - start).total_seconds() * 1000))


class ResultStore(Protocol):
    """Where result files live: s3:// locations, in the query's region."""

    def write(self, location: str, body: bytes, region: str) -> None: ...

    def read(self, location: str, region: str) -> bytes: ...


@dataclass
class QueryExecution:
    """One query's record; mutated only under QueryService's lock."""

    query_id: str
    query: str  # the QueryString as given (with its `?` placeholders)
    statement: str  # what runs: `query` with the ExecutionParameters substituted
    context: QueryContext
    statement_type: StatementType
    execution_parameters: tuple[str, ...] = ()
    client_request_token: str | None = None
    sequence: int = 0  # order of submission, for listings that stay stable as queries arrive
    state: str = QUEUED
    submitted_at: dt.datetime = field(default_factory=_now)
    started_at: dt.datetime | None = None
    engine_finished_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    substatement_type: str | None = None
    failure: QueryFailure | None = None
    state_change_reason: str | None = None
    result: RenderedResult | None = None
    rows_offloaded: bool = False  # result.rows dropped from memory: read back from the file
    data_scanned_bytes: int = 0
    output_bytes: int = 0
    output_rows: int = 0  # rows of the result set, or the UpdateCount of CTAS / INSERT

    @property
    def output_location(self) -> str | None:
        """`<location>/<id>.csv`, or `.txt` (tab-separated, no header) for DDL and for
        SHOW / DESCRIBE, as Athena names them."""
        base = self.context.output_location
        if not base:
            return None
        is_text = self.substatement_type not in _CSV_SUBSTATEMENTS and self.statement_type != "DML"
        suffix = "txt" if is_text else "csv"
        return f"{base.rstrip('/')}/{self.query_id}.{suffix}"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    def as_seen_at(self, now: dt.datetime) -> QueryExecution:
        """This execution as a client sees it at `now`: a final state dated later (held for
        the minimum latency) still looks in progress."""
        if self.completed_at is None or self.completed_at <= now:
            return self
        return replace(
            self,
            state=RUNNING if self.started_at else QUEUED,
            completed_at=None,
            engine_finished_at=None,
            failure=None,
            state_change_reason=None,
            result=None,
        )


class IdempotencyMismatchError(ValueError):
    """A ClientRequestToken reused with a different QueryString."""


class UnknownQueryError(KeyError):
    """No execution has this id (never started, or dropped from the bounded history)."""


@dataclass(frozen=True)
class QuerySubmission:
    """What StartQueryExecution asked for, once validated."""

    query: str
    statement: str
    context: QueryContext
    execution_parameters: tuple[str, ...] = ()
    client_request_token: str | None = None


class QueryService:
    """Runs statements on a worker pool and keeps the newest `max_executions` records.

    Rows of the newest `results_in_memory` results stay in memory; older ones are read back
    from their result file when asked for, as Athena reads GetQueryResults from S3."""

    def __init__(
        self,
        engine_provider: Callable[[], SqlEngine],
        result_store: ResultStore,
        *,
        workers: int = 8,
        max_executions: int = 10_000,
        results_in_memory: int = 1_000,
        min_latency: float = 0.0,
    ) -> None:
        self._engine_provider = engine_provider
        self._result_store = result_store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="athena-query")
        self._max_executions = max_executions
        self._results_in_memory = results_in_memory
        self._min_latency = dt.timedelta(seconds=max(0.0, min_latency))
        self._lock = threading.Lock()
        self._executions: OrderedDict[str, QueryExecution] = OrderedDict()
        self._ids_by_token: dict[str, str] = {}
        self._sequence = count(1)
        self._holding_rows: deque[QueryExecution] = deque()

    # ------------------------------------------------------------ requests

    def start(self, submission: QuerySubmission) -> QueryExecution:
        """Queue a statement; the same ClientRequestToken returns the first execution (and
        is refused with a different QueryString, as Athena does)."""
        with self._lock:
            token = submission.client_request_token
            if token and token in self._ids_by_token:
                earlier = self._executions[self._ids_by_token[token]]
                if earlier.query != submission.query:
                    raise IdempotencyMismatchError(
                        f"ClientRequestToken {token} was already used with a different QueryString "
                        f"(query {earlier.query_id}); use a new token for a new query."
                    )
                return earlier
            execution = QueryExecution(
                query_id=submission.context.query_id,
                query=submission.query,
                statement=submission.statement,
                context=submission.context,
                statement_type=guess_statement_type(submission.statement),
                execution_parameters=submission.execution_parameters,
                client_request_token=token,
                sequence=next(self._sequence),
            )
            self._executions[execution.query_id] = execution
            if token:
                self._ids_by_token[token] = execution.query_id
            self._forget_oldest_finished()
        self._pool.submit(self._run, execution)
        return execution

    def get(self, query_id: str) -> QueryExecution:
        """The execution as a client sees it now (see QueryExecution.as_seen_at)."""
        with self._lock:
            return self._record(query_id).as_seen_at(_now())

    def _record(self, query_id: str) -> QueryExecution:
        """The execution itself; the caller holds the lock."""
        try:
            return self._executions[query_id]
        except KeyError:
            raise UnknownQueryError(query_id) from None

    def stop(self, query_id: str) -> None:
        """Cancel: a queued query never runs; a running one is told through its context; one
        whose result is still held for the minimum latency is cancelled as the client sees it."""
        now = _now()
        with self._lock:
            execution = self._record(query_id)
            execution.context.cancelled.set()
            if execution.as_seen_at(now) is not execution:
                execution.result = None
                execution.failure = None
                self._finish(execution, CANCELLED, reason="Query cancelled by user", at=now)
                return
        self._end(execution, CANCELLED, reason="Query cancelled by user")

    def result_of(self, execution: QueryExecution) -> RenderedResult:
        """A SUCCEEDED execution's result, its rows read back from the result file if they
        were dropped from memory (the store's errors, e.g. a deleted file, propagate)."""
        result = execution.result
        if result is None:
            raise ValueError(f"query {execution.query_id} has no result")
        location = execution.output_location
        if not execution.rows_offloaded or location is None:
            return result
        data = self._result_store.read(location, execution.context.region)
        rows = parse_txt_rows(data) if location.endswith(".txt") else parse_csv_rows(data)
        return replace(result, rows=tuple(rows))

    def newest_first(self, work_group: str) -> Iterator[QueryExecution]:
        with self._lock:
            executions = list(self._executions.values())
        return (e for e in reversed(executions) if e.context.work_group == work_group)

    def shutdown(self) -> None:
        with self._lock:
            for execution in self._executions.values():
                execution.context.cancelled.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # ------------------------------------------------------------ worker side

    def _run(self, execution: QueryExecution) -> None:
        with self._lock:
            if execution.is_finished:  # stopped while it was queued
                return
            execution.state = RUNNING
            execution.started_at = _now()
        try:
            result = self._engine_provider().execute(execution.statement, execution.context)
            rendered = render_result(result)
        except QueryCancelled:
            self._end(execution, CANCELLED, reason="Query cancelled by user")
            return
        except AthenaQueryError as error:
            self._fail(execution, failure_from_athena_error(error))
            return
        except Exception as error:  # an engine bug must fail the query, not the worker
            logger.exception("engine error in query %s", execution.query_id)
            self._fail(execution, failure_from_exception(error))
            return
        with self._lock:
            execution.engine_finished_at = _now()
            execution.statement_type = result.statement_type
            execution.substatement_type = result.substatement_type
            execution.data_scanned_bytes = result.data_scanned_bytes
            execution.output_rows = (
                result.update_count if result.update_count is not None else len(result.rows)
            )
        try:
            self._write_output(execution, rendered)
        except Exception as error:
            self._fail(execution, failure_writing_results(str(execution.output_location), error))
            return
        with self._lock:
            if not execution.is_finished:
                execution.result = rendered
                self._finish(execution, SUCCEEDED)
                self._holding_rows.append(execution)
                self._offload_oldest_rows()

    def _write_output(self, execution: QueryExecution, rendered: RenderedResult) -> None:
        location = execution.output_location
        if location is None or execution.context.cancelled.is_set():
            return
        body = txt_bytes(rendered.rows) if location.endswith(".txt") else csv_bytes(rendered)
        started = time.perf_counter()
        self._result_store.write(location, body, execution.context.region)
        execution.output_bytes = len(body)
        logger.debug(
            "wrote %s (%d bytes, %.1f ms)", location, len(body), (time.perf_counter() - started) * 1e3
        )

    def _fail(self, execution: QueryExecution, failure: QueryFailure) -> None:
        with self._lock:
            if not execution.is_finished:
                execution.failure = failure
                self._finish(execution, FAILED, reason=failure.state_change_reason)

    def _end(self, execution: QueryExecution, state: str, reason: str | None = None) -> None:
        """Move to a final state, unless the query already reached one (a stop wins). A
        cancel is dated when it happens: the minimum latency holds only results."""
        with self._lock:
            if not execution.is_finished:
                self._finish(execution, state, reason, at=_now() if state == CANCELLED else None)

    def _finish(
        self, execution: QueryExecution, state: str, reason: str | None = None, at: dt.datetime | None = None
    ) -> None:
        """Set a final state, dated no earlier than the minimum latency allows (a cancel gives
        `at`, the moment it was asked); the caller holds the lock."""
        execution.state = state
        execution.state_change_reason = reason
        execution.completed_at = at or max(_now(), execution.submitted_at + self._min_latency)

    def _offload_oldest_rows(self) -> None:
        """Keep memory bounded: drop the rows of the oldest results beyond the limit (their
        result files keep them). The caller holds the lock."""
        while len(self._holding_rows) > self._results_in_memory:
            oldest = self._holding_rows.popleft()
            if oldest.result is not None and oldest.output_location:
                oldest.result = replace(oldest.result, rows=())
                oldest.rows_offloaded = True

    def _forget_oldest_finished(self) -> None:
        """Keep memory bounded: drop the oldest finished executions beyond the limit."""
        excess = len(self._executions) - self._max_executions
        if excess <= 0:
            return
        oldest_finished = (q for q, e in self._executions.items() if e.is_finished)
        for query_id in list(islice(oldest_finished, excess)):
            dropped = self._executions.pop(query_id)
            if dropped.client_request_token:
                self._ids_by_token.pop(dropped.client_request_token, None)


def new_query_id() -> str:
    return str(uuid.uuid4())


def execution_statistics(execution: QueryExecution) -> dict[str, int]:
    """Athena's QueryExecutionStatistics, from the execution's own timeline."""
    end = execution.completed_at
    engine_end = execution.engine_finished_at or end
    return {
        "EngineExecutionTimeInMillis": _millis(execution.started_at, engine_end),
        "DataScannedInBytes": execution.data_scanned_bytes,
        "TotalExecutionTimeInMillis": _millis(execution.submitted_at, end),
        "QueryQueueTimeInMillis": _millis(execution.submitted_at, execution.started_at or end),
        "QueryPlanningTimeInMillis": 0,
        "ServicePreProcessingTimeInMillis": 0,
        "ServiceProcessingTimeInMillis": _millis(engine_end, end),
    }
