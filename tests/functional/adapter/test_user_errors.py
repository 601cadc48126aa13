"""A user error (a syntax error, a missing column) fails its model at once: the query id and Athena's
message in dbt's output, no retry, downstream models skipped and everything else built.

How fast: the cursor raises at the first status check that sees FAILED, and checks are never further
apart than poll_interval (tests/unit/test_cursor.py proves it on a fake clock); here the delay between
Athena's completion time and dbt's report is printed, not asserted.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from dbt.tests.util import run_dbt
from dbt_common.events.base_types import EventMsg

from tests.functional.adapter import sample_builds

MODELS = {
    "bad_syntax.sql": "{{ config(materialized='table') }} select (1 as id",
    "missing_column.sql": "{{ config(materialized='table') }} select no_such_column from (select 1 as id) as t",
    "after_bad_syntax.sql": "select * from {{ ref('bad_syntax') }}",
    "after_missing_column.sql": "select * from {{ ref('missing_column') }}",
    "independent.sql": "{{ config(materialized='table') }} select 1 as id",
}


class TestUserErrors(sample_builds.OwnWorkGroup):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return MODELS

    def test_user_errors_fail_once_with_query_id_and_message(
        self, project: Any, emulator_endpoint: str, work_group: str
    ) -> None:
        reported_at: dict[str, float] = {}
        lines: list[str] = []

        def watch(event: EventMsg) -> None:
            lines.append(event.info.msg)  # what dbt prints
            if event.info.name == "NodeFinished" and event.data.node_info.node_status == "error":
                reported_at[event.data.node_info.node_name] = time.time()

        results = run_dbt(["run"], expect_pass=False, callbacks=[watch])
        output = "\n".join(lines)

        status = {result.node.name: str(result.status) for result in results}
        assert status == {
            "bad_syntax": "error",
            "missing_column": "error",
            "after_bad_syntax": "skipped",
            "after_missing_column": "skipped",
            "independent": "success",
        }

        executions = sample_builds.query_executions(emulator_endpoint, work_group)
        failed = {
            model: [e for e in executions if marker in e["Query"]]
            for model, marker in (("bad_syntax", "select (1 as id"), ("missing_column", "no_such_column"))
        }
        for model, runs in failed.items():
            assert len(runs) == 1, f"{model}: started {len(runs)} times, expected once (no retry)"
            execution = runs[0]
            assert execution["Status"]["State"] == "FAILED"
            message = execution["Status"]["AthenaError"]["ErrorMessage"]
            assert f"Athena query {execution['QueryExecutionId']} failed (user error): {message}" in output
            delay = reported_at[model] - execution["Status"]["CompletionDateTime"].timestamp()
            print(f"\n{model}: dbt reported the failure {delay:.3f}s after Athena's FAILED")
        assert "SYNTAX_ERROR: " in output
        assert "COLUMN_NOT_FOUND: " in output
