"""dbt-athena-lite: a dbt adapter for Amazon Athena, and a local Athena-compatible emulator."""

from __future__ import annotations

from dbt_athena_lite.__version__ import version as __version__

__all__ = ["__version__"]
