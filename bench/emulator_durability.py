"""Durable state (`--data-dir`): what journaling costs per mutating call, and restart time.

    .venv/bin/python bench/emulator_durability.py [--calls 300] [--journal-sizes 1000,10000]

1. Overhead per mutating call: the same calls against an emulator without and with
   --data-dir (PutObject 1 KiB, PutObject 1 MiB, Glue CreateTable + DeleteTable), one
   client thread, median and p95; then 8 threads of 1 KiB PutObject (group commit).
2. Restart time with a journal of N operations: N distinct 1 KiB PutObjects (nothing to
   compact), and N overwrites of 100 keys (compaction keeps 100), from process start to
   /_emulator/health answering; the replay time the emulator reports.

Prints figures; never fails on timing. The emulator runs as its own process, as a user starts it.
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from emulator_process import EmulatorProcess

_RESTORED = re.compile(r"(\d+) requests replayed in ([\d.]+)s \((\d+) in the journal\)")


class Emulator(EmulatorProcess):
    """The emulator as its own process, in memory or with `--data-dir`, and its restore figures."""

    def __init__(self, data_dir: Path | None) -> None:
        super().__init__(["--data-dir", str(data_dir)] if data_dir is not None else [])
        assert self.process.stdout is not None
        restored = _RESTORED.search(self.process.stdout.readline()) if data_dir else None
        self.replayed = int(restored.group(1)) if restored else 0
        self.replay_seconds = float(restored.group(2)) if restored else 0.0
        self.journaled = int(restored.group(3)) if restored else 0
        config = {"max_pool_connections": 16, "retries": {"total_max_attempts": 1}}
        self.s3: Any = self.client("s3", **config)
        self.glue: Any = self.client("glue", **config)


def _timed(call: Callable[[int], Any], count: int) -> list[float]:
    seconds = []
    for i in range(count):
        started = time.perf_counter()
        call(i)
        seconds.append(time.perf_counter() - started)
    return seconds


def _summary(seconds: Sequence[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1e3:6.2f} ms, p95 {p95 * 1e3:6.2f} ms"


def _measure(emulator: Emulator, calls: int) -> dict[str, str]:
    """The figures of one emulator, by operation."""
    s3, glue = emulator.s3, emulator.glue
    small, large = b"x" * 1024, b"y" * (1024 * 1024)
    columns: dict[str, Any] = {"Columns": [{"Name": "id", "Type": "int"}], "Location": "s3://bench/t/"}
    s3.create_bucket(Bucket="bench")
    glue.create_database(DatabaseInput={"Name": "bench"})

    def put_small(i: int) -> None:
        s3.put_object(Bucket="bench", Key=f"s/{i}", Body=small)

    def put_large(i: int) -> None:
        s3.put_object(Bucket="bench", Key=f"l/{i}", Body=large)

    def create_and_drop(i: int) -> None:
        glue.create_table(DatabaseName="bench", TableInput={"Name": f"t{i}", "StorageDescriptor": columns})
        glue.delete_table(DatabaseName="bench", Name=f"t{i}")

    def get_small(i: int) -> None:
        s3.get_object(Bucket="bench", Key=f"s/{i}")["Body"].read()

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket="bench", Key=f"t/{i}", Body=small), range(calls)))
    threaded = (time.perf_counter() - started) / calls
    return {
        "PutObject 1 KiB": _summary(_timed(put_small, calls)),
        "PutObject 1 MiB": _summary(_timed(put_large, max(calls // 10, 10))),
        "CreateTable+DeleteTable": _summary(_timed(create_and_drop, calls)),
        "GetObject 1 KiB (not journaled)": _summary(_timed(get_small, calls)),
        "PutObject 1 KiB, 8 threads": f"{threaded * 1e3:6.2f} ms per call (wall time / calls)",
    }


def per_call_overhead(calls: int) -> None:
    results: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as directory:
        for label, data_dir in (("in memory", None), ("--data-dir", Path(directory) / "state")):
            emulator = Emulator(data_dir)
            results[label] = _measure(emulator, calls)
            emulator.stop()
    print(f"Per mutating call, {calls} calls each (one client thread unless said):")
    for operation, in_memory in results["in memory"].items():
        print(f"  {operation:32} in memory: {in_memory} | --data-dir: {results['--data-dir'][operation]}")


def _fill(emulator: Emulator, size: int, key_of: Callable[[int], str]) -> None:
    body = b"z" * 1024
    emulator.s3.create_bucket(Bucket="restart")
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda i: emulator.s3.put_object(Bucket="restart", Key=key_of(i), Body=body), range(size)
            )
        )


def _distinct(i: int) -> str:
    return f"k/{i}"


def _hundred(i: int) -> str:
    return f"k/{i % 100}"


def restart_time(size: int) -> None:
    for label, key_of in (("distinct keys", _distinct), ("overwrites of 100 keys", _hundred)):
        with tempfile.TemporaryDirectory() as directory:
            data_dir = Path(directory) / "state"
            first = Emulator(data_dir)
            _fill(first, size, key_of)
            first.process.send_signal(signal.SIGKILL)
            first.process.wait(timeout=30)
            figures = []
            for _ in range(2):  # the first restart compacts; the second starts from the compact journal
                again = Emulator(data_dir)
                figures.append(
                    f"{again.start_seconds:5.2f} s to healthy (replayed {again.replayed} of "
                    f"{again.journaled} in {again.replay_seconds:.2f} s)"
                )
                again.stop()
            print(
                f"  journal of {size + 1} operations, {label}: restart {figures[0]}; next restart {figures[1]}"
            )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--journal-sizes", default="1000,10000")
    args = parser.parse_args(argv)
    per_call_overhead(args.calls)
    print("Restart time (kill -9, then start on the same --data-dir):")
    for size in (int(n) for n in args.journal_sizes.split(",")):
        restart_time(size)


if __name__ == "__main__":
    main()
