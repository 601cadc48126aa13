"""The emulator as a process of its own (`python -m dbt_athena_lite.emulator`), for tests that kill it
or need state of their own: moto keeps its state in module globals, so a second emulator in a test
process would share (and replay onto) the session emulators' state."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def emulator_process(
    data_dir: Path | None, *options: str, port: int = 0
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start an emulator on `port` (0: a free one; state in `data_dir` if given, `options` passed on);
    yield the process and its endpoint once it listens; kill it on exit if it still runs."""
    state = ["--data-dir", str(data_dir)] if data_dir is not None else []
    process = subprocess.Popen(
        [sys.executable, "-m", "dbt_athena_lite.emulator", "--port", str(port), *state, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on " in line, line + process.stdout.read()
        yield process, line.split("listening on ", 1)[1].strip()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
