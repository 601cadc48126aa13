"""`kill -9` of the emulator (`--data-dir`) while dbt builds and a client writes to S3: after a
restart, every write the emulator acknowledged is there, every relation the last complete build
made is queryable whole, and the next build succeeds and leaves no temporary table behind."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from tests.crash.lake import BUCKET, MODELS, Lake, dbt_build, finish, write_project
from tests.emulator_process import emulator_process


def _write_until_stopped(lake: Lake, stop: threading.Event, acknowledged: dict[str, bytes]) -> None:
    """PutObject after PutObject; a key counts once the emulator answered (then it is durable)."""
    s3 = lake.client("s3")
    number = 0
    while not stop.is_set():
        key, body = f"writes/{number:05d}", os.urandom(64) + str(number).encode()
        try:
            s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        except Exception:  # the emulator died: nothing more is acknowledged
            return
        acknowledged[key] = body
        number += 1


def test_every_acknowledged_write_survives_a_killed_emulator(tmp_path: Path) -> None:
    state, project = tmp_path / "state", tmp_path / "project"
    with emulator_process(state, "--query-latency", "0.1") as (emulator, endpoint):
        lake = Lake(endpoint)
        lake.client("s3").create_bucket(Bucket=BUCKET)
        write_project(project, endpoint)
        finish(dbt_build(project, 1))

        acknowledged: dict[str, bytes] = {}
        stop = threading.Event()
        writer = threading.Thread(target=_write_until_stopped, args=(lake, stop, acknowledged))
        writer.start()
        lake.reset_stats()
        build = dbt_build(project, 2)
        try:
            # Mid-run: the MERGE is running, and the writer is between two PutObjects.
            assert lake.kill_when(emulator, "athena:StartQueryExecution", 2)
        finally:
            stop.set()
            writer.join(timeout=60)
            build.kill()
            build.communicate(timeout=60)
    assert acknowledged and emulator.returncode == -signal.SIGKILL

    port = int(endpoint.rsplit(":", 1)[1])  # the profile's endpoint_url names it
    with emulator_process(state, port=port) as (_restarted, endpoint):
        lake = Lake(endpoint)
        s3 = lake.client("s3")
        for key, body in acknowledged.items():
            assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == body, key
        found = lake.assert_each_relation_from_one_run(1, 2)
        print(f"after the restart: relations of run {found}")

        finish(dbt_build(project, 2))
        assert lake.assert_each_relation_from_one_run(2) == dict.fromkeys(MODELS, 2)
        lake.assert_clean()
