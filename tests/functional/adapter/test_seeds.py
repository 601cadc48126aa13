"""dbt's seed suites on the emulator, and what seeding through S3 must guarantee on Athena."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
from dbt.tests.adapter.simple_seed import seeds as seed_fixtures
from dbt.tests.adapter.simple_seed.test_seed import (
    BaseBasicSeedTests,
    BaseSeedConfigFullRefreshOff,
    BaseSeedConfigFullRefreshOn,
    BaseSeedCustomSchema,
    BaseSeedParsing,
    BaseSeedSpecificFormats,
    BaseSeedWithEmptyDelimiter,
    BaseSeedWithUniqueDelimiter,
    BaseSeedWithWrongDelimiter,
    BaseSimpleSeedEnabledViaConfig,
    BaseSimpleSeedWithBOM,
    BaseTestEmptySeed,
)
from dbt.tests.adapter.simple_seed.test_seed_type_override import BaseSimpleSeedColumnOverride
from dbt.tests.util import run_dbt, update_config_file

from tests.functional.conftest import BUCKET, REGION


def athena_expected_sql() -> str:
    """dbt's `seed_expected` table (Postgres DDL plus INSERT) as one Athena CTAS over VALUES."""
    values = seed_fixtures.seeds__expected_sql.split("VALUES", 1)[1].strip().rstrip(";")
    return (
        "create table {schema}.seed_expected as select cast(seed_id as integer) as seed_id, first_name, "
        "email, ip_address, cast(birthday as timestamp) as birthday "
        f"from (values {values}) as t(seed_id, first_name, email, ip_address, birthday)"
    )


class AthenaExpectedTable:
    @pytest.fixture(scope="class", autouse=True)
    def setUp(self, project: Any) -> None:
        project.run_sql(athena_expected_sql())


# Athena has no DROP ... CASCADE: a seed is replaced in place (Glue swap), so the views built on it
# survive a full refresh and keep working, where Postgres drops them.
_KEEPS_DOWNSTREAM = "Athena drops no dependent views: the seed is swapped in place, downstream views survive"


class TestBasicSeed(AthenaExpectedTable, BaseBasicSeedTests):
    def test_simple_seed_full_refresh_flag(self, project: Any) -> None:
        self._build_relations_for_test(project)
        self._check_relation_end_state(run_dbt(["seed", "--full-refresh"]), project, exists=True)


class TestSeedConfigFullRefreshOn(AthenaExpectedTable, BaseSeedConfigFullRefreshOn):
    def test_simple_seed_full_refresh_config(self, project: Any) -> None:
        # _KEEPS_DOWNSTREAM
        self._build_relations_for_test(project)
        self._check_relation_end_state(run_dbt(["seed"]), project, exists=True)


class TestSeedConfigFullRefreshOff(AthenaExpectedTable, BaseSeedConfigFullRefreshOff):
    pass


class TestSeedCustomSchema(AthenaExpectedTable, BaseSeedCustomSchema):
    pass


class TestSeedWithUniqueDelimiter(AthenaExpectedTable, BaseSeedWithUniqueDelimiter):
    pass


class TestSeedWithWrongDelimiter(AthenaExpectedTable, BaseSeedWithWrongDelimiter):
    def test_seed_with_wrong_delimiter(self, project: Any) -> None:
        # The file parses as one column named 'seed_id|first_name|...'. Athena would take that name in
        # backticks, so there is no syntax error to expect: the adapter refuses it and names the config.
        result = run_dbt(["seed"], expect_pass=False)
        assert "looks separated by another character" in result.results[0].message
        assert "`delimiter` config" in result.results[0].message


class TestSeedWithEmptyDelimiter(AthenaExpectedTable, BaseSeedWithEmptyDelimiter):
    pass


class TestSimpleSeedEnabledViaConfig(BaseSimpleSeedEnabledViaConfig):
    pass


class TestSeedParsing(AthenaExpectedTable, BaseSeedParsing):
    pass


class TestSimpleSeedWithBOM(BaseSimpleSeedWithBOM):
    @pytest.fixture(scope="class", autouse=True)
    def setUp(self, project: Any) -> None:
        # dbt's suite copies seed_bom.csv from the test's own directory; it ships in dbt's package.
        project.run_sql(athena_expected_sql())
        shutil.copy(
            Path(seed_fixtures.__file__).parent / "seed_bom.csv",
            project.project_root / "seeds" / "seed_bom.csv",
        )


class TestSeedSpecificFormats(BaseSeedSpecificFormats):
    pass


class TestEmptySeed(BaseTestEmptySeed):
    pass


_GLUE_TYPES_YML = """
version: 2
seeds:
- name: seed_enabled
  columns:
  - name: birthday
    data_tests: [{column_type: {type: date}}]
  - name: seed_id
    data_tests: [{column_type: {type: string}}]
- name: seed_tricky
  columns:
  - name: seed_id
    data_tests: [{column_type: {type: bigint}}]
  - name: seed_id_str
    data_tests: [{column_type: {type: string}}]
  - name: a_bool
    data_tests: [{column_type: {type: boolean}}]
  - name: looks_like_a_bool
    data_tests: [{column_type: {type: string}}]
  - name: a_date
    data_tests: [{column_type: {type: timestamp}}]
  - name: looks_like_a_date
    data_tests: [{column_type: {type: string}}]
  - name: relative
    data_tests: [{column_type: {type: string}}]
  - name: weekday
    data_tests: [{column_type: {type: string}}]
"""


class TestSimpleSeedColumnOverride(BaseSimpleSeedColumnOverride):
    """The same checks with Athena's types: `text` does not exist there; Glue reports `string`."""

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"schema.yml": _GLUE_TYPES_YML}

    @staticmethod
    def seed_enabled_types() -> dict[str, str]:
        return {"seed_id": "string", "birthday": "date"}

    @staticmethod
    def seed_tricky_types() -> dict[str, str]:
        return {"seed_id_str": "string", "looks_like_a_bool": "string", "looks_like_a_date": "string"}


# --- Athena-specific guarantees -----------------------------------------------------------------------

_TYPED_CSV = (
    "id,name,amount,flag,day,ts,code\n"
    '1,"a, ""quoted""",1.5,true,2020-01-02,2020-01-02 03:04:05,007\n'
    "2,,,,,,\n"
    "3,back\\slash,2.25,False,2021-12-31,2021-12-31 23:59:59,010\n"
)


def _glue_and_s3(endpoint: str) -> tuple[Any, Any]:
    kwargs = {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }
    return boto3.client("glue", **kwargs), boto3.client("s3", **kwargs)


class TestSeedValuesAndCleanup:
    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"typed.csv": _TYPED_CSV}

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {"seeds": {"+column_types": {"code": "varchar(3)"}}}

    def test_values_round_trip_and_nothing_is_left_behind(self, project: Any, emulator_endpoint: str) -> None:
        run_dbt(["seed"])
        rows = project.run_sql(f"select * from {project.test_schema}.typed order by id", fetch="all")
        assert [tuple(row) for row in rows] == [
            (
                1,
                'a, "quoted"',
                1.5,
                True,
                datetime.date(2020, 1, 2),
                datetime.datetime(2020, 1, 2, 3, 4, 5),
                "007",
            ),
            (2, None, None, None, None, None, None),  # empty fields are NULL, whatever the type
            (
                3,
                "back\\slash",
                2.25,
                False,
                datetime.date(2021, 12, 31),
                datetime.datetime(2021, 12, 31, 23, 59, 59),
                "010",
            ),
        ]
        glue, s3 = _glue_and_s3(emulator_endpoint)
        tables = glue.get_tables(DatabaseName=project.test_schema)["TableList"]
        assert [table["Name"] for table in tables] == ["typed"]  # the CSV table is gone
        assert tables[0]["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith(
            "ParquetHiveSerDe"
        )
        keys = [obj["Key"] for obj in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        assert not [key for key in keys if "__dbt_seed_csv" in key]  # and so is the CSV file

    def test_reseed_replaces_the_data_and_removes_the_old_files(
        self, project: Any, emulator_endpoint: str
    ) -> None:
        glue, s3 = _glue_and_s3(emulator_endpoint)
        run_dbt(["seed"])
        before = glue.get_table(DatabaseName=project.test_schema, Name="typed")["Table"]["StorageDescriptor"]
        run_dbt(["seed"])
        after = glue.get_table(DatabaseName=project.test_schema, Name="typed")["Table"]["StorageDescriptor"]
        assert after["Location"] != before["Location"]  # the rebuild went beside the old data
        bucket_key = re.sub(r"^s3://[^/]+/", "", before["Location"]).rstrip("/") + "/"
        assert s3.list_objects_v2(Bucket=BUCKET, Prefix=bucket_key).get("KeyCount", 0) == 0
        assert project.run_sql(f"select count(*) from {project.test_schema}.typed", fetch="one")[0] == 3


class TestFailedReseedKeepsTheOldTable:
    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"people.csv": "id,name\n1,ann\n2,bob\n"}

    def test_a_failing_cast_leaves_the_seed_as_it_was(self, project: Any) -> None:
        run_dbt(["seed"])
        # `name` cannot become an integer: the new table fails to build, and the old one must stay.
        update_config_file(
            {"seeds": {"+column_types": {"name": "integer"}}}, project.project_root, "dbt_project.yml"
        )
        run_dbt(["seed"], expect_pass=False)
        rows = project.run_sql(f"select id, name from {project.test_schema}.people order by id", fetch="all")
        assert [tuple(row) for row in rows] == [(1, "ann"), (2, "bob")]


class TestSeedUploadArgs:
    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"s.csv": "id\n1\n"}

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        # Passed to PutObject as they are: a name PutObject does not know fails, naming the setting.
        return {"seeds": {"+seed_s3_upload_args": {"NotAnArgument": "x"}}}

    def test_upload_args_reach_putobject(self, project: Any) -> None:
        result = run_dbt(["seed"], expect_pass=False)
        message = result.results[0].message
        assert (
            f"seed_s3_upload_args for seed {project.test_schema}.s are not valid PutObject arguments"
            in message
        )


class TestReseedAtAFixedLocation:
    """With `s3_data_naming: schema_table` every build has the same path: a re-seed must move data, not
    write where the current table reads."""

    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"fixed.csv": "id,name\n1,ann\n2,bob\n"}

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {"seeds": {"+s3_data_naming": "schema_table"}}

    def test_reseed_keeps_the_location(self, project: Any, emulator_endpoint: str) -> None:
        glue, _ = _glue_and_s3(emulator_endpoint)
        for _ in range(2):
            run_dbt(["seed"])
            table = glue.get_table(DatabaseName=project.test_schema, Name="fixed")["Table"]
            assert (
                table["StorageDescriptor"]["Location"].rstrip("/").endswith(f"/{project.test_schema}/fixed")
            )
            rows = project.run_sql(
                f"select id, name from {project.test_schema}.fixed order by id", fetch="all"
            )
            assert [tuple(row) for row in rows] == [(1, "ann"), (2, "bob")]


class TestIcebergSeed:
    """table_type='iceberg': the seed is an Iceberg table (microsecond timestamps), rebuilt by rename swap."""

    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"ice.csv": "id,at\n1,2020-01-02 03:04:05.123\n2,\n"}

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {"seeds": {"+table_type": "iceberg", "+column_types": {"at": "timestamp"}}}

    def test_seed_and_reseed(self, project: Any, emulator_endpoint: str) -> None:
        glue, _ = _glue_and_s3(emulator_endpoint)
        for _ in range(2):
            run_dbt(["seed"])
            rows = project.run_sql(f"select id, at from {project.test_schema}.ice order by id", fetch="all")
            assert [tuple(row) for row in rows] == [
                (1, datetime.datetime(2020, 1, 2, 3, 4, 5, 123000)),
                (2, None),
            ]
        table = glue.get_table(DatabaseName=project.test_schema, Name="ice")["Table"]
        assert table["Parameters"]["table_type"].lower() == "iceberg"
        assert [t["Name"] for t in glue.get_tables(DatabaseName=project.test_schema)["TableList"]] == ["ice"]


class TestPartitionedSeed:
    """A seed takes a table's storage config: here Hive partitions on a column that is not last."""

    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {"sales.csv": "day,amount\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n"}

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {"seeds": {"+partitioned_by": ["day"]}}

    def test_partitions_and_rows(self, project: Any, emulator_endpoint: str) -> None:
        glue, _ = _glue_and_s3(emulator_endpoint)
        for _ in range(2):  # the re-seed swaps the partitions in with the table
            run_dbt(["seed"])
            rows = project.run_sql(
                f"select day, sum(amount) from {project.test_schema}.sales group by day order by day",
                fetch="all",
            )
            assert [tuple(row) for row in rows] == [
                (datetime.date(2020, 1, 1), 1),
                (datetime.date(2020, 1, 2), 5),
            ]
        table = glue.get_table(DatabaseName=project.test_schema, Name="sales")["Table"]
        assert [key["Name"] for key in table["PartitionKeys"]] == ["day"]
        partitions = glue.get_partitions(DatabaseName=project.test_schema, TableName="sales")["Partitions"]
        assert sorted(p["Values"][0] for p in partitions) == ["2020-01-01", "2020-01-02"]
