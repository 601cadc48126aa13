"""Incremental models on Iceberg tables, on the emulator: dbt's unique-key, predicate, merge and
on_schema_change suites through MERGE, and dbt-athena's merge conditions."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.adapter.incremental.test_incremental_merge_exclude_columns import BaseMergeExcludeColumns
from dbt.tests.adapter.incremental.test_incremental_on_schema_change import BaseIncrementalOnSchemaChange
from dbt.tests.adapter.incremental.test_incremental_predicates import BaseIncrementalPredicates
from dbt.tests.adapter.incremental.test_incremental_unique_id import BaseIncrementalUniqueKey
from dbt.tests.util import run_dbt

from tests.functional.adapter.tables_util import keys_under, table_names

ICEBERG = {"models": {"+table_type": "iceberg"}}


class TestIcebergUniqueKey(BaseIncrementalUniqueKey):
    """Iceberg's default strategy: merge with a unique_key, append without one."""

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return ICEBERG


class TestIcebergMergeExcludeColumns(BaseMergeExcludeColumns):
    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return ICEBERG


class TestIcebergIncrementalPredicates(BaseIncrementalPredicates):
    """dbt's suite runs delete+insert with `id != 2`; the same rows come out of a MERGE whose ON
    clause leaves id 2 unmatched (dbt's alias, rewritten to the merge's `target`)."""

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {
            "models": {
                "+table_type": "iceberg",
                "+incremental_predicates": ["dbt_internal_dest.id != 2"],
                "+incremental_strategy": "merge",
            }
        }


class TestIcebergOnSchemaChange(BaseIncrementalOnSchemaChange):
    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return ICEBERG


# dbt-athena's merge conditions: rows flagged deleted go, older versions never overwrite newer ones.
MERGE_MODEL = """
{{ config(
    materialized='incremental', table_type='iceberg', unique_key='id', partitioned_by=['bucket(4, id)'],
    delete_condition="src.status = 'deleted'",
    update_condition='src.version > target.version',
    insert_condition="src.status <> 'deleted'",
    incremental_predicates=["target.id < 100"],
) }}
{% if not is_incremental() %}
select * from (values (1, 1, 'new'), (2, 1, 'new'), (3, 5, 'new'), (150, 1, 'new')) as t(id, version, status)
{% else %}
select * from (values
  (1, 2, 'changed'),  -- newer: updated
  (2, 1, 'deleted'),  -- flagged: deleted
  (3, 4, 'stale'),    -- older than the table's: kept as it is
  (4, 1, 'deleted'),  -- flagged and new: not inserted
  (5, 1, 'new'),      -- new: inserted
  (150, 9, 'outside') -- the predicate keeps it unmatched: inserted again
) as t(id, version, status)
{% endif %}
"""


class TestIcebergMergeConditions:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"merged.sql": MERGE_MODEL}

    def test_conditions_and_predicates(self, project: Any, emulator_endpoint: str) -> None:
        run_dbt(["run"])
        run_dbt(["run"])
        rows = project.run_sql(
            f"select id, version, status from {project.test_schema}.merged order by id, version", fetch="all"
        )
        assert [tuple(r) for r in rows] == [
            (1, 2, "changed"),
            (3, 5, "new"),
            (5, 1, "new"),
            (150, 1, "new"),
            (150, 9, "outside"),
        ]
        schema = project.test_schema
        assert table_names(emulator_endpoint, schema) == ["merged"]
        assert not keys_under(emulator_endpoint, f"data/{schema}/merged__dbt_tmp/")


MANY_PARTITIONS_MODEL = """
{{ config(materialized='incremental', table_type='iceberg', unique_key='id', partitioned_by=['p']) }}
select id, id % 150 as p, {{ var("run") }} as run from unnest(sequence(0, 299)) as t(id)
"""


class TestIcebergMergeManyPartitions:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"many.sql": MANY_PARTITIONS_MODEL}

    def test_merge_past_the_partition_limit(self, project: Any) -> None:
        run_dbt(["run", "--vars", "{run: 1}"])
        run_dbt(["run", "--vars", "{run: 2}"])
        got = project.run_sql(
            f"select count(*), min(run), count(distinct p) from {project.test_schema}.many", fetch="one"
        )
        assert tuple(got) == (300, 2, 150)
