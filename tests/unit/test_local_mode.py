"""The embedded emulator: started once per state folder, shared, stopped when idle (real processes)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbt_athena_lite import local_mode
from dbt_athena_lite.aws.session import AwsClients
from dbt_athena_lite.credentials import AthenaLiteCredentials


def _creds(**overrides: object) -> AthenaLiteCredentials:
    fields: dict[str, object] = {
        "database": "awsdatacatalog",
        "schema": "analytics",
        "region_name": "us-east-1",
        "s3_staging_dir": "s3://local-results/athena/",
        "s3_data_dir": "s3://local-data/tables/",
        "emulator": True,
        **overrides,
    }
    return AthenaLiteCredentials.from_dict(AthenaLiteCredentials.translate_aliases(fields))


def _stop(directory: Path) -> None:
    info = json.loads((directory / "emulator.json").read_text())
    with contextlib.suppress(ProcessLookupError):
        os.kill(int(info["pid"]), signal.SIGTERM)


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / ".athena_local"
    yield directory
    if (directory / "emulator.json").exists():
        _stop(directory)


def test_state_dir_is_relative_to_the_project(tmp_path: Path) -> None:
    assert local_mode.state_dir(_creds(), tmp_path) == tmp_path / ".athena_local"
    assert local_mode.state_dir(_creds(emulator_dir="state/x"), tmp_path) == tmp_path / "state" / "x"
    absolute = tmp_path / "elsewhere"
    assert local_mode.state_dir(_creds(emulator_dir=str(absolute)), tmp_path / "p") == absolute


def test_first_use_starts_an_emulator_and_later_ones_attach(state_dir: Path) -> None:
    first, second = _creds(aws_profile_name="someone-real"), _creds()
    endpoint = local_mode.use_local_emulator(first, state_dir)
    assert local_mode.use_local_emulator(second, state_dir) == endpoint
    assert first.endpoint_url == second.endpoint_url == endpoint
    # A developer's real credentials are never sent to the local endpoint.
    assert first.aws_profile_name is None
    assert first.aws_access_key_id == local_mode.LOCAL_ACCESS_KEY_ID


def test_concurrent_launchers_share_one_emulator(state_dir: Path) -> None:
    endpoints: list[str] = []

    def launch() -> None:
        endpoints.append(local_mode.use_local_emulator(_creds(), state_dir))

    threads = [threading.Thread(target=launch) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(endpoints)) == 1


def test_provision_creates_the_profiles_buckets_and_workgroup(state_dir: Path) -> None:
    creds = _creds(work_group="analysts")
    local_mode.use_local_emulator(creds, state_dir)
    clients = AwsClients(creds)
    local_mode.provision(creds, clients)
    local_mode.provision(creds, clients)  # idempotent
    buckets = {b["Name"] for b in clients.client("s3").list_buckets()["Buckets"]}
    assert {"local-results", "local-data"} <= buckets
    work_group = clients.client("athena").get_work_group(WorkGroup="analysts")["WorkGroup"]
    assert work_group["Configuration"]["ResultConfiguration"]["OutputLocation"] == creds.s3_staging_dir


def test_a_dead_emulator_is_replaced(state_dir: Path) -> None:
    endpoint = local_mode.use_local_emulator(_creds(), state_dir)
    _stop(state_dir)
    deadline = time.monotonic() + 20
    while local_mode._is_healthy(endpoint) and time.monotonic() < deadline:
        time.sleep(0.05)
    replacement = local_mode.use_local_emulator(_creds(), state_dir)
    assert local_mode._is_healthy(replacement)


def test_an_idle_emulator_stops_by_itself(state_dir: Path) -> None:
    # No API request at all after start: only health checks, which must not keep it alive.
    endpoint = local_mode.use_local_emulator(_creds(), state_dir, idle_timeout=1)
    deadline = time.monotonic() + 90  # generous: a loaded CI machine may be slow to notice and stop
    while local_mode._is_healthy(endpoint) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not local_mode._is_healthy(endpoint)
    assert "stopping" in (state_dir / "emulator.log").read_text()
