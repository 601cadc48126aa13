"""The contract between the query service (HTTP/lifecycle side) and the SQL engine.

The query service owns query ids, states, pagination and rendering; the engine owns parsing and
execution. Neither imports the other's internals: only these types cross the line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

StatementType = Literal["DDL", "DML", "UTILITY"]


def _never() -> bool:
    return False


@dataclass(frozen=True)
class QueryContext:
    """Where and for whom a statement runs (from StartQueryExecution's request)."""

    query_id: str
    account_id: str
    region: str
    catalog: str  # QueryExecutionContext.Catalog, normally "awsdatacatalog"
    database: str | None  # QueryExecutionContext.Database
    output_location: str | None  # ResultConfiguration.OutputLocation, "s3://bucket/prefix/"
    work_group: str = "primary"
    # Set by StopQueryExecution; long-running engine work should check it and raise QueryCancelled.
    cancelled: threading.Event = field(default_factory=threading.Event, compare=False)
    # Fault injection (--faults iceberg_commit=RATE): asked once per Iceberg commit; the engine
    # calls check_iceberg_commit(context, table) rather than this directly.
    should_fail_iceberg_commit: Callable[[], bool] = field(default=_never, compare=False, repr=False)


@dataclass(frozen=True)
class ResultColumn:
    """One column of a result set, typed with Athena's type names ("varchar", "bigint",
    "decimal(10,2)", "timestamp", "array(integer)", "map(varchar,bigint)", "row(a integer)")."""

    name: str
    athena_type: str
    nullable: Literal["NOT_NULL", "NULLABLE", "UNKNOWN"] = "UNKNOWN"


@dataclass
class QueryResult:
    """What a finished statement produced. Rows hold Python values (None for NULL); the
    query service renders them the way Athena does."""

    statement_type: StatementType
    columns: Sequence[ResultColumn] = ()
    rows: Sequence[tuple[Any, ...]] = ()
    update_count: int | None = None  # rows written by CTAS / INSERT / MERGE / UPDATE / DELETE
    data_scanned_bytes: int = 0
    # SELECT results carry a header row in GetQueryResults; DDL/DML results (SHOW, DESCRIBE) do not.
    has_header_row: bool = False
    # "SELECT", "CREATE_TABLE_AS_SELECT", "INSERT", "CREATE_TABLE", "DROP_TABLE", "CREATE_VIEW", ...
    substatement_type: str | None = None


class QueryCancelled(Exception):
    """Raised by the engine when QueryContext.cancelled was set while it worked."""


class AthenaQueryError(Exception):
    """A statement that FAILED, shaped like Athena reports it.

    `error_name` is Athena's error code as it appears at the start of the message
    (SYNTAX_ERROR, TABLE_NOT_FOUND, COLUMN_NOT_FOUND, ALREADY_EXISTS, HIVE_PATH_ALREADY_EXISTS,
    HIVE_TOO_MANY_OPEN_PARTITIONS, ICEBERG_COMMIT_ERROR, NOT_SUPPORTED, INVALID_FUNCTION_ARGUMENT,
    GENERIC_INTERNAL_ERROR, ...). The query service builds AthenaError
    {ErrorCategory, ErrorType, Retryable, ErrorMessage} and StateChangeReason from it.
    """

    def __init__(
        self,
        error_name: str,
        message: str,
        *,
        category: int = 2,  # 1 SYSTEM, 2 USER, 3 OTHER
        error_type: int | None = None,  # Athena's numeric ErrorType; looked up from error_name if None
        retryable: bool = False,
    ) -> None:
        super().__init__(f"{error_name}: {message}")
        self.error_name = error_name
        self.message = message
        self.category = category
        self.error_type = error_type
        self.retryable = retryable


def check_iceberg_commit(context: QueryContext, table: str) -> None:
    """Call just before an Iceberg commit: raises ICEBERG_COMMIT_ERROR (Athena error type 233,
    which clients retry by re-running the query) when fault injection says this commit fails.
    Raise before anything is committed, as a real conflicting commit leaves the table as it was."""
    if context.should_fail_iceberg_commit():
        raise AthenaQueryError(
            "ICEBERG_COMMIT_ERROR",
            f"Failed to commit Iceberg update to table {table}: injected fault "
            "(the emulator was started with --faults iceberg_commit=...)",
        )


class SqlEngine(Protocol):
    """Runs one Athena statement to completion (called on a query-service worker thread)."""

    def execute(self, sql: str, context: QueryContext) -> QueryResult:
        """Run `sql`; return its result or raise AthenaQueryError / QueryCancelled."""
        ...
