"""The AthenaError of a FAILED query: error names mapped to Athena's numeric ErrorType.

Athena's "error catalog" (docs: athena/latest/ug/error-reference.html) lists the numeric
types with a short description each (1 SYSTEM, 2 USER, 3 OTHER for the category). It does
not list which engine error name yields which number, so this table is our choice, made
from those descriptions; the one clients act on is ICEBERG_COMMIT_ERROR = 233 ("Iceberg
error"), which dbt adapters retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbt_athena_lite.emulator.engine.api import AthenaQueryError

CATEGORY_SYSTEM = 1
CATEGORY_USER = 2

USER_ERROR = 1000  # "User error": any user error without a closer type
GENERIC_INTERNAL_ERROR_TYPE = 200  # "Query engine had an internal error"

ERROR_TYPES: dict[str, int] = {
    "SYNTAX_ERROR": 1006,  # "Syntax error"
    "NOT_SUPPORTED": 1006,
    "MALFORMED_QUERY": 1006,
    "TABLE_NOT_FOUND": 1004,  # "Schema error": the named object does not exist or does not fit
    "SCHEMA_NOT_FOUND": 1004,
    "COLUMN_NOT_FOUND": 1004,
    "TYPE_MISMATCH": 1004,
    "FUNCTION_NOT_FOUND": 1004,
    "ALREADY_EXISTS": 1003,  # "DDL task failed"
    "HIVE_PATH_ALREADY_EXISTS": 1003,
    "INVALID_FUNCTION_ARGUMENT": 1001,  # "Data error"
    "INVALID_CAST_ARGUMENT": 1001,
    "DIVISION_BY_ZERO": 1001,
    "NUMERIC_VALUE_OUT_OF_RANGE": 1001,
    "HIVE_BAD_DATA": 1001,
    "HIVE_TOO_MANY_OPEN_PARTITIONS": USER_ERROR,
    "ICEBERG_COMMIT_ERROR": 233,  # "Iceberg error"
    "GENERIC_INTERNAL_ERROR": GENERIC_INTERNAL_ERROR_TYPE,
}
RESULT_WRITE_ERROR_TYPE = 401  # "Failed to write query results to Amazon S3"


@dataclass(frozen=True)
class QueryFailure:
    """Why a query FAILED: StateChangeReason and AthenaError."""

    error_name: str
    message: str
    category: int
    error_type: int
    retryable: bool

    @property
    def state_change_reason(self) -> str:
        return f"{self.error_name}: {self.message}"

    def athena_error(self) -> dict[str, Any]:
        return {
            "ErrorCategory": self.category,
            "ErrorType": self.error_type,
            "Retryable": self.retryable,
            "ErrorMessage": self.state_change_reason,
        }


def failure_from_athena_error(error: AthenaQueryError) -> QueryFailure:
    error_type = error.error_type
    if error_type is None:
        default = GENERIC_INTERNAL_ERROR_TYPE if error.category == CATEGORY_SYSTEM else USER_ERROR
        error_type = ERROR_TYPES.get(error.error_name, default)
    return QueryFailure(
        error_name=error.error_name,
        message=error.message,
        category=error.category,
        error_type=error_type,
        retryable=error.retryable,
    )


def failure_from_exception(error: BaseException) -> QueryFailure:
    """An unexpected engine exception: a SYSTEM error carrying the exception's text."""
    text = str(error) or type(error).__name__
    return QueryFailure(
        error_name="GENERIC_INTERNAL_ERROR",
        message=text,
        category=CATEGORY_SYSTEM,
        error_type=GENERIC_INTERNAL_ERROR_TYPE,
        retryable=False,
    )


def failure_writing_results(location: str, error: BaseException) -> QueryFailure:
    """The result file could not be written: most often the output bucket does not exist,
    which the user fixes, hence a USER error."""
    return QueryFailure(
        error_name="S3_WRITE_ERROR",
        message=f"Unable to write query results to {location}: {error}",
        category=CATEGORY_USER,
        error_type=RESULT_WRITE_ERROR_TYPE,
        retryable=False,
    )
