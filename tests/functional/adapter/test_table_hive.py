"""Hive table materialization on the emulator: formats, partitions, buckets, locations, rebuilds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dbt.tests.adapter.basic.test_base import BaseSimpleMaterializations
from dbt.tests.adapter.basic.test_table_materialization import BaseTableMaterialization
from dbt.tests.util import run_dbt, run_dbt_and_capture, write_file

from tests.functional.adapter.tables_util import (
    ROWS,
    count,
    glue_client,
    keys_under,
    table_location,
    table_names,
)
from tests.functional.conftest import BUCKET

FORMATS = ("parquet", "orc", "avro", "json", "textfile")


class TestFormats:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        models = {
            f"t_{fmt}.sql": f"{{{{ config(materialized='table', format='{fmt}') }}}}\n{ROWS}"
            for fmt in FORMATS
        }
        models["t_textfile_pipe.sql"] = (
            "{{ config(materialized='table', format='textfile', field_delimiter='|') }}\n" + ROWS
        )
        return models

    def test_each_format_builds_and_reads(self, project: Any, emulator_endpoint: str) -> None:
        results = run_dbt(["run"])
        assert {r.status for r in results} == {"success"}
        for fmt in (*FORMATS, "textfile_pipe"):
            assert count(project, f"t_{fmt}") == 12
        serde = glue_client(emulator_endpoint).get_table(
            DatabaseName=project.test_schema, Name="t_textfile_pipe"
        )
        assert serde["Table"]["StorageDescriptor"]["SerdeInfo"]["Parameters"]["field.delim"] == "|"


class TestPartitionedBucketed:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            # grp is not last in the select: the materialization reorders it for Athena.
            "parted.sql": "{{ config(materialized='table', partitioned_by=['grp']) }}\n"
            "select grp, id, name from (" + ROWS + ")",
            "bucketed.sql": "{{ config(materialized='table', bucketed_by=['id'], bucket_count=4, "
            "write_compression='snappy', table_properties={'team': 'analytics'}) }}\n" + ROWS,
        }

    def test_partitions_and_buckets(self, project: Any, emulator_endpoint: str) -> None:
        run_dbt(["run"])
        run_dbt(["run"])  # the rebuild swaps partitions in place
        glue = glue_client(emulator_endpoint)
        parts = glue.get_partitions(DatabaseName=project.test_schema, TableName="parted")["Partitions"]
        assert sorted(p["Values"][0] for p in parts) == ["0", "1", "2"]
        location = table_location(emulator_endpoint, project.test_schema, "parted")
        assert all(p["StorageDescriptor"]["Location"].startswith(location) for p in parts)
        rows = project.run_sql(
            f"select grp, count(*) from {project.test_schema}.parted group by 1 order by 1", fetch="all"
        )
        assert [tuple(r) for r in rows] == [(0, 4), (1, 4), (2, 4)]
        bucketed = glue.get_table(DatabaseName=project.test_schema, Name="bucketed")["Table"]
        assert bucketed["StorageDescriptor"]["NumberOfBuckets"] == 4
        assert bucketed["Parameters"]["team"] == "analytics"
        assert count(project, "bucketed") == 12


NAMINGS = {
    "unique": "data/{uuid}",
    "table": "data/{table}",
    "table_unique": "data/{table}/{uuid}",
    "schema_table": "data/{schema}/{table}",
    "schema_table_unique": "data/{schema}/{table}/{uuid}",
}


class TestNamings:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            f"n_{naming}.sql": f"{{{{ config(materialized='table', s3_data_naming='{naming}') }}}}\n{ROWS}"
            for naming in NAMINGS
        }

    def test_data_lands_where_the_naming_says_and_rebuilds_clean_up(
        self, project: Any, emulator_endpoint: str
    ) -> None:
        schema = project.test_schema
        for _ in range(3):
            run_dbt(["run"])
            for naming, pattern in NAMINGS.items():
                table = f"n_{naming}"
                location = table_location(emulator_endpoint, schema, table)
                parts = location.removeprefix(f"s3://{BUCKET}/").split("/")
                expected = pattern.format(schema=schema, table=table, uuid="*").split("/")
                assert len(parts) == len(expected), (naming, location)
                assert all(e in ("*", p) for e, p in zip(expected, parts, strict=True)), (naming, location)
                assert keys_under(emulator_endpoint, location.removeprefix(f"s3://{BUCKET}/") + "/")
                assert count(project, table) == 12
            assert table_names(emulator_endpoint, schema) == sorted(f"n_{n}" for n in NAMINGS)
        # No orphans: every object under the data root belongs to the current location of a table.
        current = [
            table_location(emulator_endpoint, schema, f"n_{n}").removeprefix(f"s3://{BUCKET}/") + "/"
            for n in NAMINGS
        ]
        mine = [
            k
            for k in keys_under(emulator_endpoint, "data/")
            if schema in k or any(k.startswith(c) for c in current)
        ]
        assert mine and all(any(k.startswith(c) for c in current) for k in mine)
        tmp = keys_under(emulator_endpoint, "staging/tables/") + keys_under(emulator_endpoint, "tmp/")
        assert not [k for k in tmp if "__dbt_tmp" in k]


class TestExternalLocation:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "ext.sql": "{{ config(materialized='table', partitioned_by=['grp'], "
            "external_location='s3://dbt-functional/external/' ~ this.schema ~ '/ext/') }}\n" + ROWS,
        }

    def test_rebuilds_at_the_declared_location(self, project: Any, emulator_endpoint: str) -> None:
        prefix = f"external/{project.test_schema}/ext/"
        for _ in range(2):
            run_dbt(["run"])
            assert table_location(emulator_endpoint, project.test_schema, "ext").rstrip(
                "/"
            ) == f"s3://{BUCKET}/{prefix}".rstrip("/")
            assert count(project, "ext") == 12
        keys = keys_under(emulator_endpoint, prefix)
        assert keys and all(k.startswith(prefix + "grp=") for k in keys)
        # Scoped to this schema: other classes leave sentinels named like temporary tables on purpose.
        leftovers = keys_under(emulator_endpoint, f"data/{project.test_schema}/")
        assert not [k for k in leftovers if "ext__dbt_tmp" in k]


class TestFailingRebuild:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"keep.sql": "{{ config(materialized='table') }}\n" + ROWS}

    def test_old_table_and_data_survive(self, project: Any, emulator_endpoint: str) -> None:
        run_dbt(["run"])
        schema = project.test_schema
        location = table_location(emulator_endpoint, schema, "keep")
        before = keys_under(emulator_endpoint, location.removeprefix(f"s3://{BUCKET}/") + "/")
        write_file(
            "{{ config(materialized='table') }}\nselect id, no_such_column from (" + ROWS + ")",
            project.project_root,
            "models",
            "keep.sql",
        )
        results = run_dbt(["run"], expect_pass=False)
        assert results[0].status == "error"
        assert table_location(emulator_endpoint, schema, "keep") == location
        assert keys_under(emulator_endpoint, location.removeprefix(f"s3://{BUCKET}/") + "/") == before
        assert count(project, "keep") == 12
        assert table_names(emulator_endpoint, schema) == ["keep"]
        assert not [
            k
            for k in keys_under(emulator_endpoint, f"data/{schema}/")
            if not k.startswith(location.removeprefix(f"s3://{BUCKET}/"))
        ]


MANY = "select id, id as part from unnest(sequence(1, 130)) as t(id)"


class TestManyPartitions:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "auto_batched.sql": "{{ config(materialized='table', partitioned_by=['part']) }}\n" + MANY,
            "forced.sql": "{{ config(materialized='table', partitioned_by=['part'], force_batch=true) }}\n"
            + MANY,
        }

    def test_more_than_100_partitions(self, project: Any, emulator_endpoint: str) -> None:
        for _ in range(2):
            results = run_dbt(["run"])
            assert {r.status for r in results} == {"success"}
            for name in ("auto_batched", "forced"):
                assert count(project, name) == 130
                parts = glue_client(emulator_endpoint).get_partitions(
                    DatabaseName=project.test_schema, TableName=name
                )
                assert len(parts["Partitions"]) == 130
        assert table_names(emulator_endpoint, project.test_schema) == ["auto_batched", "forced"]
        ran = (Path(project.project_root) / "target" / "run" / "test" / "models" / "forced.sql").read_text()
        assert ran.count("insert into") == 1 and ran.count("create table") == 1
        assert "\"part\" = cast('1' as BIGINT)" in ran  # typed: Athena can prune the sources


class TestSimpleMaterializations(BaseSimpleMaterializations):
    """dbt's conformance suite: seeds, views and tables, swapped between types in place."""


class TestTableMaterialization(BaseTableMaterialization):
    pass


class TestGlueVersionsPruned:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"versioned.sql": "{{ config(materialized='table', versions_to_keep=2) }}\n" + ROWS}

    def test_only_the_newest_versions_stay(self, project: Any, emulator_endpoint: str) -> None:
        for _ in range(4):
            run_dbt(["run"])
        glue = glue_client(emulator_endpoint)
        versions = glue.get_table_versions(DatabaseName=project.test_schema, TableName="versioned")[
            "TableVersions"
        ]
        assert len(versions) == 2
        newest = max(versions, key=lambda v: int(v["VersionId"]))["Table"]["StorageDescriptor"]["Location"]
        assert newest == table_location(emulator_endpoint, project.test_schema, "versioned")


class TestFailingBatch:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "batched.sql": "{{ config(materialized='table', partitioned_by=['part'], s3_data_naming='schema_table', "
            "force_batch=true) }}\n" + MANY
        }

    def test_a_failing_insert_batch_leaves_the_old_table(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        run_dbt(["run"])
        before = keys_under(emulator_endpoint, f"data/{schema}/batched/")
        # Batches follow the partition values as text: '90'..'99' sort last, so only the INSERT fails.
        boom = "cast(if(id between 90 and 99, 'boom', '1') as integer) as boom"
        failing = MANY.replace("id as part", f"{boom}, id as part")
        write_file(
            "{{ config(materialized='table', partitioned_by=['part'], s3_data_naming='schema_table', "
            "force_batch=true) }}\n" + failing,
            project.project_root,
            "models",
            "batched.sql",
        )
        _, logs = run_dbt_and_capture(["run"], expect_pass=False)
        assert "Building" in logs and "in 2 partition batches" in logs
        assert "boom" in logs
        assert count(project, "batched") == 130
        assert keys_under(emulator_endpoint, f"data/{schema}/batched/") == before
        assert table_names(emulator_endpoint, schema) == ["batched"]
        assert not [k for k in keys_under(emulator_endpoint, f"data/{schema}/") if "batched__dbt_tmp" in k]


RELATION_MACROS = """
{% macro truncate_it(name) %}
  {% do truncate_relation(api.Relation.create(database=target.database, schema=target.schema, identifier=name)) %}
{% endmacro %}
{% macro rename_it(name, new_name) %}
  {%- set old = api.Relation.create(database=target.database, schema=target.schema, identifier=name, type='table') -%}
  {% do rename_relation(old, old.incorporate(path={'identifier': new_name})) %}
{% endmacro %}
"""


class TestTruncateAndRename:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"parted.sql": "{{ config(materialized='table', partitioned_by=['grp']) }}\n" + ROWS}

    @pytest.fixture(scope="class")
    def macros(self) -> dict[str, str]:
        return {"relation_macros.sql": RELATION_MACROS}

    def test_truncate_then_rename(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        run_dbt(["run"])
        location = table_location(emulator_endpoint, schema, "parted")
        run_dbt(["run-operation", "truncate_it", "--args", "{name: parted}"])
        assert count(project, "parted") == 0
        assert keys_under(emulator_endpoint, location.removeprefix(f"s3://{BUCKET}/") + "/") == []
        assert (
            glue_client(emulator_endpoint).get_partitions(DatabaseName=schema, TableName="parted")[
                "Partitions"
            ]
            == []
        )
        run_dbt(["run"])
        run_dbt(["run-operation", "rename_it", "--args", "{name: parted, new_name: renamed}"])
        assert table_names(emulator_endpoint, schema) == ["renamed"]
        assert count(project, "renamed") == 12


class TestTmpTableDirAndStagingRoot:
    """No s3_data_dir: tables live under s3_staging_dir/tables/; rebuilds of fixed paths pass through s3_tmp_table_dir."""

    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict[str, Any]) -> dict[str, Any]:
        profile = {key: value for key, value in dbt_profile_target.items() if key != "s3_data_dir"}
        return {**profile, "s3_tmp_table_dir": f"s3://{BUCKET}/tmp/", "s3_data_naming": "schema_table"}

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"fixed.sql": "{{ config(materialized='table', partitioned_by=['grp']) }}\n" + ROWS}

    def test_locations(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        for _ in range(2):
            run_dbt(["run"])
            location = table_location(emulator_endpoint, schema, "fixed")
            assert location.rstrip("/") == f"s3://{BUCKET}/staging/tables/{schema}/fixed"
            assert count(project, "fixed") == 12
        assert not keys_under(emulator_endpoint, f"tmp/{schema}/")
        assert len(keys_under(emulator_endpoint, f"staging/tables/{schema}/fixed/")) == 3


class TestPartitioningChanges:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"shape.sql": "{{ config(materialized='table', partitioned_by=['grp']) }}\n" + ROWS}

    def test_partitioned_to_plain_to_partitioned(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        glue = glue_client(emulator_endpoint)
        for config, expected in (
            ("partitioned_by=['grp']", 3),
            ("format='orc'", 0),
            ("partitioned_by=['name']", 12),
        ):
            write_file(
                f"{{{{ config(materialized='table', {config}) }}}}\n{ROWS}",
                project.project_root,
                "models",
                "shape.sql",
            )
            run_dbt(["run"])
            assert len(glue.get_partitions(DatabaseName=schema, TableName="shape")["Partitions"]) == expected
            assert count(project, "shape") == 12
            location = table_location(emulator_endpoint, schema, "shape").removeprefix(f"s3://{BUCKET}/")
            assert [
                k for k in keys_under(emulator_endpoint, f"data/{schema}/") if not k.startswith(location)
            ] == []


class TestViewToTable:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"shifty.sql": "{{ config(materialized='view') }}\n" + ROWS}

    def test_the_view_stays_until_the_table_is_built(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        run_dbt(["run"])
        broken = "{{ config(materialized='table') }}\nselect no_such_column from (" + ROWS + ")"
        write_file(broken, project.project_root, "models", "shifty.sql")
        run_dbt(["run"], expect_pass=False)
        view = glue_client(emulator_endpoint).get_table(DatabaseName=schema, Name="shifty")["Table"]
        assert view["TableType"] == "VIRTUAL_VIEW"
        assert count(project, "shifty") == 12
        write_file(
            "{{ config(materialized='table') }}\n" + ROWS, project.project_root, "models", "shifty.sql"
        )
        run_dbt(["run"])
        table = glue_client(emulator_endpoint).get_table(DatabaseName=schema, Name="shifty")["Table"]
        assert table["TableType"] == "EXTERNAL_TABLE"
        assert count(project, "shifty") == 12
        assert table_names(emulator_endpoint, schema) == ["shifty"]
