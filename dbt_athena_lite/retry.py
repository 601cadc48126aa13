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
import re
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


# Leading comments (dbt's query comment, a model's header) say nothing about what a statement does.
_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)
_CTAS = re.compile(r"\bas\s*\(?\s*(?:select|with|values)\b", re.IGNORECASE)


def statement_kind(sql: str) -> str:
    """What a statement does, as far as how long it takes goes: `view` (DDL on the catalog only),
    `ctas`, `create`, or its first keyword (`select`, `insert`, `merge`, ...)."""
    words = _LEADING_COMMENTS.sub("", sql, count=1).split(None, 6)
    first = words[0].lower() if words else ""
    if first == "with":
        return "select"
    if first != "create":
        return first
    head = " ".join(words[:5]).lower()
    if " view " in f"{head} ":
        return "view"
    return "ctas" if _CTAS.search(sql) else "create"


class QueryDurations:
    """How long recent queries of each kind took on Athena (submission to completion, as Athena reports
    them), shared by every thread of a profile. No query is done sooner than the quickest recent one of
    its kind, so the first status check waits that long: checking sooner only spends GetQueryExecution
    calls. Kinds matter because a CREATE VIEW is done long before a CTAS of the same run."""

    def __init__(self, keep: int = 32) -> None:
        self._lock = threading.Lock()
        self._keep = keep
        self._seconds: dict[str, deque[float]] = {}

    def record(self, kind: str, seconds: float) -> None:
        if seconds >= 0:
            with self._lock:
                self._seconds.setdefault(kind, deque(maxlen=self._keep)).append(seconds)

    def quickest(self, kind: str) -> float | None:
        """The quickest recent query of `kind`, else of any kind (a lower bound all the same)."""
        with self._lock:
            same = self._seconds.get(kind)
            if same:
                return min(same)
            every = [seconds for recent in self._seconds.values() for seconds in recent]
            return min(every) if every else None


@dataclass(frozen=True)
class PollSchedule:
    """Waits before each status check: the quickest recent query's duration first (when known and
    longer than `first_seconds`), then a quarter of it; with nothing known, ~50 ms (most dbt
    statements finish in well under a second). Doubling up to `ceiling_seconds` (poll_interval)."""

    ceiling_seconds: float
    first_seconds: float = 0.05
    factor: float = 2.0

    def delays(self, expected_seconds: float | None = None) -> Iterator[float]:
        delay = self.first_seconds
        if expected_seconds is not None and expected_seconds > self.first_seconds:
            yield min(expected_seconds, self.ceiling_seconds)
            # Still running after the quickest of its kind took: it runs on the scale of that one,
            # so the checks that follow start at a quarter of it instead of at 50 ms.
            delay = max(self.first_seconds, expected_seconds / 4)
        delay = min(delay, self.ceiling_seconds)
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
