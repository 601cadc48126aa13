"""`athena-lite emulator`: run the local Athena-compatible service until SIGINT / SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

DEFAULT_PORT = 4566  # the port LocalStack made customary for local AWS endpoints


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to bind; 0 picks a free one (default: {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="keep S3, Glue and workgroups in this directory across restarts (default: in memory)",
    )
    parser.add_argument(
        "--faults",
        default=None,
        metavar="SPEC",
        help="inject errors, e.g. throttle=0.1,internal=0.05,iceberg_commit=0.1,seed=7",
    )
    parser.add_argument(
        "--query-latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="every query stays QUEUED/RUNNING at least this long, as on Athena (default: 0)",
    )
    parser.add_argument("--workers", type=int, default=8, help="queries run at the same time (default: 8)")
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=0,
        metavar="SECONDS",
        help="stop after this long without a request; 0 runs until stopped (default: 0)",
    )


def add_emulator_command(subparsers: Any) -> None:
    """Register `emulator` on the `athena-lite` command's subparsers."""
    parser = subparsers.add_parser(
        "emulator",
        help="run the local Athena/Glue/S3/STS emulator",
        description=__doc__,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)


def _usage_error(message: str) -> int:
    print(f"athena-lite emulator: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from dbt_athena_lite.emulator.faults import FaultSpec, FaultSpecError
    from dbt_athena_lite.emulator.persistence import DataDirError
    from dbt_athena_lite.emulator.server import EmulatorServer

    if args.workers < 1:
        return _usage_error("--workers must be at least 1")
    if args.query_latency < 0:
        return _usage_error("--query-latency must not be negative")
    try:
        faults = FaultSpec.parse(args.faults) if args.faults else None
    except FaultSpecError as error:
        return _usage_error(f"--faults: {error}")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"athena-lite emulator: warning: listening on {args.host} lets other machines in; "
            "the emulator accepts any credentials",
            file=sys.stderr,
        )
    try:
        server = EmulatorServer(
            args.host,
            args.port,
            workers=args.workers,
            data_dir=args.data_dir,
            faults=faults,
            query_latency=args.query_latency,
        )
    except DataDirError as error:
        print(f"athena-lite emulator: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"athena-lite emulator: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    stop_requested = threading.Event()

    def request_stop(_signum: int, _frame: object) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    server.start()
    print(f"athena-lite emulator listening on {server.endpoint_url}", flush=True)
    restored = server.app.durable.restored if server.app.durable else None
    if restored is not None:
        print(
            f"athena-lite emulator: state in {args.data_dir}: {restored.compacted_to} requests "
            f"replayed in {restored.replay.seconds:.2f}s ({restored.journaled} in the journal)",
            flush=True,
        )
    # Wait in short slices so the signal handler runs promptly on every platform.
    while not stop_requested.wait(0.5):
        if args.idle_timeout and server.app.idle_seconds() > args.idle_timeout:
            print(f"athena-lite emulator: no request for {args.idle_timeout:g}s, stopping", flush=True)
            break
    server.stop()
    print("athena-lite emulator stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dbt_athena_lite.emulator", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))
