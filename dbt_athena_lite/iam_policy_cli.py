"""`athena-lite iam-policy`: print the least-privilege IAM policy for a profile's target."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_iam_policy_command(subparsers: Any) -> None:
    """Register `iam-policy` on the `athena-lite` command's subparsers."""
    parser = subparsers.add_parser(
        "iam-policy",
        help="print the least-privilege IAM policy JSON for a profile's target",
        description=__doc__,
    )
    parser.add_argument("--profiles-dir", required=True, help="folder holding profiles.yml")
    parser.add_argument("--target", default=None, help="target name (default: the profile's `target:`)")
    parser.add_argument(
        "--profile",
        default=None,
        help="profile name (default: the `profile:` of ./dbt_project.yml, else the only profile)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbt_common.exceptions import DbtBaseException

    from dbt_athena_lite.iam_policy import build_policy, notes
    from dbt_athena_lite.profile_loading import load_target

    try:
        loaded = load_target(args.profiles_dir, target=args.target, profile=args.profile)
    except DbtBaseException as error:
        print(f"athena-lite iam-policy: {error}", file=sys.stderr)
        return 1
    print(json.dumps(build_policy(loaded.credentials), indent=2))
    # Notes go to stderr, so stdout stays a policy document that can be piped to `aws iam`.
    print(f"# Policy for profile {loaded.profile_name!r}, target {loaded.target_name!r}.", file=sys.stderr)
    for note in notes(loaded.credentials):
        print(f"# {note}", file=sys.stderr)
    return 0
