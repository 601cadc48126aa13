"""threads=8 on a 50-model project: Hive and Iceberg tables, incrementals (append, merge,
insert_overwrite) and views, whose post-hooks all write into two shared tables at once, so that Glue
updates and Iceberg commits collide. Two runs (a first build, then an incremental one) must succeed
and leave exactly the expected rows: none lost, none duplicated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from dbt.tests.util import run_dbt

from tests.functional.adapter import sample_builds

PER_KIND = 8
# Shared tables, written by every model's post-hook: an Iceberg table (concurrent commits, from the 16
# Iceberg models) and a Hive table partitioned by model (concurrent Glue partition writes, the rest).
SINKS = {
    "sink_iceberg.sql": (
        "{{ config(materialized='incremental', table_type='iceberg', incremental_strategy='append') }} "
        "select cast('' as varchar) as model, cast(0 as integer) as batch, cast(0 as bigint) as n where false"
    ),
    "sink_hive.sql": (
        "{{ config(materialized='incremental', incremental_strategy='append', partitioned_by=['model']) }} "
        "select cast(0 as integer) as batch, cast(0 as bigint) as n, cast('' as varchar) as model where false"
    ),
}
TO_ICEBERG = (
    "insert into {{ this.schema }}.sink_iceberg select '{{ this.name }}', {{ var('batch') }}, count(*) "
    "from {{ this }}"
)
TO_HIVE = (
    "insert into {{ this.schema }}.sink_hive select {{ var('batch') }}, count(*), '{{ this.name }}' "
    "from {{ this }}"
)
# Batch 1 writes ids 1-10, batch 2 ids 6-15: merges update 5 rows and insert 5.
ROWS = (
    "select id, {{ var('batch') }} as batch "
    "from unnest(sequence(1 + 5 * ({{ var('batch') }} - 1), 10 + 5 * ({{ var('batch') }} - 1))) as t(id)"
)

Rows = list[tuple[int, int]]


def _batch(batch: int) -> Rows:
    return [(i, batch) for i in range(1 + 5 * (batch - 1), 11 + 5 * (batch - 1))]


@dataclass(frozen=True)
class Kind:
    """One kind of model: its config, the shared table its hook writes, and its rows after each run."""

    config: str
    hook: str
    rows_after: Callable[[int], Rows]


KINDS = {
    "hive_table": Kind("materialized='table'", TO_HIVE, _batch),
    "iceberg_table": Kind("materialized='table', table_type='iceberg'", TO_ICEBERG, _batch),
    "hive_append": Kind(
        "materialized='incremental', incremental_strategy='append'",
        TO_HIVE,
        lambda batch: [row for b in range(1, batch + 1) for row in _batch(b)],
    ),
    "iceberg_merge": Kind(
        "materialized='incremental', table_type='iceberg', incremental_strategy='merge', unique_key='id'",
        TO_ICEBERG,
        lambda batch: ([(i, 1) for i in range(1, 6)] + _batch(2)) if batch == 2 else _batch(1),
    ),
    "hive_overwrite": Kind(
        "materialized='incremental', incremental_strategy='insert_overwrite', partitioned_by=['batch']",
        TO_HIVE,
        lambda batch: [row for b in range(1, batch + 1) for row in _batch(b)],
    ),
    "view": Kind("materialized='view'", TO_HIVE, _batch),
}
MODEL_NAMES = {f"{kind}_{n}": kind for kind in KINDS for n in range(PER_KIND)}
assert len(MODEL_NAMES) + len(SINKS) == 50


def _model_sql(kind: Kind) -> str:
    sink = "sink_iceberg" if kind.hook is TO_ICEBERG else "sink_hive"
    return (
        f'{{{{ config({kind.config}, post_hook="{kind.hook}") }}}}\n'
        f"-- depends_on: {{{{ ref('{sink}') }}}}\n{ROWS}"
    )


class TestConcurrentRuns(sample_builds.OwnWorkGroup):
    profile_overrides: ClassVar[dict[str, Any]] = {"threads": 8}

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        generated = {f"{name}.sql": _model_sql(KINDS[kind]) for name, kind in MODEL_NAMES.items()}
        return {**SINKS, **generated}

    def test_two_runs_with_eight_threads_lose_and_duplicate_nothing(
        self, project: Any, emulator_endpoint: str, work_group: str
    ) -> None:
        schema = project.test_schema
        batches_run: dict[str, list[int]] = {name: [] for name in MODEL_NAMES}
        # The first run builds everything; the second, incremental one runs the incrementals (with the
        # sinks): 26 models at once, their merges, appends and partition overwrites racing on Glue.
        for batch, selection in ((1, "*"), (2, "config.materialized:incremental")):
            results = run_dbt(["run", "--select", selection, "--vars", f"{{batch: {batch}}}"])
            assert {str(result.status) for result in results} == {"success"}
            for result in results:
                batches_run.get(result.node.name, []).append(batch)
            assert len(results) == (50 if batch == 1 else 26)

            # Each model holds exactly the rows of the batches it ran, in one query over all 48.
            everything = " union all ".join(
                f"select '{name}', id, batch from {schema}.{name}" for name in MODEL_NAMES
            )
            rows = sorted(tuple(row) for row in project.run_sql(everything, fetch="all"))
            expected_rows = [
                (name, *row)
                for name, kind in MODEL_NAMES.items()
                for row in KINDS[kind].rows_after(batches_run[name][-1])
            ]
            assert rows == sorted(expected_rows)

            # Every hook ran once per model run: one row per (model, batch), counting the model's rows then.
            logged = project.run_sql(
                f"select model, batch, n from {schema}.sink_iceberg "
                f"union all select model, batch, n from {schema}.sink_hive",
                fetch="all",
            )
            expected_log = [
                (name, b, len(KINDS[kind].rows_after(b)))
                for name, kind in MODEL_NAMES.items()
                for b in batches_run[name]
            ]
            assert sorted(tuple(row) for row in logged) == sorted(expected_log)

        # No temporary relation left behind by a swap that lost a race.
        tables = set(sample_builds.glue_tables(emulator_endpoint, schema))
        assert tables == set(MODEL_NAMES) | {"sink_iceberg", "sink_hive"}

        executions = sample_builds.query_executions(emulator_endpoint, work_group)
        failed = [e for e in executions if e["Status"]["State"] == "FAILED"]
        # A query may fail only by losing an Iceberg commit race, and was then re-run (the run succeeded).
        messages = [e["Status"]["AthenaError"]["ErrorMessage"] for e in failed]
        assert [message for message in messages if not message.startswith("ICEBERG_COMMIT_ERROR")] == []
        most = max(Counter(e["Query"] for e in failed).values(), default=0)
        print(
            f"\n{len(executions)} queries in two runs; {len(failed)} lost an Iceberg commit race and were "
            f"re-run; the unluckiest statement lost {most} times (num_iceberg_retries allows 10)"
        )
