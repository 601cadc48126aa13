"""Hooks (pre/post, on-run-start/end), `dbt retry` and `dbt build` ordering on the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.adapter.hooks.test_model_hooks import BasePrePostModelHooks, BasePrePostModelHooksOnSnapshots
from dbt.tests.adapter.hooks.test_run_hooks import BasePrePostRunHooks
from dbt.tests.util import run_dbt

from tests.functional.conftest import BUCKET

# The log is a Hive table: Athena INSERTs into it, one file per statement.
RUN_LOG = (
    "create table {{ target.schema }}.run_log "
    "with (external_location='s3://" + BUCKET + "/data/{{ target.schema }}/run_log/{{ invocation_id }}/') "
    "as select cast('start' as varchar) as event, cast(null as bigint) as row_count"
)


class TestHooks:
    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {
            "on-run-start": [RUN_LOG],
            "on-run-end": ["insert into {{ target.schema }}.run_log values ('end', null)"],
            "models": {
                "+pre-hook": "insert into {{ target.schema }}.run_log values ('pre {{ this.name }}', null)",
                "+post-hook": (
                    "insert into {{ target.schema }}.run_log "
                    "select 'post {{ this.name }}', count(*) from {{ this }}"
                ),
            },
        }

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "numbers.sql": "{{ config(materialized='table') }} select * from unnest(sequence(1, 3)) as t(n)",
        }

    def test_hooks_run_around_the_model_and_the_run(self, project: Any) -> None:
        run_dbt(["run"])
        rows = project.run_sql(f"select event, row_count from {project.test_schema}.run_log", fetch="all")
        assert sorted(tuple(row) for row in rows) == sorted(
            [("start", None), ("pre numbers", None), ("post numbers", 3), ("end", None)]
        )


class TestRetry:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "ok.sql": "select 1 as id",
            # Fails until the table it reads exists.
            "late.sql": "select * from {{ target.schema }}.arrives_later",
            "after_late.sql": "select * from {{ ref('late') }}",
        }

    def test_retry_runs_only_what_failed_or_was_skipped(self, project: Any) -> None:
        results = run_dbt(["run"], expect_pass=False)
        statuses = {r.node.name: str(r.status) for r in results}
        assert statuses == {"ok": "success", "late": "error", "after_late": "skipped"}

        project.run_sql(
            f"create table {project.test_schema}.arrives_later "
            f"with (external_location='s3://{BUCKET}/data/{project.test_schema}/arrives_later/') "
            "as select 2 as id"
        )
        retried = run_dbt(["retry"])
        assert sorted(r.node.name for r in retried) == ["after_late", "late"]
        assert {str(r.status) for r in retried} == {"success"}


SNAPSHOT = """
{% snapshot numbers_history %}
{{ config(unique_key='n', strategy='check', check_cols='all') }}
select * from {{ ref('numbers') }}
{% endsnapshot %}
"""


class TestBuildOrder:
    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"digits.csv": "n\n1\n2\n3\n"}

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "numbers.sql": "{{ config(materialized='table') }} select n from {{ ref('digits') }}",
            "schema.yml": (
                "models:\n  - name: numbers\n    columns:\n      - name: n\n"
                "        data_tests: [not_null, {accepted_values: {values: "
                "\"{{ var('accepted', [1, 2, 3]) }}\", quote: false}}]\n"
            ),
        }

    @pytest.fixture(scope="class")
    def snapshots(self) -> dict[str, str]:
        return {"numbers_history.sql": SNAPSHOT}

    def test_build_runs_seed_model_tests_then_snapshot(self, project: Any) -> None:
        results = run_dbt(["build"])
        finished = {r.node.resource_type: r.timing[-1].completed_at for r in results if r.timing}
        assert finished["seed"] <= finished["model"] <= finished["snapshot"]
        assert len(project.run_sql(f"select * from {project.test_schema}.numbers_history", fetch="all")) == 3

    def test_a_failing_test_skips_the_snapshot_downstream(self, project: Any) -> None:
        results = run_dbt(["build", "--vars", "accepted: [1, 2]"], expect_pass=False)
        statuses = {r.node.resource_type: str(r.status) for r in results if r.node.resource_type != "test"}
        assert statuses["snapshot"] == "skipped"


# dbt's hook suites log into a table they create with Postgres DDL (hooks/data/seed_*.sql: column
# lists, `create table ... ( ... )` without a location) and compare `target.host`/`user` fields that
# Athena profiles do not have. TestHooks above covers the same hook points in Athena SQL.
POSTGRES_HOOK_TABLE = "the suite's on_model_hook/on_run_hook tables are Postgres DDL; covered by TestHooks"


@pytest.mark.skip(reason=POSTGRES_HOOK_TABLE)
class TestPrePostModelHooks(BasePrePostModelHooks):
    pass


@pytest.mark.skip(reason=POSTGRES_HOOK_TABLE)
class TestPrePostModelHooksOnSnapshots(BasePrePostModelHooksOnSnapshots):
    pass


@pytest.mark.skip(reason=POSTGRES_HOOK_TABLE)
class TestPrePostRunHooks(BasePrePostRunHooks):
    pass
