"""Fault injection: make the emulator fail the way Athena and Glue do, at chosen rates.

`--faults throttle=0.1,internal=0.05,iceberg_commit=0.1,seed=7` makes about 10% of
StartQueryExecution calls answer TooManyRequestsException, 5% of Athena and Glue calls
answer a 500, and 10% of Iceberg commits fail with ICEBERG_COMMIT_ERROR, so a client's
retry logic can be exercised locally. Each kind draws from its own `random.Random(seed)`:
the sequence of outcomes for one kind does not depend on how many calls of another kind
came in between, so a run with a fixed seed is reproducible. The emulator's own internal
calls never reach the injector.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass

from dbt_athena_lite.emulator.api_errors import error_response
from dbt_athena_lite.emulator.stats import ApiCall

FAULT_KINDS = ("throttle", "internal", "iceberg_commit")
# What each service calls its 500: Athena's InternalServerException, Glue's InternalServiceException.
_INTERNAL_ERROR_CODES = {"athena": "InternalServerException", "glue": "InternalServiceException"}
HttpResponse = tuple[int, list[tuple[str, str]], bytes]


class FaultSpecError(ValueError):
    """A --faults value that cannot be understood."""


@dataclass(frozen=True)
class FaultSpec:
    """Rates (0..1) per fault kind and the seed of their random sequences."""

    throttle: float = 0.0  # StartQueryExecution -> TooManyRequestsException
    internal: float = 0.0  # any Athena or Glue call -> HTTP 500
    iceberg_commit: float = 0.0  # an Iceberg commit -> ICEBERG_COMMIT_ERROR
    seed: int | None = None  # None: a different sequence on every start

    def __post_init__(self) -> None:
        for kind in FAULT_KINDS:
            rate = getattr(self, kind)
            if not 0.0 <= rate <= 1.0:
                raise FaultSpecError(f"fault rate {kind}={rate} must be between 0 and 1")

    @property
    def is_active(self) -> bool:
        return any(getattr(self, kind) > 0 for kind in FAULT_KINDS)

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """`throttle=0.1,internal=0.05,iceberg_commit=0.1,seed=7` (any subset, any order)."""
        rates: dict[str, float] = {}
        seed: int | None = None
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep:
                raise FaultSpecError(f"{item!r} is not name=value (e.g. throttle=0.1)")
            try:
                if name == "seed":
                    seed = int(value)
                elif name in FAULT_KINDS:
                    rates[name] = float(value)
                else:
                    known = ", ".join((*FAULT_KINDS, "seed"))
                    raise FaultSpecError(f"unknown fault {name!r}; known: {known}")
            except ValueError as error:
                if isinstance(error, FaultSpecError):
                    raise
                raise FaultSpecError(f"{name}={value!r} is not a number") from None
        return cls(seed=seed, **rates)


class FaultInjector:
    """Thread-safe draws: one random sequence per kind, consumed under a lock."""

    def __init__(self, spec: FaultSpec) -> None:
        self.spec = spec
        self._lock = threading.Lock()
        self._random = {kind: random.Random(spec.seed) for kind in FAULT_KINDS}
        self._fired: Counter[str] = Counter()

    def fired(self) -> dict[str, int]:
        """How many faults of each kind were injected so far (so a test can tell they happened)."""
        with self._lock:
            return dict(self._fired)

    def _draw(self, kind: str) -> bool:
        rate: float = getattr(self.spec, kind)
        if rate <= 0.0:
            return False  # no draw: an inactive kind costs nothing and shifts nothing
        with self._lock:
            hit = self._random[kind].random() < rate
            if hit:
                self._fired[kind] += 1
            return hit

    def fault_for(self, call: ApiCall) -> HttpResponse | None:
        """The error response to send instead of serving `call`, or None to serve it.
        Internal calls (the emulator's own) are never faulted."""
        if call.is_internal or call.service not in _INTERNAL_ERROR_CODES:
            return None
        if call.key == "athena:StartQueryExecution" and self.should_throttle():
            return error_response("TooManyRequestsException", "Rate exceeded (injected fault)")
        if self.should_fail_internal():
            code = _INTERNAL_ERROR_CODES[call.service]
            return error_response(code, f"{call.action} failed: internal error (injected fault)", status=500)
        return None

    def should_throttle(self) -> bool:
        """For a client's StartQueryExecution."""
        return self._draw("throttle")

    def should_fail_internal(self) -> bool:
        """For a client's Athena or Glue call."""
        return self._draw("internal")

    def should_fail_iceberg_commit(self) -> bool:
        """For an Iceberg commit; the engine asks through QueryContext."""
        return self._draw("iceberg_commit")
