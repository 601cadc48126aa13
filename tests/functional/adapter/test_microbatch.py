"""dbt's microbatch suite on the emulator: Hive (insert_overwrite of each batch's day partitions)
and Iceberg (each batch's event-time window deleted, then inserted)."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.adapter.incremental.test_incremental_microbatch import BaseMicrobatch
from dbt.tests.util import patch_microbatch_end_time, run_dbt_and_capture

# Hive partitions by the batch's day; the event time itself stays a column.
HIVE_MICROBATCH = """
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time',
          batch_size='day', begin=modules.datetime.datetime(2020, 1, 1, 0, 0, 0), partitioned_by=['event_day']) }}
select id, event_time, cast(event_time as date) as event_day from {{ ref('input_model') }}
"""

# dbt's input uses `TIMESTAMP '...-0'`, a timestamp with time zone, which Athena tables cannot store.
INPUT = """
{{{{ config(materialized='table', event_time='event_time'{table_type}) }}}}
select 1 as id, TIMESTAMP '2020-01-01 00:00:00' as event_time
union all
select 2 as id, TIMESTAMP '2020-01-02 00:00:00' as event_time
union all
select 3 as id, TIMESTAMP '2020-01-03 00:00:00' as event_time
"""


class AthenaMicrobatch(BaseMicrobatch):
    table_type = ""

    @pytest.fixture(scope="class")
    def input_model_sql(self) -> str:
        return INPUT.format(table_type=self.table_type)

    @pytest.fixture(scope="class")
    def insert_two_rows_sql(self, project: Any) -> str:
        return (
            f"insert into {project.test_schema}.input_model (id, event_time) "
            "values (4, TIMESTAMP '2020-01-04 00:00:00'), (5, TIMESTAMP '2020-01-05 00:00:00')"
        )


# No unique_key: a batch is replaced by its window, not merged on a key.
ICEBERG_MICROBATCH = """
{{{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time',
          batch_size='day', begin=modules.datetime.datetime(2020, 1, 1, 0, 0, 0), table_type='iceberg'{partitions}) }}}}
select * from {{{{ ref('input_model') }}}}
"""


class TestHiveMicrobatch(AthenaMicrobatch):
    @pytest.fixture(scope="class")
    def microbatch_model_sql(self) -> str:
        return HIVE_MICROBATCH


# A batch re-run deletes every row of the data file its first run wrote (an emptied Iceberg file).
class TestIcebergMicrobatch(AthenaMicrobatch):
    table_type = ", table_type='iceberg'"

    @pytest.fixture(scope="class")
    def microbatch_model_sql(self) -> str:
        return ICEBERG_MICROBATCH.format(partitions="")


class TestIcebergMicrobatchPartitioned(TestIcebergMicrobatch):
    @pytest.fixture(scope="class")
    def microbatch_model_sql(self) -> str:
        return ICEBERG_MICROBATCH.format(partitions=", partitioned_by=['day(event_time)']")


class TestHiveMicrobatchNeedsPartitions:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "input_model.sql": "{{ config(materialized='table', event_time='event_time') }}\n"
            "select 1 as id, TIMESTAMP '2020-01-01 00:00:00' as event_time",
            "microbatch_model.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', "
            "event_time='event_time', batch_size='day', begin=modules.datetime.datetime(2020, 1, 1)) }}\n"
            "select * from {{ ref('input_model') }}",
        }

    def test_names_the_fix(self, project: Any) -> None:
        with patch_microbatch_end_time("2020-01-02 13:57:00"):
            _, logs = run_dbt_and_capture(["run"], expect_pass=False)  # batch errors are in the log
        assert "Model config `partitioned_by`" in logs
        assert "partitioned_by=['event_date']" in logs


# Monthly partitions under daily batches: each batch would replace the whole month.
COARSE_PARTITIONS = """
{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='event_time',
          batch_size='day', begin=modules.datetime.datetime(2020, 1, 1), partitioned_by=['event_month']) }}
select id, event_time, cast(date_trunc('month', event_time) as date) as event_month from {{ ref('input_model') }}
"""


class TestHiveMicrobatchCoarsePartitions(AthenaMicrobatch):
    @pytest.fixture(scope="class")
    def microbatch_model_sql(self) -> str:
        return COARSE_PARTITIONS

    def test_run_with_event_time(self, project: Any, insert_two_rows_sql: str) -> None:
        with patch_microbatch_end_time("2020-01-03 13:57:00"):
            _, logs = run_dbt_and_capture(["run"], expect_pass=False)
        assert "rows outside the batch, which would be lost" in logs
        # The first batch built the table; no later batch replaced its month.
        self.assert_row_count(project, "microbatch_model", 1)
