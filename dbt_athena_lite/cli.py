"""The `athena-lite` command: one entry point, one subcommand per tool."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    from dbt_athena_lite.emulator.cli import add_emulator_command
    from dbt_athena_lite.iam_policy_cli import add_iam_policy_command

    parser = argparse.ArgumentParser(prog="athena-lite", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_emulator_command(commands)
    add_iam_policy_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
