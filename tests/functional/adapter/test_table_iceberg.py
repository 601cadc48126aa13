"""Iceberg table materialization on the emulator: transforms, properties, swaps, batches, drops."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.util import run_dbt, run_dbt_and_capture, write_file

from tests.functional.adapter.tables_util import ROWS, count, glue_client, keys_under, table_names
from tests.functional.conftest import BUCKET

EVENTS = (
    "select id, cast(date_add('day', id % 5, timestamp '2024-01-01 00:00:00') as timestamp(6)) as ts, "
    "'r' || cast(id % 2 as varchar) as region from unnest(sequence(1, 20)) as t(id)"
)


class TestIcebergTable:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "events.sql": "{{ config(materialized='table', table_type='iceberg', "
            "partitioned_by=['day(ts)', 'bucket(4, id)', 'region'], "
            "table_properties={'optimize_rewrite_delete_file_threshold': '2'}) }}\n" + EVENTS,
            "plain.sql": "{{ config(materialized='table', table_type='iceberg', format='orc') }}\n" + ROWS,
        }

    def test_build_rebuild_swap(self, project: Any, emulator_endpoint: str) -> None:
        schema = project.test_schema
        locations = []
        for _ in range(2):
            assert {r.status for r in run_dbt(["run"])} == {"success"}
            table = glue_client(emulator_endpoint).get_table(DatabaseName=schema, Name="events")["Table"]
            assert table["Parameters"]["table_type"].upper() == "ICEBERG"
            assert table["Parameters"]["metadata_location"].startswith(table["StorageDescriptor"]["Location"])
            locations.append(table["StorageDescriptor"]["Location"])
            assert count(project, "events") == 20
            assert count(project, "plain") == 12
        assert locations[0] != locations[1]
        # The old build's data went with the swap; only the current location holds objects.
        assert keys_under(emulator_endpoint, locations[0].removeprefix(f"s3://{BUCKET}/") + "/") == []
        assert table_names(emulator_endpoint, schema) == ["events", "plain"]

    def test_failing_rebuild_keeps_the_table(self, project: Any, emulator_endpoint: str) -> None:
        run_dbt(["run"])
        write_file(
            "{{ config(materialized='table', table_type='iceberg') }}\nselect no_such_column from ("
            + ROWS
            + ")",
            project.project_root,
            "models",
            "plain.sql",
        )
        run_dbt(["run", "--select", "plain"], expect_pass=False)
        assert count(project, "plain") == 12
        assert table_names(emulator_endpoint, project.test_schema) == ["events", "plain"]


class TestIcebergManyPartitions:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "many.sql": "{{ config(materialized='table', table_type='iceberg', partitioned_by=['p']) }}\n"
            "select id, id as p from unnest(sequence(1, 130)) as t(id)",
        }

    def test_batched(self, project: Any) -> None:
        run_dbt(["run"])
        assert count(project, "many") == 130


class TestIcebergNeedsUniqueLocations:
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "fixed.sql": "{{ config(materialized='table', table_type='iceberg', s3_data_naming='table') }}\n"
            + ROWS
        }

    def test_refused(self, project: Any) -> None:
        _, logs = run_dbt_and_capture(["run"], expect_pass=False)
        assert "'iceberg' needs a new location for every build" in logs
