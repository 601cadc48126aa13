"""Catalog statements and information_schema against real Glue/S3 APIs (moto's server, loopback only).

The functions are called directly with the engine's own clients, the way the engine's router calls
them, so these tests do not depend on the HTTP front end.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from moto.server import ThreadedMotoServer

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryCancelled, QueryContext, QueryResult
from dbt_athena_lite.emulator.engine.catalog_glue import list_database_names
from dbt_athena_lite.emulator.engine.catalog_statements import run_catalog_statement
from dbt_athena_lite.emulator.engine.clients import EngineClients, make_clients
from dbt_athena_lite.emulator.engine.information_schema import information_schema_table

pytestmark = pytest.mark.emulator
RunQuery = Callable[..., tuple[str, list[tuple[str | None, ...]], dict[str, Any]]]

REGION = "us-east-1"
BUCKET = "catalog-tests"
PARQUET_SD: dict[str, Any] = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}


@pytest.fixture(scope="module")
def clients() -> Iterator[EngineClients]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    engine_clients = make_clients(f"http://{host}:{port}", REGION)
    engine_clients.s3.create_bucket(Bucket=BUCKET)
    yield engine_clients
    server.stop()


@pytest.fixture
def database(clients: EngineClients) -> str:
    """A fresh database per test, so tests never see each other's tables."""
    name = f"db_{uuid.uuid4().hex[:8]}"
    clients.glue.create_database(DatabaseInput={"Name": name})
    return name


def run(clients: EngineClients, sql: str, database: str | None = None) -> QueryResult:
    context = QueryContext(
        query_id=str(uuid.uuid4()),
        account_id="123456789012",
        region=REGION,
        catalog="awsdatacatalog",
        database=database,
        output_location=f"s3://{BUCKET}/results/",
    )
    result = run_catalog_statement(sql, context, clients)
    assert result is not None, f"not treated as a catalog statement: {sql}"
    return result


def values(result: QueryResult) -> list[str]:
    return [row[0] for row in result.rows]


def create_table(
    clients: EngineClients,
    database: str,
    name: str,
    *,
    partition_keys: tuple[str, ...] = ("dt",),
    parameters: dict[str, str] | None = None,
) -> str:
    location = f"s3://{BUCKET}/{database}/{name}"
    clients.glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": parameters or {"classification": "parquet"},
            "PartitionKeys": [{"Name": key, "Type": "string"} for key in partition_keys],
            "StorageDescriptor": {
                **PARQUET_SD,
                "Location": location,
                "Columns": [
                    {"Name": "id", "Type": "int"},
                    {"Name": "tags", "Type": "map<string,array<int>>"},
                ],
            },
        },
    )
    return location


def create_view(clients: EngineClients, database: str, name: str, sql: str) -> None:
    payload = base64.b64encode(json.dumps({"originalSql": sql, "columns": []}).encode()).decode()
    clients.glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": name,
            "TableType": "VIRTUAL_VIEW",
            "ViewOriginalText": f"/* Presto View: {payload} */",
            "StorageDescriptor": {"Columns": [{"Name": "x", "Type": "int"}]},
        },
    )


@contextlib.contextmanager
def glue_calls(clients: EngineClients) -> Iterator[list[str]]:
    """The names of the Glue operations the engine's client makes inside the block."""
    calls: list[str] = []

    def record(event_name: str, **_: Any) -> None:
        calls.append(event_name.rsplit(".", 1)[-1])

    clients.glue.meta.events.register("before-call.glue", record)
    try:
        yield calls
    finally:
        clients.glue.meta.events.unregister("before-call.glue", record)


def partitions(clients: EngineClients, database: str, table: str) -> dict[tuple[str, ...], str]:
    found = clients.glue.get_partitions(DatabaseName=database, TableName=table)["Partitions"]
    return {tuple(p["Values"]): p["StorageDescriptor"]["Location"] for p in found}


def test_other_statements_are_left_to_the_sql_engine(clients: EngineClients) -> None:
    context = QueryContext("q", "1", REGION, "awsdatacatalog", None, None)
    assert run_catalog_statement("SELECT 1", context, clients) is None


def test_add_partitions_default_to_hive_folders_under_the_table(
    clients: EngineClients, database: str
) -> None:
    location = create_table(clients, database, "events", partition_keys=("dt", "region"))
    result = run(
        clients,
        "ALTER TABLE events ADD PARTITION (dt='2024-01-01', region='eu/west') "
        "PARTITION (region='us', dt='2024-01-02') LOCATION 's3://elsewhere/x/'",
        database,
    )
    assert result.statement_type == "DDL" and not result.rows
    assert partitions(clients, database, "events") == {
        ("2024-01-01", "eu/west"): f"{location}/dt=2024-01-01/region=eu%2Fwest",
        ("2024-01-02", "us"): "s3://elsewhere/x/",
    }
    stored = clients.glue.get_partition(
        DatabaseName=database, TableName="events", PartitionValues=["2024-01-02", "us"]
    )["Partition"]
    assert stored["StorageDescriptor"]["SerdeInfo"] == PARQUET_SD["SerdeInfo"]


def test_adding_an_existing_partition_fails_unless_if_not_exists(
    clients: EngineClients, database: str
) -> None:
    create_table(clients, database, "events")
    run(clients, f"ALTER TABLE {database}.events ADD PARTITION (dt='a')")
    with pytest.raises(AthenaQueryError, match="Partition already exists"):
        run(clients, f"ALTER TABLE {database}.events ADD PARTITION (dt='a')")
    run(clients, f"ALTER TABLE {database}.events ADD IF NOT EXISTS PARTITION (dt='a') PARTITION (dt='b')")
    assert set(partitions(clients, database, "events")) == {("a",), ("b",)}


def test_partition_spec_must_name_the_partition_keys(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "events")
    with pytest.raises(AthenaQueryError, match="Non-Partition column"):
        run(clients, "ALTER TABLE events ADD PARTITION (id='1')", database)


def test_drop_partitions(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "events", partition_keys=("dt", "hour"))
    run(
        clients,
        "ALTER TABLE events ADD PARTITION (dt='a', hour='1') PARTITION (dt='a', hour='2') "
        "PARTITION (dt='b', hour='1')",
        database,
    )
    run(clients, "ALTER TABLE events DROP PARTITION (dt='a')", database)  # partial spec: both hours
    assert set(partitions(clients, database, "events")) == {("b", "1")}
    with pytest.raises(AthenaQueryError, match="Partition not found") as raised:
        run(clients, "ALTER TABLE events DROP PARTITION (dt='zzz', hour='1')", database)
    assert raised.value.error_name == "PARTITION_NOT_FOUND"
    run(
        clients,
        "ALTER TABLE events DROP IF EXISTS PARTITION (dt='zzz', hour='1'), PARTITION (dt='b', hour='1')",
        database,
    )
    assert partitions(clients, database, "events") == {}


def test_set_partition_location(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "events")
    run(clients, "ALTER TABLE events ADD PARTITION (dt='a')", database)
    run(clients, "ALTER TABLE events PARTITION (dt='a') SET LOCATION 's3://b/moved/'", database)
    assert partitions(clients, database, "events") == {("a",): "s3://b/moved/"}


def test_rename_partition_keeps_its_location(clients: EngineClients, database: str) -> None:
    location = create_table(clients, database, "events")
    run(clients, "ALTER TABLE events ADD PARTITION (dt='a') PARTITION (dt='b')", database)
    run(clients, "ALTER TABLE events PARTITION (dt='a') RENAME TO PARTITION (dt='c')", database)
    assert partitions(clients, database, "events") == {("b",): f"{location}/dt=b", ("c",): f"{location}/dt=a"}
    with pytest.raises(AthenaQueryError, match="Partition already exists"):
        run(clients, "ALTER TABLE events PARTITION (dt='b') RENAME TO PARTITION (dt='c')", database)
    with pytest.raises(AthenaQueryError, match="Partition not found"):
        run(clients, "ALTER TABLE events PARTITION (dt='zz') RENAME TO PARTITION (dt='y')", database)


def test_msck_repair_adds_only_missing_hive_folders(clients: EngineClients, database: str) -> None:
    location = create_table(clients, database, "logs", partition_keys=("dt", "region"))
    prefix = location.removeprefix(f"s3://{BUCKET}/")
    for key in [
        "dt=2024-01-01/region=eu/a.parquet",
        "dt=2024-01-01/region=eu/b.parquet",
        "dt=2024-01-02/region=us%3Aeast/a.parquet",
        "not_a_partition/a.parquet",
    ]:
        clients.s3.put_object(Bucket=BUCKET, Key=f"{prefix}/{key}", Body=b"x")
    run(
        clients,
        "ALTER TABLE logs ADD PARTITION (dt='2024-01-01', region='eu') LOCATION 's3://kept/'",
        database,
    )
    run(clients, "ALTER TABLE logs ADD PARTITION (dt='2023-12-31', region='gone')", database)

    result = run(clients, f"MSCK REPAIR TABLE {database}.logs")

    assert result.statement_type == "DDL"
    assert partitions(clients, database, "logs") == {
        ("2024-01-01", "eu"): "s3://kept/",  # already registered: untouched
        ("2023-12-31", "gone"): f"{location}/dt=2023-12-31/region=gone",  # never removed
        ("2024-01-02", "us:east"): f"{location}/dt=2024-01-02/region=us%3Aeast",
    }


def test_msck_repair_stops_when_the_query_is_cancelled(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "logs")
    context = QueryContext("q", "1", REGION, "awsdatacatalog", database, None)
    context.cancelled.set()
    with pytest.raises(QueryCancelled):
        run_catalog_statement("MSCK REPAIR TABLE logs", context, clients)


def test_rename_copies_table_and_partitions(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "old", parameters={"classification": "parquet", "owner": "me"})
    run(clients, "ALTER TABLE old ADD PARTITION (dt='a') PARTITION (dt='b')", database)
    before = clients.glue.get_table(DatabaseName=database, Name="old")["Table"]

    run(clients, "ALTER TABLE old RENAME TO new", database)

    after = clients.glue.get_table(DatabaseName=database, Name="new")["Table"]
    for key in ("StorageDescriptor", "PartitionKeys", "Parameters", "TableType"):
        assert after[key] == before[key]
    assert set(partitions(clients, database, "new")) == {("a",), ("b",)}
    with pytest.raises(AthenaQueryError, match="Table not found"):
        run(clients, "SHOW COLUMNS IN old", database)


def test_rename_onto_an_existing_table_fails(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "a")
    create_table(clients, database, "b")
    with pytest.raises(AthenaQueryError, match="already exists"):
        run(clients, "ALTER TABLE a RENAME TO b", database)


def test_set_tblproperties_merges(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "t", parameters={"a": "1", "b": "2"})
    run(clients, "ALTER TABLE t SET TBLPROPERTIES ('b'='20', 'c'='30')", database)
    assert values(run(clients, "SHOW TBLPROPERTIES t", database)) == ["a\t1", "b\t20", "c\t30"]
    assert values(run(clients, "SHOW TBLPROPERTIES t('c')", database)) == ["30"]


def test_add_replace_and_change_columns(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "t")
    run(clients, "ALTER TABLE t ADD COLUMNS (name string COMMENT 'who', price decimal(10,2))", database)
    assert values(run(clients, "SHOW COLUMNS IN t", database)) == ["id", "tags", "name", "price", "dt"]
    with pytest.raises(AthenaQueryError, match="Duplicate column name: dt"):
        run(clients, "ALTER TABLE t ADD COLUMNS (dt string)", database)
    run(clients, "ALTER TABLE t CHANGE COLUMN price price double", database)
    columns = clients.glue.get_table(DatabaseName=database, Name="t")["Table"]["StorageDescriptor"]["Columns"]
    assert columns[2] == {"Name": "name", "Type": "string", "Comment": "who"}
    assert columns[3] == {"Name": "price", "Type": "double"}
    run(clients, "ALTER TABLE t REPLACE COLUMNS (only_one bigint)", database)
    assert values(run(clients, "SHOW COLUMNS IN t", database)) == ["only_one", "dt"]


def test_alter_of_iceberg_table_without_metadata_fails(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "ice", partition_keys=(), parameters={"table_type": "ICEBERG"})
    with pytest.raises(AthenaQueryError, match="Iceberg metadata") as raised:
        run(clients, "ALTER TABLE ice ADD COLUMNS (x int)", database)
    assert raised.value.error_name == "ICEBERG_INVALID_METADATA"


def test_iceberg_columns_retired_by_schema_changes_are_hidden(clients: EngineClients, database: str) -> None:
    retired = {"iceberg.field.current": "false", "iceberg.field.id": "3"}
    clients.glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": "ice",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {
                "table_type": "ICEBERG",
                "metadata_location": f"s3://{BUCKET}/ice/metadata/1.json",
            },
            "StorageDescriptor": {
                "Location": f"s3://{BUCKET}/ice",
                "Columns": [
                    {"Name": "id", "Type": "int", "Parameters": {"iceberg.field.current": "true"}},
                    {"Name": "old", "Type": "string", "Parameters": retired},
                ],
            },
        },
    )
    assert values(run(clients, "SHOW COLUMNS IN ice", database)) == ["id"]
    context = QueryContext("q", "1", REGION, "awsdatacatalog", database, None)
    columns = information_schema_table("columns", context, clients, databases=[database]).to_pylist()
    assert [row["column_name"] for row in columns] == ["id"]


def test_missing_table_and_database_errors(clients: EngineClients, database: str) -> None:
    with pytest.raises(AthenaQueryError) as raised:
        run(clients, "SHOW PARTITIONS nope", database)
    assert raised.value.error_name == "TABLE_NOT_FOUND"
    assert f"Table not found {database}.nope" in raised.value.message
    with pytest.raises(AthenaQueryError) as raised:
        run(clients, "SHOW TABLES IN no_such_db")
    assert raised.value.error_name == "SCHEMA_NOT_FOUND"


def test_show_databases_tables_and_views(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "b_table")
    create_table(clients, database, "a_table")
    create_view(clients, database, "a_view", "SELECT 1 AS x")

    databases = run(clients, f"SHOW DATABASES LIKE '{database}*'")
    assert values(databases) == [database]
    assert [column.name for column in databases.columns] == ["database_name"]

    tables = run(clients, f"SHOW TABLES IN {database}")
    assert values(tables) == ["a_table", "a_view", "b_table"]
    assert [column.name for column in tables.columns] == ["tab_name"]
    assert (tables.statement_type, tables.has_header_row) == ("UTILITY", False)
    assert values(run(clients, "SHOW TABLES 'a_*'", database)) == ["a_table", "a_view"]
    assert values(run(clients, f"SHOW VIEWS IN {database}")) == ["a_view"]


def test_show_partitions_sorted_and_escaped(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "t", partition_keys=("dt", "region"))
    run(
        clients, "ALTER TABLE t ADD PARTITION (dt='b', region='x') PARTITION (dt='a', region='y/z')", database
    )
    result = run(clients, "SHOW PARTITIONS t", database)
    assert values(result) == ["dt=a/region=y%2Fz", "dt=b/region=x"]
    assert [column.name for column in result.columns] == ["partition"]


def test_show_partitions_of_unpartitioned_table_fails(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "flat", partition_keys=())
    with pytest.raises(AthenaQueryError, match="is not a partitioned table"):
        run(clients, "SHOW PARTITIONS flat", database)


def test_show_create_table_and_view(clients: EngineClients, database: str) -> None:
    location = create_table(clients, database, "t")
    lines = values(run(clients, "SHOW CREATE TABLE t", database))
    assert lines[0] == f"CREATE EXTERNAL TABLE `{database}.t`("
    assert "  `id` int, " in lines and "  `tags` map<string,array<int>>)" in lines
    assert lines[lines.index("PARTITIONED BY ( ") + 1] == "  `dt` string)"
    assert lines[lines.index("LOCATION") + 1] == f"  '{location}'"

    create_view(clients, database, "v", "SELECT 1 AS x")
    view = run(clients, "SHOW CREATE VIEW v", database)
    assert values(view) == [
        f'CREATE VIEW "awsdatacatalog"."{database}"."v" SECURITY DEFINER AS\nSELECT 1 AS x'
    ]
    with pytest.raises(AthenaQueryError, match="SHOW CREATE VIEW"):
        run(clients, "SHOW CREATE TABLE v", database)


def test_describe_formatted_includes_location(clients: EngineClients, database: str) -> None:
    location = create_table(clients, database, "t")
    lines = values(run(clients, "DESCRIBE FORMATTED t", database))
    assert lines[0].split("\t")[0].rstrip() == "id"
    assert any(line.startswith("Location:") and location in line for line in lines)


def test_information_schema_tables_columns_views(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "t")
    create_view(clients, database, "v", "SELECT 1 AS x")
    context = QueryContext("q", "1", REGION, "awsdatacatalog", database, None)

    schemata = information_schema_table("schemata", context, clients).to_pylist()
    assert {"catalog_name": "awsdatacatalog", "schema_name": database} in schemata
    assert {"catalog_name": "awsdatacatalog", "schema_name": "information_schema"} in schemata

    tables = [
        row
        for row in information_schema_table("tables", context, clients).to_pylist()
        if row["table_schema"] == database
    ]
    assert [(row["table_name"], row["table_type"]) for row in tables] == [("t", "BASE TABLE"), ("v", "VIEW")]

    columns = [
        row
        for row in information_schema_table("COLUMNS", context, clients).to_pylist()
        if row["table_schema"] == database and row["table_name"] == "t"
    ]
    assert [(c["column_name"], c["ordinal_position"], c["data_type"], c["extra_info"]) for c in columns] == [
        ("id", 1, "integer", None),
        ("tags", 2, "map(varchar,array(integer))", None),
        ("dt", 3, "varchar", "partition key"),
    ]

    views = [
        row
        for row in information_schema_table("views", context, clients).to_pylist()
        if row["table_schema"] == database
    ]
    assert views == [
        {
            "table_catalog": "awsdatacatalog",
            "table_schema": database,
            "table_name": "v",
            "view_definition": "SELECT 1 AS x",
        }
    ]

    with pytest.raises(AthenaQueryError, match=r"information_schema\.nope"):
        information_schema_table("nope", context, clients)


def test_information_schema_reads_each_database_with_one_get_tables(clients: EngineClients) -> None:
    databases = [f"count_{uuid.uuid4().hex[:6]}_{index}" for index in range(3)]
    for database in databases:
        clients.glue.create_database(DatabaseInput={"Name": database})
        for index in range(4):
            create_table(clients, database, f"t{index}")
    context = QueryContext("q", "1", REGION, "awsdatacatalog", None, None)
    with glue_calls(clients) as calls:
        rows = information_schema_table("columns", context, clients).to_pylist()

    assert {(row["table_schema"], row["table_name"]) for row in rows} >= {
        (database, f"t{index}") for database in databases for index in range(4)
    }
    assert calls.count("GetTable") == 0 and calls.count("GetPartitions") == 0
    assert calls.count("GetTables") == len(list_database_names(clients.glue))  # one page each here
    assert calls.count("GetDatabases") == 1


# -- end to end: the statements through the emulator's Athena API and SQL engine --------------------------


def _parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"id": pa.array([1, 2], pa.int32()), "name": ["a", "b"]}), buffer)
    return buffer.getvalue()


def test_partitions_registered_by_msck_are_queryable(run_query: RunQuery, s3: Any, bucket: str) -> None:
    database = f"e2e_{uuid.uuid4().hex[:8]}"
    assert run_query(f"CREATE DATABASE {database}")[0] == "SUCCEEDED"
    state, _, execution = run_query(
        f"CREATE EXTERNAL TABLE {database}.events (id int, name string) PARTITIONED BY (dt string) "
        f"STORED AS PARQUET LOCATION 's3://{bucket}/events/'"
    )
    assert state == "SUCCEEDED", execution["Status"]
    for day in ("2024-01-01", "2024-01-02"):
        s3.put_object(Bucket=bucket, Key=f"events/dt={day}/part-0.parquet", Body=_parquet_bytes())

    assert run_query(f"MSCK REPAIR TABLE {database}.events")[0] == "SUCCEEDED"
    state, rows, execution = run_query("SHOW PARTITIONS events", database)
    assert (state, execution["StatementType"]) == ("SUCCEEDED", "UTILITY")
    assert rows == [("dt=2024-01-01",), ("dt=2024-01-02",)]  # no header row for SHOW

    run_query(f"ALTER TABLE {database}.events DROP PARTITION (dt='2024-01-01')")
    _, rows, _ = run_query(f"SELECT dt, count(*) FROM {database}.events GROUP BY dt")
    assert rows == [("dt", "_col1"), ("2024-01-02", "2")]


def test_information_schema_through_sql(run_query: RunQuery, bucket: str) -> None:
    database = f"e2e_{uuid.uuid4().hex[:8]}"
    run_query(f"CREATE DATABASE {database}")
    run_query(
        f"CREATE EXTERNAL TABLE {database}.t (id int) PARTITIONED BY (dt string) "
        f"STORED AS PARQUET LOCATION 's3://{bucket}/t/'"
    )
    run_query(f"CREATE VIEW {database}.v AS SELECT id FROM {database}.t")
    state, rows, _ = run_query(
        "SELECT table_name, table_type FROM information_schema.tables "
        f"WHERE table_schema = '{database}' ORDER BY table_name"
    )
    assert (state, rows) == ("SUCCEEDED", [("table_name", "table_type"), ("t", "BASE TABLE"), ("v", "VIEW")])
    _, rows, _ = run_query(
        "SELECT column_name, data_type, extra_info FROM information_schema.columns "
        f"WHERE table_schema = '{database}' AND table_name = 't' ORDER BY ordinal_position"
    )
    assert rows[1:] == [("id", "integer", None), ("dt", "varchar", "partition key")]


def test_information_schema_narrowed_to_some_databases(clients: EngineClients, database: str) -> None:
    create_table(clients, database, "t")
    context = QueryContext("q", "1", REGION, "awsdatacatalog", None, None)
    with glue_calls(clients) as calls:
        rows = information_schema_table("tables", context, clients, databases=[database.upper()]).to_pylist()
    assert rows == [
        {
            "table_catalog": "awsdatacatalog",
            "table_schema": database,
            "table_name": "t",
            "table_type": "BASE TABLE",
        }
    ]
    assert calls == ["GetDatabases", "GetTables"]
    own = information_schema_table("schemata", context, clients, databases=["information_schema"]).to_pylist()
    assert own == [{"catalog_name": "awsdatacatalog", "schema_name": "information_schema"}]
