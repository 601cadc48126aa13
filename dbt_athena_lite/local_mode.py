"""`emulator: true` profiles: start or attach to a local emulator holding the project's state.

The only adapter module that knows the emulator exists, and it only runs it as a separate process:
one emulator per state folder, shared by every dbt process that uses the folder (a `dbt seed`, then
a `dbt run`, or two at once), found through `emulator.json` in the folder. The emulator stops by
itself after a while without requests, so nothing is left running forever; with its state on disk,
the next dbt invocation starts it again where it left off.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import s3_paths

if TYPE_CHECKING:
    from dbt_athena_lite.aws.session import AwsClients
    from dbt_athena_lite.credentials import AthenaLiteCredentials

DEFAULT_DIR_NAME = ".athena_local"
IDLE_TIMEOUT_SECONDS = 900
START_TIMEOUT_SECONDS = 30.0
# Any credentials are accepted locally; fixed ones keep a developer's real keys away from the emulator.
LOCAL_ACCESS_KEY_ID = "athena-lite-local"
LOCAL_SECRET_ACCESS_KEY = "athena-lite-local"


class LocalEmulatorError(DbtRuntimeError):
    """The local emulator could not be started or reached; the message says where its log is."""


@dataclass(frozen=True)
class RunningEmulator:
    pid: int
    endpoint_url: str


def state_dir(creds: AthenaLiteCredentials, project_root: str | os.PathLike[str] | None) -> Path:
    """The folder holding the emulator's state: emulator_dir, relative to the dbt project if not absolute."""
    base = Path(project_root) if project_root else Path.cwd()
    configured = Path(creds.emulator_dir) if creds.emulator_dir else Path(DEFAULT_DIR_NAME)
    return (configured if configured.is_absolute() else base / configured).resolve()


def use_local_emulator(
    creds: AthenaLiteCredentials, directory: Path, *, idle_timeout: float = IDLE_TIMEOUT_SECONDS
) -> str:
    """Point `creds` at a running emulator for `directory` (starting one if needed); returns its URL."""
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory / "launch.lock"):
        running = _attach(directory)
        if running is None:
            _wait_for_previous_to_exit(directory)
            running = _start(directory, idle_timeout)
            (directory / "emulator.json").write_text(
                json.dumps({"pid": running.pid, "endpoint_url": running.endpoint_url})
            )
    creds.endpoint_url = running.endpoint_url
    creds.aws_access_key_id = LOCAL_ACCESS_KEY_ID
    creds.aws_secret_access_key = LOCAL_SECRET_ACCESS_KEY
    creds.aws_session_token = None
    creds.aws_profile_name = None
    creds.assume_role_arn = None
    return running.endpoint_url


def provision(creds: AthenaLiteCredentials, clients: AwsClients) -> None:
    """Create what the profile names and a fresh account lacks: its buckets and its workgroup."""
    s3 = clients.client("s3")
    roots = (creds.s3_staging_dir, creds.s3_data_dir, creds.s3_tmp_table_dir)
    for bucket in sorted({s3_paths.parse_s3_path(root).bucket for root in roots if root}):
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError:  # absent (404) or not ours to see: creating says which
            s3.create_bucket(Bucket=bucket)
    work_group = creds.work_group or "primary"
    athena = clients.client("athena")
    if work_group not in {wg["Name"] for wg in athena.list_work_groups()["WorkGroups"]}:
        athena.create_work_group(
            Name=work_group,
            Configuration={"ResultConfiguration": {"OutputLocation": creds.s3_staging_dir}},
        )


def _recorded(directory: Path) -> RunningEmulator | None:
    try:
        info: dict[str, Any] = json.loads((directory / "emulator.json").read_text())
        return RunningEmulator(pid=int(info["pid"]), endpoint_url=str(info["endpoint_url"]))
    except (OSError, ValueError, KeyError):
        return None


def _attach(directory: Path) -> RunningEmulator | None:
    running = _recorded(directory)
    return running if running is not None and _is_healthy(running.endpoint_url) else None


def _wait_for_previous_to_exit(directory: Path) -> None:
    """An emulator that stopped answering (idle shutdown under way) still holds the state folder until
    it exits: wait for it rather than fail to start a second one on the same state."""
    previous = _recorded(directory)
    if previous is None:
        return
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while _is_alive(previous.pid):
        if time.monotonic() > deadline:
            raise LocalEmulatorError(
                f"An emulator (pid {previous.pid}) holds {directory} but does not answer at "
                f"{previous.endpoint_url}. Stop it (kill {previous.pid}) and run dbt again."
            )
        time.sleep(0.05)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent, e.g. this process) no longer holds any lock.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def _start(directory: Path, idle_timeout: float) -> RunningEmulator:
    log_path = directory / "emulator.log"
    command = [
        sys.executable,
        "-m",
        "dbt_athena_lite.emulator",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(directory / "state"),
        "--idle-timeout",
        str(idle_timeout),
    ]
    with log_path.open("ab") as log:
        offset = log.tell()
        # Its own session: the emulator outlives this dbt process and ignores its Ctrl-C.
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        endpoint = _announced_endpoint(log_path, offset)
        if endpoint and _is_healthy(endpoint):
            return RunningEmulator(pid=process.pid, endpoint_url=endpoint)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise LocalEmulatorError(
        f"The local emulator did not start (exit code {process.poll()}). See {log_path}; "
        f"remove {directory} to start from an empty state, or set endpoint_url to a running emulator."
    )


def _announced_endpoint(log_path: Path, offset: int) -> str | None:
    marker = "listening on "
    with log_path.open("rb") as log:
        log.seek(offset)
        for line in log.read().decode(errors="replace").splitlines():
            if marker in line:
                return line.split(marker, 1)[1].strip()
    return None


def _is_healthy(endpoint_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint_url}/_emulator/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """One launcher at a time per folder: two dbt processes starting together share one emulator."""
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
