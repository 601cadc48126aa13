"""The S3 delete guard end to end: whatever dbt builds, rebuilds or drops, data it did not create survives."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt, run_dbt_and_capture, write_file

from tests.functional.adapter.tables_util import ROWS, count, glue_client, keys_under, s3_client
from tests.functional.conftest import BUCKET

OTHER_BUCKET = "dbt-functional-other"


def sentinels(schema: str) -> dict[str, list[str]]:
    """Objects next to everything the models write: bucket roots, sibling prefixes, another bucket."""
    return {
        BUCKET: [
            "sentinel-root.txt",
            "data/sentinel.txt",
            f"data/{schema}/sentinel.txt",
            f"data/{schema}/fixed2/sentinel.txt",  # sibling of the fixed-location table data/<schema>/fixed
            "data/fixed_table_named_x/sentinel.txt",
            f"external/{schema}/sentinel.txt",
            f"external/{schema}/ext2/sentinel.txt",  # sibling of external/<schema>/ext
            "staging/tables/sentinel.txt",
        ],
        OTHER_BUCKET: ["sentinel.txt", f"data/{schema}/fixed/sentinel.txt"],
    }


def put_sentinels(endpoint: str, schema: str) -> None:
    s3 = s3_client(endpoint)
    s3.create_bucket(Bucket=OTHER_BUCKET)
    for bucket, keys in sentinels(schema).items():
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=b"keep me")


def assert_sentinels_survive(endpoint: str, schema: str) -> None:
    s3 = s3_client(endpoint)
    for bucket, keys in sentinels(schema).items():
        for key in keys:
            assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"keep me", f"s3://{bucket}/{key}"


MODELS = {
    "fixed.sql": "{{ config(materialized='table', s3_data_naming='schema_table', partitioned_by=['grp']) }}\n"
    + ROWS,
    "fixed_table_named.sql": "{{ config(materialized='table', s3_data_naming='table') }}\n" + ROWS,
    "uniq.sql": "{{ config(materialized='table', s3_data_naming='unique') }}\n" + ROWS,
    "ext.sql": "{{ config(materialized='table', "
    "external_location='s3://dbt-functional/external/' ~ this.schema ~ '/ext') }}\n" + ROWS,
}


class TestSentinelsSurviveEveryPath:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return MODELS

    def test_build_rebuild_fail_switch_and_drop(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        put_sentinels(emulator_endpoint, schema)
        for _ in range(2):
            assert {r.status for r in run_dbt(["run"])} == {"success"}
            assert_sentinels_survive(emulator_endpoint, schema)
        assert count(project, "fixed") == 12
        # A failing rebuild of each model.
        for name, sql in MODELS.items():
            write_file(sql.replace("as grp", "as grp, no_such_column"), project.project_root, "models", name)
        run_dbt(["run"], expect_pass=False)
        assert_sentinels_survive(emulator_endpoint, schema)
        assert count(project, "ext") == 12
        # Tables become views: the tables and their data are dropped, nothing else.
        for name in MODELS:
            write_file("{{ config(materialized='view') }}\n" + ROWS, project.project_root, "models", name)
        assert {r.status for r in run_dbt(["run"])} == {"success"}
        assert_sentinels_survive(emulator_endpoint, schema)
        assert keys_under(emulator_endpoint, f"external/{schema}/ext/") == []
        # ...and back to tables, then the whole schema is dropped by the test teardown's drop_schema.
        for name, sql in MODELS.items():
            write_file(sql, project.project_root, "models", name)
        assert {r.status for r in run_dbt(["run"])} == {"success"}
        project.adapter.drop_schema(project.adapter.Relation.create(database=project.database, schema=schema))
        assert_sentinels_survive(emulator_endpoint, schema)
        assert keys_under(emulator_endpoint, f"data/{schema}/fixed/") == []


# One relation of each materialization and strategy, beside the ones above.
EVERY_KIND = {
    "a_view.sql": "{{ config(materialized='view') }}\n" + ROWS,
    "iceberg_table.sql": "{{ config(materialized='table', table_type='iceberg') }}\n" + ROWS,
    "partitioned.sql": "{{ config(materialized='table', partitioned_by=['grp']) }}\n" + ROWS,
    "appended.sql": "{{ config(materialized='incremental', incremental_strategy='append') }}\n" + ROWS,
    "overwritten.sql": "{{ config(materialized='incremental', partitioned_by=['grp']) }}\n" + ROWS,
    "merged.sql": "{{ config(materialized='incremental', table_type='iceberg', unique_key='id') }}\n" + ROWS,
    "events.sql": "{{ config(materialized='table', event_time='event_time') }}\n"
    "select id, cast(current_date as timestamp) - id * interval '1' day as event_time "
    "from unnest(sequence(0, 2)) as t(id)",
    # Two daily batches (yesterday, today): the Hive microbatch replaces their day partitions.
    "batched.sql": "{{ config(materialized='incremental', incremental_strategy='microbatch', "
    "event_time='event_time', batch_size='day', partitioned_by=['event_day'], "
    "begin=modules.datetime.datetime.combine(modules.datetime.date.today(), modules.datetime.time()) "
    "- modules.datetime.timedelta(days=1)) }}\n"
    "select id, event_time, cast(event_time as date) as event_day from {{ ref('events') }}",
}
SNAPSHOT = """
{% snapshot history %}
{{ config(unique_key='id', strategy='check', check_cols='all') }}
select * from {{ ref('partitioned') }}
{% endsnapshot %}
"""


def beside_each_relation(schema: str) -> list[str]:
    """Sentinels beside each relation's (and its temporary table's) unique locations."""
    names = [name.removesuffix(".sql") for name in EVERY_KIND] + ["seed_rows", "history"]
    return [f"data/{schema}/{name}{suffix}/sentinel.txt" for name in names for suffix in ("", "__dbt_tmp")]


class TestSentinelsSurviveEveryMaterialization:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return EVERY_KIND

    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"seed_rows.csv": "id,name\n1,a\n2,b\n"}

    @pytest.fixture(scope="class")
    def snapshots(self) -> dict[str, str]:
        return {"history.sql": SNAPSHOT}

    def test_builds_incremental_runs_full_refresh_failure_and_drop(
        self, project: Any, emulator_endpoint: str
    ) -> None:
        schema = project.test_schema
        put_sentinels(emulator_endpoint, schema)
        s3 = s3_client(emulator_endpoint)
        for key in beside_each_relation(schema):
            s3.put_object(Bucket=BUCKET, Key=key, Body=b"keep me")

        def survive() -> None:
            assert_sentinels_survive(emulator_endpoint, schema)
            for key in beside_each_relation(schema):
                assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"keep me", key

        for command in (["build"], ["build"], ["build", "--full-refresh"]):
            assert {r.status for r in run_dbt(command)} == {"success"}, command
            survive()
        for name, sql in EVERY_KIND.items():
            if name != "events.sql":
                write_file(sql + " where no_such_column", project.project_root, "models", name)
        results = run_dbt(["run"], expect_pass=False)
        assert {str(r.status) for r in results} == {"error", "success"}
        survive()
        project.adapter.drop_schema(project.adapter.Relation.create(database=project.database, schema=schema))
        survive()


class TestRiskyExternalLocationsAreRefusedBeforeAnythingRuns:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "bucket_root.sql": "{{ config(materialized='table', external_location='s3://dbt-functional/') }}\n"
            + ROWS,
            "data_dir.sql": "{{ config(materialized='table', external_location='s3://dbt-functional/data') }}\n"
            + ROWS,
            "first.sql": "{{ config(materialized='table', external_location='s3://dbt-functional/shared/a') }}\n"
            + ROWS,
            "second.sql": "{{ config(materialized='table', external_location='s3://dbt-functional/shared') }}\n"
            + ROWS,
        }

    def test_refused_with_the_config_named(self, project: Any, emulator_endpoint: str) -> None:
        put_sentinels(emulator_endpoint, project.test_schema)
        results, logs = run_dbt_and_capture(["run"], expect_pass=False)
        assert {r.status for r in results} == {"error"}
        assert "is a bucket root" in logs
        assert "where other tables and query results live" in logs
        assert "'s3://dbt-functional/shared/a/' overlaps the external_location of model.test." in logs
        assert "'s3://dbt-functional/shared/' overlaps the external_location of model.test." in logs
        assert glue_client(emulator_endpoint).get_tables(DatabaseName=project.test_schema)["TableList"] == []
        assert_sentinels_survive(emulator_endpoint, project.test_schema)


# Within, and around, the data of tables dbt does not build (created by the test).
OVER_OTHER_TABLES = {
    "in_other.sql": "{{ config(materialized='table', "
    "external_location='s3://dbt-functional/raw/' ~ this.schema ~ '/events/mine') }}\n" + ROWS,
    "around_other.sql": "{{ config(materialized='table', "
    "external_location='s3://dbt-functional/raw/' ~ this.schema ~ '/people') }}\n" + ROWS,
}


class TestExternalLocationOverAnotherTableIsRefusedBeforeAnythingRuns:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return OVER_OTHER_TABLES

    def test_refused_naming_the_model_the_table_and_the_fix(
        self, project: Any, emulator_endpoint: str
    ) -> None:
        schema = project.test_schema
        for name, prefix in (("raw_events", "events"), ("raw_users", "people/users")):
            s3_client(emulator_endpoint).put_object(
                Bucket=BUCKET, Key=f"raw/{schema}/{prefix}/a.csv", Body=b"1\n"
            )
            project.run_sql(
                f"create external table `{schema}`.`{name}` (id int) location 's3://{BUCKET}/raw/{schema}/{prefix}/'"
            )
        results, logs = run_dbt_and_capture(["run"], expect_pass=False)
        assert {r.status for r in results} == {"error"}
        for model, relation, table, prefix in (
            ("in_other", "lies within", "raw_events", "events"),
            ("around_other", "contains", "raw_users", "people/users"),
        ):
            assert f"Compilation Error in model {model} (models/{model}.sql)" in logs
            assert (
                f"{relation} the data of table {schema}.{table} (s3://{BUCKET}/raw/{schema}/{prefix}/)"
                in logs
            )
        assert "Point external_location at a directory of its own, outside every other table's" in logs
        tables = glue_client(emulator_endpoint).get_tables(DatabaseName=schema)["TableList"]
        assert sorted(t["Name"] for t in tables) == ["raw_events", "raw_users"]
        assert keys_under(emulator_endpoint, f"raw/{schema}/") == [
            f"raw/{schema}/events/a.csv",
            f"raw/{schema}/people/users/a.csv",
        ]


class TestDataDbtDidNotCreate:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "legacy.sql": "{{ config(materialized='table') }}\n" + ROWS,
            "fixed_at_leftovers.sql": "{{ config(materialized='table', s3_data_naming='schema_table') }}\n"
            + ROWS,
        }

    def test_refused_deletes_fail_the_model_and_keep_the_data(
        self, project: Any, emulator_endpoint: str
    ) -> None:
        schema = project.test_schema
        s3 = s3_client(emulator_endpoint)
        s3.put_object(Bucket=BUCKET, Key=f"raw/{schema}/legacy/part-0.csv", Body=b"1\n2\n")
        s3.put_object(Bucket=BUCKET, Key=f"data/{schema}/fixed_at_leftovers/old.parquet", Body=b"not ours")
        project.run_sql(
            f"create external table `{schema}`.`legacy` (id int) "
            f"location 's3://{BUCKET}/raw/{schema}/legacy/'"
        )
        results, logs = run_dbt_and_capture(["run"], expect_pass=False)
        assert {r.status for r in results} == {"error"}
        assert f"Refusing to delete s3://{BUCKET}/raw/{schema}/legacy/" in logs
        assert "outside the directories dbt writes tables to" in logs
        assert "HIVE_PATH_ALREADY_EXISTS" in logs
        assert f"aws s3 rm --recursive s3://{BUCKET}/data/{schema}/fixed_at_leftovers/" in logs
        legacy = glue_client(emulator_endpoint).get_table(DatabaseName=schema, Name="legacy")["Table"]
        assert legacy["StorageDescriptor"]["Location"] == f"s3://{BUCKET}/raw/{schema}/legacy/"
        assert keys_under(emulator_endpoint, f"raw/{schema}/legacy/") == [f"raw/{schema}/legacy/part-0.csv"]
        assert keys_under(emulator_endpoint, f"data/{schema}/fixed_at_leftovers/") == [
            f"data/{schema}/fixed_at_leftovers/old.parquet"
        ]
        names = [
            t["Name"] for t in glue_client(emulator_endpoint).get_tables(DatabaseName=schema)["TableList"]
        ]
        assert names == ["legacy"]
        # drop_schema (the teardown) drops the legacy table's entry but keeps data outside the data roots.
        project.adapter.drop_schema(project.adapter.Relation.create(database=project.database, schema=schema))
        assert keys_under(emulator_endpoint, f"raw/{schema}/legacy/") == [f"raw/{schema}/legacy/part-0.csv"]
