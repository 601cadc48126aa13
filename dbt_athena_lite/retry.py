"""Retry and polling policy for Athena queries: pure decisions, no I/O, no sleeping.

Three layers, each with one job, so retries never multiply silently:
- botocore (num_boto3_retries): every single API call, throttling and 5xx, with its own backoff.
- StartQueryExecution (num_retries): re-submission when Athena is throttling or failing internally
  after botocore gave up; idempotent through one ClientRequestToken per logical query.
- whole query (num_iceberg_retries): re-run only after ICEBERG_COMMIT_ERROR, when a concurrent
  Iceberg commit won and nothing of ours was committed. User errors are never retried.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

# Athena's AthenaError.ErrorType for ICEBERG_COMMIT_ERROR (its error catalog).
ICEBERG_COMMIT_ERROR_TYPE = 233
ERROR_CATEGORY_NAMES = {1: "system error", 2: "user error", 3: "other error"}
# Re-runs after ICEBERG_COMMIT_ERROR. Each round of a commit race has one winner, so a table that
# every dbt thread writes at once (post-hooks into a shared audit table) needs about `threads - 1`
# re-runs for the unluckiest writer; 10 covers threads=8 with room for the backoff's randomness.
DEFAULT_ICEBERG_RETRIES = 10

# Error codes worth re-submitting a StartQueryExecution for: capacity and transient server faults.
RETRYABLE_START_ERROR_CODES = frozenset(
    {
        "TooManyRequestsException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "InternalServerException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


def client_error_code(error: BaseException | None) -> str | None:
    """The AWS error code behind an exception (PyAthena wraps botocore's ClientError as __cause__)."""
    while error is not None:
        if isinstance(error, ClientError):
            return str(error.response.get("Error", {}).get("Code", "")) or None
        error = error.__cause__
    return None


def is_retryable_start_error(error: BaseException) -> bool:
    return client_error_code(error) in RETRYABLE_START_ERROR_CODES


def is_iceberg_commit_conflict(error_type: int | None, message: str | None) -> bool:
    return error_type == ICEBERG_COMMIT_ERROR_TYPE or (message or "").startswith("ICEBERG_COMMIT_ERROR")


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base * 2**n))."""

    base_seconds: float = 0.5
    cap_seconds: float = 20.0
    random_fraction: Callable[[], float] = field(default=random.random, compare=False)

    def delay(self, attempt: int) -> float:
        return self.random_fraction() * min(self.cap_seconds, self.base_seconds * 2.0**attempt)


class QueryDurations:
    """How long recent queries took on Athena (submission to completion, as Athena reports them),
    shared by every thread of a profile. No Athena query is done sooner than the quickest of them, so
    the first status check waits that long: checking sooner only spends GetQueryExecution calls."""

    def __init__(self, keep: int = 32) -> None:
        self._lock = threading.Lock()
        self._seconds: deque[float] = deque(maxlen=keep)

    def record(self, seconds: float) -> None:
        if seconds >= 0:
            with self._lock:
                self._seconds.append(seconds)

    def quickest(self) -> float | None:
        with self._lock:
            return min(self._seconds) if self._seconds else None


@dataclass(frozen=True)
class PollSchedule:
    """Waits before each status check: the quickest recent query's duration first (when known and
    longer than `first_seconds`), then ~50 ms (most dbt statements finish in well under a second),
    doubling up to `ceiling_seconds` (the profile's poll_interval)."""

    ceiling_seconds: float
    first_seconds: float = 0.05
    factor: float = 2.0

    def delays(self, expected_seconds: float | None = None) -> Iterator[float]:
        if expected_seconds is not None and expected_seconds > self.first_seconds:
            yield min(expected_seconds, self.ceiling_seconds)
        delay = min(self.first_seconds, self.ceiling_seconds)
        while True:
            yield delay
            delay = min(delay * self.factor, self.ceiling_seconds)


@dataclass(frozen=True)
class QueryPolicy:
    """Everything the cursor needs to decide when to wait and what to retry."""

    num_retries: int = 5
    num_iceberg_retries: int = DEFAULT_ICEBERG_RETRIES
    poll: PollSchedule = field(default_factory=lambda: PollSchedule(ceiling_seconds=1.0))
    # Before re-submitting a throttled or internally failed start: Athena needs time to recover.
    backoff: Backoff = field(default_factory=Backoff)
    # Before re-running a query that lost an Iceberg commit race. The winner has already committed, so
    # there is nothing to wait out: the jitter spreads the remaining writers apart so that their
    # commits stop overlapping. 8 s is wide enough for 8 writers of ~1 s statements, and short enough
    # that the unluckiest one does not sleep tens of seconds between attempts.
    commit_backoff: Backoff = field(default_factory=lambda: Backoff(base_seconds=0.5, cap_seconds=8.0))
    durations: QueryDurations = field(default_factory=QueryDurations, compare=False)
