"""The emulator keeps moto's S3 listings apart from key changes (moto answers 500 when they overlap)."""

from __future__ import annotations

import threading
import time

import pytest

from dbt_athena_lite.emulator.s3_listings import KeyAccess, ListingExclusion, key_access
from dbt_athena_lite.emulator.stats import ApiCall


def _s3(action: str) -> ApiCall:
    return ApiCall(service="s3", action=action, access_key_id="AKIA", region="us-east-1")


def test_calls_are_sorted_into_listings_and_changes() -> None:
    assert key_access(_s3("ListObjectsV2")) is KeyAccess.LISTING
    assert key_access(_s3("DeleteObjects")) is KeyAccess.CHANGE
    assert key_access(_s3("PutObject")) is KeyAccess.CHANGE
    assert key_access(_s3("GetObject")) is None
    assert key_access(ApiCall("glue", "GetTables", "AKIA", "us-east-1")) is None
    assert key_access(None) is None


def _wait_until_waiting(guard: ListingExclusion, access: KeyAccess) -> None:
    deadline = time.monotonic() + 30  # a bound on a hung test, not a timing assertion
    while guard.waiting(access) == 0:
        assert time.monotonic() < deadline, "the other thread never reached the guard"
        time.sleep(0.001)


@pytest.mark.parametrize(
    ("in_flight", "arriving"),
    [(KeyAccess.CHANGE, KeyAccess.LISTING), (KeyAccess.LISTING, KeyAccess.CHANGE)],
)
def test_one_kind_waits_while_the_other_is_in_flight(in_flight: KeyAccess, arriving: KeyAccess) -> None:
    guard = ListingExclusion()
    events: list[str] = []

    def arrive() -> None:
        with guard.hold(arriving):
            events.append(f"{arriving.value} ran")

    with guard.hold(in_flight), guard.hold(in_flight):  # the same kind does not exclude itself
        other = threading.Thread(target=arrive)
        other.start()
        _wait_until_waiting(guard, arriving)
        events.append(f"{in_flight.value} done")
    other.join()

    assert events == [f"{in_flight.value} done", f"{arriving.value} ran"]
