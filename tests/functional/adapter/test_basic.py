"""dbt's basic conformance suites on the emulator."""

from __future__ import annotations

from dbt.tests.adapter.dbt_debug.test_dbt_debug import BaseDebug
from dbt.tests.util import run_dbt


class TestDebug(BaseDebug):
    def test_ok(self, project) -> None:  # type: ignore[no-untyped-def]
        run_dbt(["debug"])
        assert "ERROR" not in self.capsys.readouterr().out
