"""Where the adapter's macro project lives: packaged in a wheel, or the checkout's `macros/` in dev."""

from __future__ import annotations

from pathlib import Path

# Must equal `name:` in macros/dbt_project.yml (a unit test guards it).
MACROS_PROJECT_NAME = "dbt_athena_lite"

_PACKAGED = Path(__file__).parent / "include" / "macros"
_CHECKOUT = Path(__file__).parent.parent / "macros"


def include_path() -> Path:
    """The macro project folder: the wheel's copy if installed, else the source checkout's."""
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT
