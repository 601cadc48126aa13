"""Crash tests: `dbt` and the emulator as processes of their own, killed with SIGKILL mid-run.

They run in the xdist group "crash" (next to the functional tier, on the other worker)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/crash/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("crash"))
