"""The entry point dbt looks up for `type: athena_lite` (dbt imports `dbt.adapters.<type>`)."""

from __future__ import annotations

from dbt.adapters.base import AdapterPlugin

from dbt_athena_lite.connections import AthenaLiteConnectionManager
from dbt_athena_lite.credentials import AthenaLiteCredentials
from dbt_athena_lite.impl import AthenaLiteAdapter
from dbt_athena_lite.include import MACROS_PROJECT_NAME, include_path

__all__ = ["AthenaLiteAdapter", "AthenaLiteConnectionManager", "AthenaLiteCredentials", "Plugin"]

Plugin = AdapterPlugin(
    adapter=AthenaLiteAdapter,  # type: ignore[arg-type]
    credentials=AthenaLiteCredentials,
    include_path=str(include_path()),
    # dbt would otherwise derive "dbt_<folder name>" and silently ignore our macros.
    project_name=MACROS_PROJECT_NAME,
)
