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
        help="directory for durable state (not yet supported: state is kept in memory)",
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


def run(args: argparse.Namespace) -> int:
    from dbt_athena_lite.emulator.server import EmulatorServer

    if args.workers < 1:
        print("athena-lite emulator: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.data_dir:
        # The seam for durable state: today everything lives in this process's memory.
        print(
            f"athena-lite emulator: warning: --data-dir {args.data_dir} is not yet supported; "
            "state is in memory and is lost when the emulator stops",
            file=sys.stderr,
        )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"athena-lite emulator: warning: listening on {args.host} lets other machines in; "
            "the emulator accepts any credentials",
            file=sys.stderr,
        )
    try:
        server = EmulatorServer(args.host, args.port, workers=args.workers)
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
