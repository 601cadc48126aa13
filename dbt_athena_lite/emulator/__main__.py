"""`python -m dbt_athena_lite.emulator`: the same as `athena-lite emulator`."""

from __future__ import annotations

import sys

from dbt_athena_lite.emulator.cli import main

if __name__ == "__main__":
    sys.exit(main())
