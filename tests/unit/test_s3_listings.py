"""The emulator keeps moto's S3 listings apart from key changes (moto answers 500 when they overlap)."""

from __future__ import annotations

import threading
import time

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


def test_a_listing_waits_for_the_changes_in_flight_and_changes_run_together() -> None:
    guard = ListingExclusion()
    events: list[str] = []

    def listing() -> None:
        with guard.hold(KeyAccess.LISTING):
            events.append("listed")

    with guard.hold(KeyAccess.CHANGE), guard.hold(KeyAccess.CHANGE):  # changes do not exclude each other
        lister = threading.Thread(target=listing)
        lister.start()
        _wait_until_waiting(guard, KeyAccess.LISTING)
        events.append("changes done")
    lister.join()

    assert events == ["changes done", "listed"]


def test_a_change_waits_for_the_listing_in_flight() -> None:
    guard = ListingExclusion()
    events: list[str] = []

    def change() -> None:
        with guard.hold(KeyAccess.CHANGE):
            events.append("changed")

    with guard.hold(KeyAccess.LISTING):
        changer = threading.Thread(target=change)
        changer.start()
        _wait_until_waiting(guard, KeyAccess.CHANGE)
        events.append("listing done")
    changer.join()

    assert events == ["listing done", "changed"]
