"""Incremental models on Hive tables, on the emulator: dbt's suites, and insert_overwrite's promises
(repeatable runs, untouched partitions kept with their data, staging cleaned up, >100 partitions)."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.adapter.basic.test_incremental import BaseIncremental, BaseIncrementalNotSchemaChange
from dbt.tests.adapter.incremental.test_incremental_on_schema_change import BaseIncrementalOnSchemaChange
from dbt.tests.adapter.incremental.test_incremental_predicates import BaseIncrementalPredicates
from dbt.tests.adapter.incremental.test_incremental_unique_id import BaseIncrementalUniqueKey
from dbt.tests.util import run_dbt, run_dbt_and_capture

from tests.functional.adapter.tables_util import glue_client, keys_under, table_location, table_names
from tests.functional.conftest import BUCKET


class TestIncremental(BaseIncremental):
    pass


class TestIncrementalNotSchemaChange(BaseIncrementalNotSchemaChange):
    pass


class TestIncrementalOnSchemaChange(BaseIncrementalOnSchemaChange):
    pass


HIVE_CANNOT_UPDATE = (
    "Hive tables cannot update or delete rows: unique_key upserts and delete+insert need "
    "table_type='iceberg' (the suite runs there, in test_incremental_iceberg.py)"
)


@pytest.mark.skip(reason=HIVE_CANNOT_UPDATE)
class TestIncrementalUniqueKey(BaseIncrementalUniqueKey):
    pass


@pytest.mark.skip(reason=HIVE_CANNOT_UPDATE)
class TestIncrementalPredicates(BaseIncrementalPredicates):
    pass


def partition_values(endpoint: str, schema: str, name: str) -> dict[str, str]:
    parts = glue_client(endpoint).get_partitions(DatabaseName=schema, TableName=name)["Partitions"]
    return {p["Values"][0]: p["StorageDescriptor"]["Location"] for p in parts}


# Day d of the run var `days` (e.g. "1,2"): three rows per day, ids unique per day; `version` marks the run.
OVERWRITE_MODEL = """
{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partitioned_by=['day']) }}
select id, '{{ var("version") }}' as version, day
from unnest(sequence(1, 3)) as t(id)
cross join unnest(array[{{ var("days") }}]) as d(day)
"""


class TestInsertOverwrite:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"overwrite.sql": OVERWRITE_MODEL}

    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict[str, Any]) -> dict[str, Any]:
        return {**dbt_profile_target, "s3_tmp_table_dir": f"s3://{BUCKET}/tmp/"}

    def test_replaces_touched_partitions_only(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        run_dbt(["run", "--vars", "{version: a, days: '1,2,3'}"])
        before = partition_values(emulator_endpoint, schema, "overwrite")
        assert sorted(before) == ["1", "2", "3"]
        untouched_keys = keys_under(emulator_endpoint, before["1"].removeprefix(f"s3://{BUCKET}/") + "/")
        assert untouched_keys

        location = table_location(emulator_endpoint, schema, "overwrite")
        replaced = [before["2"], before["3"]]
        for _ in range(2):  # a repeated run replaces the same partitions: no duplicates
            _, logs = run_dbt_and_capture(["run", "--vars", "{version: b, days: '2,3,4'}"])
            # The staging data went inside the table's location and its partitions point at it now;
            # only the data of the partitions it replaced was deleted.
            current = partition_values(emulator_endpoint, schema, "overwrite")
            run_dirs = {current[day].rsplit("/", 1)[0] for day in ("2", "3", "4")}
            assert len(run_dirs) == 1 and run_dirs.pop().rsplit("/", 1)[0] == location
            for old in replaced:
                assert f"Deleted 1 objects under {old}/" in logs
            replaced = [current["2"], current["3"], current["4"]]
            got = project.run_sql(
                f"select day, version, count(*) from {schema}.overwrite group by 1, 2 order by 1, 2",
                fetch="all",
            )
            assert [tuple(r) for r in got] == [(1, "a", 3), (2, "b", 3), (3, "b", 3), (4, "b", 3)]

        after = partition_values(emulator_endpoint, schema, "overwrite")
        assert sorted(after) == ["1", "2", "3", "4"]
        assert after["1"] == before["1"]
        assert (
            keys_under(emulator_endpoint, after["1"].removeprefix(f"s3://{BUCKET}/") + "/") == untouched_keys
        )
        # The staging entry is gone, nothing went to s3_tmp_table_dir, and every object left is a
        # partition's: the replaced data is deleted.
        assert table_names(emulator_endpoint, schema) == ["overwrite"]
        assert not keys_under(emulator_endpoint, "tmp/")
        table_keys = keys_under(emulator_endpoint, location.removeprefix(f"s3://{BUCKET}/") + "/")
        partition_keys = [key.rsplit("/", 1)[0] for key in table_keys]
        assert sorted(set(partition_keys)) == sorted(
            v.removeprefix(f"s3://{BUCKET}/") for v in after.values()
        )

    def test_full_refresh_swaps_in_a_new_build(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        old = table_location(emulator_endpoint, schema, "overwrite")
        run_dbt(["run", "--full-refresh", "--vars", "{version: c, days: '7'}"])
        new = table_location(emulator_endpoint, schema, "overwrite")
        assert new != old
        assert not keys_under(emulator_endpoint, old.removeprefix(f"s3://{BUCKET}/") + "/")
        assert sorted(partition_values(emulator_endpoint, schema, "overwrite")) == ["7"]
        got = project.run_sql(
            f"select day, version, count(*) from {schema}.overwrite group by 1, 2", fetch="all"
        )
        assert [tuple(r) for r in got] == [(7, "c", 3)]
        assert table_names(emulator_endpoint, schema) == ["overwrite"]


# The adopted partitions are read with the table's definition: the staging data is written in its
# format and bucketing.
ORC_MODEL = """
{{ config(materialized='incremental', partitioned_by=['day'], format='orc', bucketed_by=['id'],
          bucket_count=2) }}
select id, '{{ var("version") }}' as version, day
from unnest(sequence(1, 3)) as t(id) cross join unnest(array[{{ var("days") }}]) as d(day)
"""


class TestInsertOverwriteKeepsTheTablesStorage:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"orc_overwrite.sql": ORC_MODEL}

    def test_orc_bucketed(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        run_dbt(["run", "--vars", "{version: a, days: '1,2'}"])
        run_dbt(["run", "--vars", "{version: b, days: '2,3'}"])
        got = project.run_sql(
            f"select day, version, count(*) from {schema}.orc_overwrite group by 1, 2 order by 1, 2",
            fetch="all",
        )
        assert [tuple(r) for r in got] == [(1, "a", 3), (2, "b", 3), (3, "b", 3)]
        glue = glue_client(emulator_endpoint)
        table = glue.get_table(DatabaseName=schema, Name="orc_overwrite")["Table"]["StorageDescriptor"]
        assert "orc" in table["InputFormat"].lower()
        storage = ("InputFormat", "OutputFormat", "SerdeInfo", "NumberOfBuckets", "BucketColumns", "Columns")
        partitions = glue.get_partitions(DatabaseName=schema, TableName="orc_overwrite")["Partitions"]
        adopted = [p for p in partitions if p["Values"] != ["1"]]  # day 1 is the first build's
        assert len(adopted) == 2
        for partition in adopted:
            descriptor = partition["StorageDescriptor"]
            assert {k: descriptor.get(k) for k in storage} == {k: table.get(k) for k in storage}


# The second run selects a new column while on_schema_change='fail': it fails after the staging build.
FAILING_MODEL = """
{{ config(materialized='incremental', partitioned_by=['day'], on_schema_change='fail') }}
select id, day{% if is_incremental() %}, 'new' as extra{% endif %}
from unnest(sequence(1, 3)) as t(id) cross join unnest(array[1, 2]) as d(day)
"""


class TestFailedRun:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"failing.sql": FAILING_MODEL}

    def test_drops_its_staging_table_and_keeps_the_target(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        run_dbt(["run"])
        results = run_dbt(["run"], expect_pass=False)
        assert "out of sync" in str(results[0].message)
        assert table_names(emulator_endpoint, schema) == ["failing"]
        assert not keys_under(emulator_endpoint, f"data/{schema}/failing__dbt_tmp/")
        assert project.run_sql(f"select count(*) from {schema}.failing", fetch="one")[0] == 6


class TestConfigErrors:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "unpartitioned.sql": "{{ config(materialized='incremental', incremental_strategy='insert_overwrite') }}"
            "\nselect 1 as id",
            "hive_merge.sql": "{{ config(materialized='incremental', incremental_strategy='merge', unique_key='id') }}"
            "\nselect 1 as id",
            "unknown.sql": "{{ config(materialized='incremental', incremental_strategy='upsert') }}\nselect 1 as id",
        }

    def test_each_names_the_config_and_the_fix(self, project: Any, emulator_endpoint: str) -> None:
        results = run_dbt(["run"], expect_pass=False)
        messages = {r.node.name: r.message for r in results}
        assert "Model config `incremental_strategy`" in messages["unpartitioned"]
        assert "Set partitioned_by" in messages["unpartitioned"]
        assert "Set table_type='iceberg'" in messages["hive_merge"]
        assert "'upsert' is not supported" in messages["unknown"]
        assert table_names(emulator_endpoint, project.test_schema) == []


# 150 partitions: more than one query may write; the staging build batches, and Glue takes the
# adopted partitions in batches of 100.
MANY_PARTITIONS_MODEL = """
{{ config(materialized='incremental', partitioned_by=['p']) }}
select id, id % 150 as p from unnest(sequence({{ var("first") }}, {{ var("first") }} + 299)) as t(id)
"""


class TestManyPartitions:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"many.sql": MANY_PARTITIONS_MODEL}

    def test_more_than_one_hundred_partitions(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        run_dbt(["run", "--vars", "{first: 0}"])
        _, logs = run_dbt_and_capture(["run", "--vars", "{first: 1000}", "--debug"])
        assert "partition batches" in logs
        got = project.run_sql(f"select count(*), min(id), count(distinct p) from {schema}.many", fetch="one")
        assert tuple(got) == (300, 1000, 150)
        assert len(partition_values(emulator_endpoint, schema, "many")) == 150
        assert table_location(emulator_endpoint, schema, "many")
