"""Contract tests of the SQL engine against a running emulator (Glue and S3 over its real APIs).

The engine is called directly (Python values back, no rendering in between); a few tests go
through StartQueryExecution to prove the server runs the same engine.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryCancelled, QueryContext, QueryResult
from dbt_athena_lite.emulator.engine.engine import AthenaSqlEngine

Run = Callable[..., QueryResult]

SOURCE_ROWS = """
SELECT * FROM (VALUES
  (1, 'a', CAST(1.5 AS DOUBLE), DECIMAL '10.25', DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00.123', true),
  (2, 'b,c', CAST(-2 AS DOUBLE), DECIMAL '0.00', DATE '2024-02-29', TIMESTAMP '2024-03-01 00:00:00', false),
  (3, NULL, NULL, NULL, NULL, NULL, NULL)
) AS t(id, label, score, amount, day, at, flag)
"""
EXPECTED_ROWS = [
    (1, "a", 1.5, Decimal("10.25"), dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 10, 0, 0, 123000), True),
    (2, "b,c", -2.0, Decimal("0.00"), dt.date(2024, 2, 29), dt.datetime(2024, 3, 1), False),
    (3, None, None, None, None, None, None),
]


@pytest.fixture(scope="module")
def engine(emulator: Any) -> Any:
    built = AthenaSqlEngine(emulator.endpoint_url)
    yield built
    built.close()


@pytest.fixture
def schemas(engine: AthenaSqlEngine, bucket: str) -> Iterator[Callable[[str], str]]:
    """`schemas(prefix)` creates a uniquely named database, dropped (CASCADE) after the test: moto's
    Glue is shared by every emulator in the process, so nothing may leak into other tests."""
    created: list[str] = []

    def create(prefix: str) -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        engine.execute(f"CREATE DATABASE {name}", _context(bucket, None))
        created.append(name)
        return name

    yield create
    for name in created:
        engine.execute(f"DROP DATABASE IF EXISTS {name} CASCADE", _context(bucket, None))


@pytest.fixture
def database(schemas: Callable[[str], str]) -> str:
    return schemas("db")


@pytest.fixture
def run(engine: AthenaSqlEngine, bucket: str, database: str) -> Run:
    """`run(sql, query_id=None, database=<test db>)`: execute on the engine, results under `bucket`."""

    def execute(sql: str, query_id: str | None = None, db: str | None = None) -> QueryResult:
        return engine.execute(sql, _context(bucket, db or database, query_id))

    return execute


def _context(bucket: str, database: str | None, query_id: str | None = None) -> QueryContext:
    return QueryContext(
        query_id=query_id or str(uuid.uuid4()),
        account_id="123456789012",
        region="us-east-1",
        catalog="awsdatacatalog",
        database=database,
        output_location=f"s3://{bucket}/results/",
    )


def _keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    response = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in response.get("Contents", ()))


def _error(run: Run, sql: str) -> AthenaQueryError:
    with pytest.raises(AthenaQueryError) as raised:
        run(sql)
    return raised.value


# --- CTAS ----------------------------------------------------------------------------------------

_PARQUET = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
_ORC = "org.apache.hadoop.hive.ql.io.orc.OrcSerde"
_JSON = "org.apache.hive.hcatalog.data.JsonSerDe"
_TEXT = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
_AVRO = "org.apache.hadoop.hive.serde2.avro.AvroSerDe"


@dataclass(frozen=True)
class FormatCase:
    fmt: str
    compression: str
    serde: str
    parameter: str  # the table parameter recording the codec
    suffix: str  # file name ending


CTAS_FORMATS = [
    FormatCase("PARQUET", "SNAPPY", _PARQUET, "parquet.compression", ".parquet"),
    FormatCase("PARQUET", "GZIP", _PARQUET, "parquet.compression", ".parquet"),
    FormatCase("PARQUET", "ZSTD", _PARQUET, "parquet.compression", ".parquet"),
    FormatCase("PARQUET", "NONE", _PARQUET, "parquet.compression", ".parquet"),
    FormatCase("ORC", "ZLIB", _ORC, "orc.compress", ".orc"),
    FormatCase("ORC", "SNAPPY", _ORC, "orc.compress", ".orc"),
    FormatCase("JSON", "GZIP", _JSON, "write.compression", ".json.gz"),
    FormatCase("JSON", "NONE", _JSON, "write.compression", ".json"),
    FormatCase("TEXTFILE", "GZIP", _TEXT, "write.compression", ".txt.gz"),
    FormatCase("TEXTFILE", "ZSTD", _TEXT, "write.compression", ".txt.zst"),
    FormatCase("AVRO", "DEFLATE", _AVRO, "avro.compression", ".avro"),
    FormatCase("AVRO", "NONE", _AVRO, "avro.compression", ".avro"),
]


@pytest.mark.parametrize("case", CTAS_FORMATS, ids=lambda c: f"{c.fmt}-{c.compression}")
def test_ctas_writes_each_format_registers_it_and_reads_back_equal_rows(  # noqa: PLR0917 (fixtures)
    run: Run, glue: Any, s3: Any, bucket: str, database: str, case: FormatCase
) -> None:
    fmt, compression, serde, parameter, suffix = (
        case.fmt,
        case.compression,
        case.serde,
        case.parameter,
        case.suffix,
    )
    query_id = str(uuid.uuid4())
    location = f"s3://{bucket}/data/{fmt.lower()}_{compression.lower()}/"
    result = run(
        f"CREATE TABLE t WITH (format='{fmt}', write_compression='{compression}', "
        f"external_location='{location}') AS {SOURCE_ROWS}",
        query_id=query_id,
    )
    assert (result.statement_type, result.substatement_type, result.update_count) == (
        "DML",
        "CREATE_TABLE_AS_SELECT",
        3,
    )
    table = glue.get_table(DatabaseName=database, Name="t")["Table"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"] == serde
    assert table["StorageDescriptor"]["Location"] == location
    assert table["Parameters"][parameter] == compression
    assert table["Parameters"]["has_encrypted_data"] == "false"
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "int"),
        ("label", "string"),
        ("score", "double"),
        ("amount", "decimal(4,2)"),
        ("day", "date"),
        ("at", "timestamp"),
        ("flag", "boolean"),
    ]
    assert _keys(s3, bucket, f"data/{fmt.lower()}_{compression.lower()}/") == [
        f"data/{fmt.lower()}_{compression.lower()}/{query_id}_0{suffix}"
    ]
    back = run("SELECT * FROM t ORDER BY id")
    assert list(back.rows) == EXPECTED_ROWS
    assert [c.athena_type for c in back.columns] == [
        "integer", "varchar", "double", "decimal(4,2)", "date", "timestamp", "boolean",
    ]  # fmt: skip
    assert back.data_scanned_bytes > 0


def test_ctas_without_location_goes_under_the_output_location(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    query_id = str(uuid.uuid4())
    run("CREATE TABLE t AS SELECT 1 AS a", query_id=query_id)
    location = glue.get_table(DatabaseName=database, Name="t")["Table"]["StorageDescriptor"]["Location"]
    assert location == f"s3://{bucket}/results/tables/{query_id}"
    assert _keys(s3, bucket, f"results/tables/{query_id}/") == [
        f"results/tables/{query_id}/{query_id}_0.parquet"
    ]
    assert (
        glue.get_table(DatabaseName=database, Name="t")["Table"]["Parameters"]["parquet.compression"]
        == "GZIP"
    )


def test_partitioned_ctas_writes_hive_folders_and_glue_partitions(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    location = f"s3://{bucket}/part/"
    result = run(
        f"CREATE TABLE t WITH (partitioned_by=ARRAY['region', 'day'], external_location='{location}') AS "
        "SELECT * FROM (VALUES (1, 'eu/west', DATE '2024-01-01'), (2, 'eu/west', DATE '2024-01-02'), "
        "(3, 'us', DATE '2024-01-01'), (4, NULL, DATE '2024-01-01')) AS v(id, region, day)"
    )
    assert result.update_count == 4
    table = glue.get_table(DatabaseName=database, Name="t")["Table"]
    assert [(k["Name"], k["Type"]) for k in table["PartitionKeys"]] == [("region", "string"), ("day", "date")]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id"]
    partitions = glue.get_partitions(DatabaseName=database, TableName="t")["Partitions"]
    assert sorted((tuple(p["Values"]), p["StorageDescriptor"]["Location"]) for p in partitions) == [
        (
            ("__HIVE_DEFAULT_PARTITION__", "2024-01-01"),
            f"{location}region=__HIVE_DEFAULT_PARTITION__/day=2024-01-01",
        ),
        (("eu/west", "2024-01-01"), f"{location}region=eu%2Fwest/day=2024-01-01"),
        (("eu/west", "2024-01-02"), f"{location}region=eu%2Fwest/day=2024-01-02"),
        (("us", "2024-01-01"), f"{location}region=us/day=2024-01-01"),
    ]
    folders = {key.rsplit("/", 1)[0] for key in _keys(s3, bucket, "part/")}
    assert folders == {
        "part/region=__HIVE_DEFAULT_PARTITION__/day=2024-01-01",
        "part/region=eu%2Fwest/day=2024-01-01",
        "part/region=eu%2Fwest/day=2024-01-02",
        "part/region=us/day=2024-01-01",
    }
    rows = run("SELECT id, region, day FROM t ORDER BY id").rows
    assert list(rows) == [
        (1, "eu/west", dt.date(2024, 1, 1)),
        (2, "eu/west", dt.date(2024, 1, 2)),
        (3, "us", dt.date(2024, 1, 1)),
        (4, None, dt.date(2024, 1, 1)),
    ]
    assert list(run("SELECT count(*) FROM t WHERE day = DATE '2024-01-01'").rows) == [(3,)]


def test_partition_keys_must_be_the_last_columns(run: Run) -> None:
    error = _error(run, "CREATE TABLE t WITH (partitioned_by=ARRAY['p']) AS SELECT 1 AS p, 2 AS a")
    assert error.error_name == "HIVE_COLUMN_ORDER_MISMATCH"


def test_bucketed_ctas_writes_at_most_one_file_per_bucket(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    query_id = str(uuid.uuid4())
    run(
        f"CREATE TABLE t WITH (bucketed_by=ARRAY['id'], bucket_count=4, external_location='s3://{bucket}/b/') "
        "AS SELECT x AS id, x * 2 AS twice FROM UNNEST(sequence(1, 50)) AS u(x)",
        query_id=query_id,
    )
    descriptor = glue.get_table(DatabaseName=database, Name="t")["Table"]["StorageDescriptor"]
    assert (descriptor["BucketColumns"], descriptor["NumberOfBuckets"]) == (["id"], 4)
    files = _keys(s3, bucket, "b/")
    assert 1 < len(files) <= 4
    assert all(key.split("/")[-1].endswith(f"_0_{query_id}.parquet") for key in files)
    assert list(run("SELECT count(*), sum(twice) FROM t").rows) == [(50, 2550)]


def test_ctas_with_no_data_creates_an_empty_table(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    result = run(
        f"CREATE TABLE t WITH (external_location='s3://{bucket}/nodata/') AS SELECT 1 AS a WITH NO DATA"
    )
    assert result.update_count == 0
    assert _keys(s3, bucket, "nodata/") == []
    empty = run("SELECT * FROM t")
    assert (list(empty.rows), [(c.name, c.athena_type) for c in empty.columns]) == ([], [("a", "integer")])


def test_ctas_into_a_used_location_fails_with_hive_path_already_exists(
    run: Run, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="used/existing.parquet", Body=b"x")
    error = _error(run, f"CREATE TABLE t WITH (external_location='s3://{bucket}/used/') AS SELECT 1 AS a")
    assert error.error_name == "HIVE_PATH_ALREADY_EXISTS"
    assert (
        error.message.startswith("Target directory for table '") and f"s3://{bucket}/used/" in error.message
    )


FAILING_CTAS = [
    # (query after AS, partition column, error name, message start)
    (
        "SELECT x AS a, x AS p FROM UNNEST(sequence(1, 101)) AS u(x)",
        "HIVE_TOO_MANY_OPEN_PARTITIONS",
        "Exceeded limit of 100 open writers for partitions/buckets",
    ),
    (  # the cast fails while the second partition is written
        "SELECT CAST(v AS integer) AS n, p FROM (VALUES ('1', 'a'), ('x', 'b')) AS t(v, p)",
        "INVALID_CAST_ARGUMENT",
        "Could not convert string 'x'",
    ),
]


@pytest.mark.parametrize(("query", "error_name", "message"), FAILING_CTAS)
def test_a_failing_partitioned_ctas_leaves_no_files_and_no_table(  # noqa: PLR0917 (fixtures)
    run: Run, glue: Any, s3: Any, bucket: str, database: str, query: str, error_name: str, message: str
) -> None:
    error = _error(
        run,
        f"CREATE TABLE t WITH (partitioned_by=ARRAY['p'], external_location='s3://{bucket}/bad/') AS {query}",
    )
    assert (error.error_name, error.message.startswith(message)) == (error_name, True)
    assert _keys(s3, bucket, "bad/") == []
    assert glue.get_tables(DatabaseName=database)["TableList"] == []


def test_ctas_of_an_existing_table_fails_unless_if_not_exists(run: Run) -> None:
    run("CREATE TABLE t AS SELECT 1 AS a")
    assert _error(run, "CREATE TABLE t AS SELECT 2 AS a").error_name == "ALREADY_EXISTS"
    assert run("CREATE TABLE IF NOT EXISTS t AS SELECT 2 AS a").update_count == 0
    assert list(run("SELECT a FROM t").rows) == [(1,)]


@pytest.mark.parametrize(
    ("properties", "error_name", "words"),
    [
        ("formatt='PARQUET'", "INVALID_TABLE_PROPERTY", "table property 'formatt' does not exist"),
        ("format='XML'", "INVALID_TABLE_PROPERTY", "Unsupported format 'XML'"),
        ("write_compression='LZO'", "INVALID_TABLE_PROPERTY", "write_compression 'LZO' is not supported"),
        ("is_external=false", "INVALID_TABLE_PROPERTY", "only for Iceberg"),
        ("bucketed_by=ARRAY['a']", "INVALID_TABLE_PROPERTY", "bucket_count must be set together"),
    ],
)
def test_bad_ctas_properties_fail_clearly(run: Run, properties: str, error_name: str, words: str) -> None:
    error = _error(run, f"CREATE TABLE t WITH ({properties}) AS SELECT 1 AS a")
    assert error.error_name == error_name
    assert words in error.message


def test_ctas_of_types_hive_cannot_store_fails_like_athena(run: Run) -> None:
    error = _error(run, "CREATE TABLE t AS SELECT current_timestamp AS ts")
    assert (error.error_name, error.message) == (
        "NOT_SUPPORTED",
        "Unsupported Hive type: timestamp with time zone",
    )


def test_legacy_compression_properties_are_honoured(run: Run, glue: Any, database: str) -> None:
    run("CREATE TABLE t WITH (format='ORC', orc_compression='SNAPPY') AS SELECT 1 AS a")
    assert glue.get_table(DatabaseName=database, Name="t")["Table"]["Parameters"]["orc.compress"] == "SNAPPY"


def test_ctas_needs_column_names(run: Run) -> None:
    assert _error(run, "CREATE TABLE t AS SELECT 1").error_name == "MISSING_COLUMN_NAME"


# --- INSERT INTO ---------------------------------------------------------------------------------


def test_insert_appends_files_and_adds_partitions(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    run(
        f"CREATE TABLE t WITH (format='JSON', partitioned_by=ARRAY['p'], external_location='s3://{bucket}/ins/') "
        "AS SELECT 1 AS id, 'x' AS name, 'a' AS p"
    )
    first = str(uuid.uuid4())
    result = run("INSERT INTO t VALUES (2, 'y', 'a'), (3, 'z', 'b')", query_id=first)
    assert (result.substatement_type, result.update_count) == ("INSERT", 2)
    assert run("INSERT INTO t (p, id) SELECT 'b', 4").update_count == 1
    values = sorted(
        p["Values"][0] for p in glue.get_partitions(DatabaseName=database, TableName="t")["Partitions"]
    )
    assert values == ["a", "b"]
    assert f"ins/p=b/{first}_1.json.gz" in _keys(s3, bucket, "ins/")
    assert list(run("SELECT id, name, p FROM t ORDER BY id").rows) == [
        (1, "x", "a"),
        (2, "y", "a"),
        (3, "z", "b"),
        (4, None, "b"),
    ]


def test_insert_casts_to_the_table_types_by_position(run: Run) -> None:
    run("CREATE TABLE t AS SELECT CAST(1 AS bigint) AS n, CAST(1.5 AS double) AS d")
    run("INSERT INTO t SELECT 2, 3")
    back = run("SELECT n, d FROM t ORDER BY n")
    assert list(back.rows) == [(1, 1.5), (2, 3.0)]
    assert [c.athena_type for c in back.columns] == ["bigint", "double"]


@pytest.mark.parametrize(
    ("sql", "error_name"),
    [
        ("INSERT INTO t SELECT 1", "TYPE_MISMATCH"),
        ("INSERT INTO t (nope) SELECT 1", "COLUMN_NOT_FOUND"),
        ("INSERT INTO missing SELECT 1, 2", "TABLE_NOT_FOUND"),
        ("INSERT OVERWRITE TABLE t SELECT 1, 2", "SYNTAX_ERROR"),
    ],
)
def test_insert_errors(run: Run, sql: str, error_name: str) -> None:
    run("CREATE TABLE t AS SELECT 1 AS a, 2 AS b")
    assert _error(run, sql).error_name == error_name


def test_insert_over_100_partitions_fails_and_writes_nothing(run: Run, s3: Any, bucket: str) -> None:
    run(
        f"CREATE TABLE t WITH (partitioned_by=ARRAY['p'], external_location='s3://{bucket}/i100/') AS SELECT 1 AS a, 0 AS p"
    )
    before = _keys(s3, bucket, "i100/")
    error = _error(run, "INSERT INTO t SELECT x, x FROM UNNEST(sequence(1, 150)) AS u(x)")
    assert error.error_name == "HIVE_TOO_MANY_OPEN_PARTITIONS"
    assert _keys(s3, bucket, "i100/") == before


# --- reading tables created by other tools -----------------------------------------------------


def _external(
    glue: Any, database: str, name: str, columns: list[tuple[str, str]], location: str, **extra: Any
) -> None:
    descriptor = {"Columns": [{"Name": n, "Type": t} for n, t in columns], "Location": location}
    descriptor.update(extra.pop("descriptor", {}))
    glue.create_table(
        DatabaseName=database,
        TableInput={"Name": name, "TableType": "EXTERNAL_TABLE", "StorageDescriptor": descriptor, **extra},
    )


def test_external_csv_table_with_opencsvserde_and_a_header(run: Run, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="csv/a.csv", Body=b'id,name,amount\n1,"Smith, J",2.50\n2,,x\n')
    s3.put_object(Bucket=bucket, Key="csv/b.csv", Body=b"id,name,amount\n3,Lee,7\n")
    s3.put_object(Bucket=bucket, Key="csv/_SUCCESS", Body=b"ignored")
    result = run(
        "CREATE EXTERNAL TABLE people (id int, name string, amount decimal(5,2)) "
        "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' "
        "WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '\"') "
        f"STORED AS TEXTFILE LOCATION 's3://{bucket}/csv/' TBLPROPERTIES ('skip.header.line.count'='1')"
    )
    assert (result.statement_type, result.substatement_type) == ("DDL", "CREATE_TABLE")
    rows = run("SELECT id, name, amount FROM people ORDER BY id").rows
    assert list(rows) == [(1, "Smith, J", Decimal("2.50")), (2, "", None), (3, "Lee", Decimal("7.00"))]


def test_external_delimited_text_table_reads_hive_nulls(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    s3.put_object(Bucket=bucket, Key="tsv/part-0", Body=b"1|x\n2|\\N\nnot-a-number|y\n")
    run(
        "CREATE EXTERNAL TABLE pipes (n bigint, s string) ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' "
        f"LOCATION 's3://{bucket}/tsv/'"
    )
    serde = glue.get_table(DatabaseName=database, Name="pipes")["Table"]["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"] == "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"
    assert serde["Parameters"]["field.delim"] == "|"
    assert list(run("SELECT n, s FROM pipes ORDER BY s").rows) == [(1, "x"), (None, "y"), (2, None)]


def test_external_json_table(run: Run, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="json/1.json", Body=b'{"Id": 1, "tags": ["a"], "extra": 0}\n{"Id": 2}\n')
    run(
        "CREATE EXTERNAL TABLE events (id int, tags array<string>) "
        f"ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{bucket}/json/'"
    )
    assert list(run("SELECT id, tags FROM events ORDER BY id").rows) == [(1, ["a"]), (2, None)]


@pytest.mark.parametrize(
    ("serde_properties", "expected"), [("", None), ("'ignore.malformed.json'='true'", [(1,), (None,), (2,)])]
)
def test_malformed_json_fails_unless_the_serde_ignores_it(
    run: Run, s3: Any, bucket: str, serde_properties: str, expected: list[tuple[object, ...]] | None
) -> None:
    s3.put_object(Bucket=bucket, Key="badjson/1.json", Body=b'{"a": 1}\nnot json\n{"a": 2}\n')
    properties = f"WITH SERDEPROPERTIES ({serde_properties})" if serde_properties else ""
    run(
        "CREATE EXTERNAL TABLE j (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
        f"{properties} LOCATION 's3://{bucket}/badjson/'"
    )
    if expected is None:
        assert _error(run, "SELECT a FROM j").error_name == "HIVE_CURSOR_ERROR"
    else:
        assert list(run("SELECT a FROM j").rows) == expected


def test_external_parquet_written_by_pyarrow_matches_columns_by_name(run: Run, s3: Any, bucket: str) -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"Name": ["x", "y"], "ID": pa.array([1, 2], pa.int32())}), buffer)
    s3.put_object(Bucket=bucket, Key="pq/f.parquet", Body=buffer.getvalue())
    run(
        f"CREATE EXTERNAL TABLE p (id bigint, name string, missing double) STORED AS PARQUET LOCATION 's3://{bucket}/pq/'"
    )
    result = run("SELECT * FROM p ORDER BY id")
    assert list(result.rows) == [(1, "x", None), (2, "y", None)]
    assert [(c.name, c.athena_type) for c in result.columns] == [
        ("id", "bigint"),
        ("name", "varchar"),
        ("missing", "double"),
    ]
    assert result.data_scanned_bytes == len(buffer.getvalue())


def test_partition_values_come_from_glue_not_folder_names(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    for folder, body in (("odd-place", b"1\n"), ("elsewhere", b"2\n")):
        s3.put_object(Bucket=bucket, Key=f"gp/{folder}/data.txt", Body=body)
    _external(
        glue, database, "gp", [("n", "int")], f"s3://{bucket}/gp/",
        PartitionKeys=[{"Name": "dt", "Type": "string"}],
        descriptor={"SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"}},
    )  # fmt: skip
    for value, folder in (("2024-01-01", "odd-place"), ("2024-01-02", "elsewhere")):
        glue.create_partition(
            DatabaseName=database,
            TableName="gp",
            PartitionInput={
                "Values": [value],
                "StorageDescriptor": {"Location": f"s3://{bucket}/gp/{folder}/"},
            },
        )
    assert list(run("SELECT n, dt FROM gp ORDER BY n").rows) == [(1, "2024-01-01"), (2, "2024-01-02")]


def test_a_table_with_an_empty_location_reads_as_empty_with_its_columns(run: Run, bucket: str) -> None:
    run(
        f"CREATE EXTERNAL TABLE e (a int, b array<string>) STORED AS PARQUET LOCATION 's3://{bucket}/nothing/'"
    )
    result = run("SELECT * FROM e")
    assert (list(result.rows), [(c.name, c.athena_type) for c in result.columns]) == (
        [],
        [("a", "integer"), ("b", "array(varchar)")],
    )


def test_create_external_table_twice_fails_unless_if_not_exists(run: Run, bucket: str) -> None:
    ddl = f"EXTERNAL TABLE x (a int) LOCATION 's3://{bucket}/x/'"
    run(f"CREATE {ddl}")
    assert _error(run, f"CREATE {ddl}").error_name == "ALREADY_EXISTS"
    assert run(f"CREATE {ddl.replace('TABLE', 'TABLE IF NOT EXISTS')}").substatement_type == "CREATE_TABLE"


def test_create_table_without_external_is_refused_like_athena(run: Run) -> None:
    error = _error(run, "CREATE TABLE plain (a int)")
    assert "EXTERNAL" in error.message


# --- views ---------------------------------------------------------------------------------------


def test_views_are_stored_in_athenas_presto_encoding(run: Run, glue: Any, database: str) -> None:
    run("CREATE TABLE base AS SELECT 1 AS id, 'x' AS name")
    sql_text = "SELECT id, upper(name) AS Name FROM base"
    result = run(f"CREATE VIEW v AS {sql_text}")
    assert (result.statement_type, result.substatement_type) == ("DDL", "CREATE_VIEW")
    table = glue.get_table(DatabaseName=database, Name="v")["Table"]
    assert table["TableType"] == "VIRTUAL_VIEW"
    assert table["Parameters"] == {"presto_view": "true", "comment": "Presto View"}
    assert table["ViewExpandedText"] == "/* Presto View */"
    original = table["ViewOriginalText"]
    assert original.startswith("/* Presto View: ") and original.endswith(" */")
    payload = json.loads(base64.b64decode(original[len("/* Presto View: ") : -len(" */")]))
    assert payload["originalSql"] == sql_text
    assert (payload["catalog"], payload["schema"]) == ("awsdatacatalog", database)
    assert payload["columns"] == [{"name": "id", "type": "integer"}, {"name": "name", "type": "varchar"}]
    assert payload["runAsInvoker"] is False
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "int"),
        ("name", "string"),
    ]
    assert list(run("SELECT * FROM v").rows) == [(1, "X")]


def test_nested_views_and_views_over_other_schemas_expand_with_their_own_schema(
    run: Run, schemas: Callable[[str], str]
) -> None:
    other = schemas("other")
    run("CREATE TABLE nums AS SELECT x AS n FROM UNNEST(sequence(1, 5)) AS u(x)", db=other)
    run("CREATE VIEW evens AS SELECT n FROM nums WHERE n % 2 = 0", db=other)  # unqualified: schema `other`
    run(f"CREATE VIEW big_evens AS SELECT n FROM {other}.evens WHERE n > 2")
    run("CREATE OR REPLACE VIEW counted AS SELECT count(*) AS c, max(n) AS top FROM big_evens")
    assert list(run("SELECT * FROM counted").rows) == [(1, 4)]
    run("CREATE OR REPLACE VIEW counted AS SELECT count(*) AS c FROM big_evens")
    assert list(run("SELECT * FROM counted").rows) == [(1,)]


def test_a_view_written_by_another_tool_reads_back(run: Run, glue: Any, database: str) -> None:
    payload = {"originalSql": "SELECT 42 AS answer", "catalog": "awsdatacatalog", "schema": database,
               "columns": [{"name": "answer", "type": "integer"}], "owner": "someone", "runAsInvoker": False}  # fmt: skip
    glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": "foreign_view",
            "TableType": "VIRTUAL_VIEW",
            "ViewOriginalText": "/* Presto View: "
            + base64.b64encode(json.dumps(payload).encode()).decode()
            + " */",
            "ViewExpandedText": "/* Presto View */",
            "StorageDescriptor": {"Columns": [{"Name": "answer", "Type": "int"}]},
        },
    )
    assert list(run("SELECT answer FROM foreign_view").rows) == [(42,)]


def test_create_view_is_validated_and_does_not_replace_without_or_replace(run: Run) -> None:
    assert _error(run, "CREATE VIEW v AS SELECT * FROM nowhere").error_name == "TABLE_NOT_FOUND"
    run("CREATE VIEW v AS SELECT 1 AS a")
    assert _error(run, "CREATE VIEW v AS SELECT 2 AS a").error_name == "ALREADY_EXISTS"


# --- DROP and schemas -----------------------------------------------------------------------------


def test_drop_table_keeps_data_and_drop_view_removes_the_view(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    run(f"CREATE TABLE t WITH (external_location='s3://{bucket}/keep/') AS SELECT 1 AS a")
    run("CREATE VIEW v AS SELECT a FROM t")
    assert run("DROP VIEW v").substatement_type == "DROP_VIEW"
    assert run("DROP TABLE t").substatement_type == "DROP_TABLE"
    assert glue.get_tables(DatabaseName=database)["TableList"] == []
    assert len(_keys(s3, bucket, "keep/")) == 1
    assert run("DROP TABLE IF EXISTS t").statement_type == "DDL"
    assert run("DROP VIEW IF EXISTS v").statement_type == "DDL"
    error = _error(run, "DROP TABLE t")
    assert (error.error_name, error.message) == (
        "TABLE_NOT_FOUND",
        f"FAILED: SemanticException [Error 10001]: Table not found {database}.t",
    )
    assert (
        _error(run, "DROP VIEW v").message == f"line 1:11: View 'awsdatacatalog.{database}.v' does not exist"
    )


def test_drop_schema_needs_cascade_when_not_empty(run: Run, glue: Any) -> None:
    name = f"s_{uuid.uuid4().hex[:8]}"
    run(f"CREATE SCHEMA IF NOT EXISTS {name} COMMENT 'scratch'")
    assert run(f"CREATE SCHEMA IF NOT EXISTS {name}").substatement_type == "CREATE_DATABASE"
    assert _error(run, f"CREATE SCHEMA {name}").error_name == "ALREADY_EXISTS"
    run("CREATE TABLE t AS SELECT 1 AS a", db=name)
    not_empty = _error(run, f"DROP SCHEMA {name}")
    assert (
        not_empty.error_name,
        not_empty.message.endswith(f"Database {name} is not empty. One or more tables exist.)"),
    ) == ("SCHEMA_NOT_EMPTY", True)
    assert _error(run, "DROP DATABASE no_such_schema").message == (
        "FAILED: SemanticException [Error 10072]: Database does not exist: no_such_schema"
    )
    run(f"DROP SCHEMA {name} CASCADE")
    assert name not in [d["Name"] for d in glue.get_databases()["DatabaseList"]]
    assert run(f"DROP DATABASE IF EXISTS {name}").substatement_type == "DROP_DATABASE"


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "error_name", "message"),
    [
        (
            "SELECT * FROM nope",
            "TABLE_NOT_FOUND",
            "line 1:15: Table 'awsdatacatalog.{db}.nope' does not exist",
        ),
        (
            "SELECT 1 FROM awsdatacatalog.{db}.nope",
            "TABLE_NOT_FOUND",
            "line 1:15: Table 'awsdatacatalog.{db}.nope' does not exist",
        ),
        (
            "SELECT * FROM no_such_db.t",
            "SCHEMA_NOT_FOUND",
            "line 1:15: Schema 'awsdatacatalog.no_such_db' does not exist",
        ),
        ("SELECT missing FROM t", "COLUMN_NOT_FOUND", "line 1:8: Column 'missing' cannot be resolved"),
        ("SELECT a,\n  t.Other FROM t", "COLUMN_NOT_FOUND", "line 2:3: Column 'other' cannot be resolved"),
        ("SELEC 1", "SYNTAX_ERROR", "line 1:7: mismatched input '1'"),
    ],
)
def test_errors_use_athenas_names_and_positions(
    run: Run, database: str, sql: str, error_name: str, message: str
) -> None:
    run("CREATE TABLE t AS SELECT 1 AS a")
    error = _error(run, sql.format(db=database))
    assert error.error_name == error_name
    assert error.message.startswith(message.format(db=database))


def test_athena_semantics_apply_to_table_columns(run: Run) -> None:
    run("CREATE TABLE t AS SELECT 7 AS a, 2 AS b, -7 AS c")
    result = run("SELECT a / b, c / b, a / CAST(b AS double) FROM t")
    assert list(result.rows) == [(3, -3, 3.5)]  # result types are semantics.py's to test


@pytest.mark.parametrize("verb", ["EXPLAIN", "EXPLAIN ANALYZE", "EXPLAIN (TYPE LOGICAL)"])
def test_explain_returns_the_plan_in_a_query_plan_column(run: Run, verb: str) -> None:
    run("CREATE TABLE t AS SELECT 1 AS a")
    result = run(f"{verb} SELECT a FROM t WHERE a > 0")
    assert [(c.name, c.athena_type) for c in result.columns] == [("Query Plan", "varchar")]
    assert "READ_PARQUET" in "\n".join(row[0] for row in result.rows)  # the table's files are scanned
    assert _error(run, f"{verb} SELECT nope FROM t").error_name == "COLUMN_NOT_FOUND"


def test_queries_without_tables_make_no_glue_or_s3_calls() -> None:
    # Port 9 on loopback has no listener: any Glue/S3 call would fail. (Latency: bench/.)
    offline = AthenaSqlEngine("http://127.0.0.1:9")
    try:
        context = _context("unused-bucket", "db")
        assert list(offline.execute("SELECT 1, 'x' || 'y'", context).rows) == [(1, "xy")]
        assert list(offline.execute("WITH a AS (SELECT 2 AS n) SELECT n FROM a", context).rows) == [(2,)]
    finally:
        offline.close()


# --- concurrency, cancellation, the server path ----------------------------------------------------


def test_eight_concurrent_ctas_statements(run: Run, bucket: str) -> None:
    errors: list[BaseException] = []

    def build(index: int) -> None:
        try:
            run(
                f"CREATE TABLE c{index} WITH (external_location='s3://{bucket}/conc/{index}/', "
                f"partitioned_by=ARRAY['p']) AS SELECT x AS v, x % 3 AS p FROM UNNEST(sequence(1, {100 + index})) AS u(x)"
            )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=build, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    union = " UNION ALL ".join(f"SELECT count(*) AS n FROM c{i}" for i in range(8))
    assert sorted(row[0] for row in run(union).rows) == [100 + i for i in range(8)]


def test_stopping_a_long_query_interrupts_duckdb(engine: AthenaSqlEngine, bucket: str) -> None:
    context = _context(bucket, None)
    timer = threading.Timer(0.2, context.cancelled.set)
    timer.start()
    with pytest.raises(QueryCancelled):
        engine.execute(
            "SELECT count(*) FROM UNNEST(sequence(1, 100000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 100000)) AS b(y) "
            "WHERE (x * y) % 7 = 3",
            context,
        )
    timer.cancel()


def test_the_server_runs_ctas_and_select_through_the_athena_api(
    run_query: Any, schemas: Callable[[str], str]
) -> None:
    database = schemas("api")
    state, _, execution = run_query("CREATE TABLE t AS SELECT 1 AS a, 'x' AS b", database=database)
    assert state == "SUCCEEDED"
    assert execution["StatementType"] in ("DML", "DDL")
    state, rows, _ = run_query("SELECT a, b FROM t", database=database)
    assert (state, rows) == ("SUCCEEDED", [("a", "b"), ("1", "x")])
    state, _, execution = run_query("SELECT nope FROM t", database=database)
    assert state == "FAILED"
    assert "COLUMN_NOT_FOUND" in execution["Status"]["StateChangeReason"]


def test_an_overwritten_parquet_object_is_read_fresh(run: Run, s3: Any, bucket: str) -> None:
    def put(values: list[int]) -> None:
        buffer = io.BytesIO()
        pq.write_table(pa.table({"v": pa.array(values, pa.int64())}), buffer)
        s3.put_object(Bucket=bucket, Key="fresh/data.parquet", Body=buffer.getvalue())

    put([1, 2])
    run(f"CREATE EXTERNAL TABLE f (v bigint) STORED AS PARQUET LOCATION 's3://{bucket}/fresh/'")
    assert list(run("SELECT sum(v) FROM f").rows) == [(3,)]
    put([10, 20, 30])
    assert list(run("SELECT sum(v) FROM f").rows) == [(60,)]


# --- UNLOAD, manifests, row changes ----------------------------------------------------------------


def test_unload_writes_files_and_a_manifest_without_a_table(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    query_id = str(uuid.uuid4())
    result = run(
        f"UNLOAD (SELECT x AS n, 'v' || CAST(x AS varchar) AS label FROM UNNEST(sequence(1, 3)) AS u(x)) "
        f"TO 's3://{bucket}/unloaded/' WITH (format = 'PARQUET', compression = 'SNAPPY')",
        query_id=query_id,
    )
    assert (result.statement_type, result.substatement_type, result.update_count) == ("DML", "UNLOAD", 3)
    files = _keys(s3, bucket, "unloaded/")
    assert files == [f"unloaded/{query_id}_0.parquet"]
    manifest = s3.get_object(Bucket=bucket, Key=f"results/{query_id}-manifest.csv")["Body"].read().decode()
    assert manifest == f"s3://{bucket}/{files[0]}\n"
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=files[0])["Body"].read()))
    assert table.to_pydict() == {"n": [1, 2, 3], "label": ["v1", "v2", "v3"]}
    assert glue.get_tables(DatabaseName=database)["TableList"] == []
    again = _error(run, f"UNLOAD (SELECT 1 AS a) TO 's3://{bucket}/unloaded/' WITH (format = 'PARQUET')")
    assert again.error_name == "HIVE_PATH_ALREADY_EXISTS"


def test_partitioned_unload_to_json(run: Run, s3: Any, bucket: str) -> None:
    run(
        "UNLOAD (SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(n, p)) "
        f"TO 's3://{bucket}/uj/' WITH (format = 'JSON', compression = 'NONE', partitioned_by = ARRAY['p'])"
    )
    folders = sorted(key.split("/")[1] for key in _keys(s3, bucket, "uj/"))
    assert folders == ["p=a", "p=b"]


def test_ctas_and_insert_leave_a_manifest_of_their_files(run: Run, s3: Any, bucket: str) -> None:
    query_id = str(uuid.uuid4())
    run(f"CREATE TABLE t WITH (external_location='s3://{bucket}/mf/') AS SELECT 1 AS a", query_id=query_id)
    manifest = s3.get_object(Bucket=bucket, Key=f"results/{query_id}-manifest.csv")["Body"].read().decode()
    assert manifest.splitlines() == [f"s3://{bucket}/mf/{query_id}_0.parquet"]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM t WHERE a = 1",
        "UPDATE t SET a = 2",
        "MERGE INTO t USING t AS s ON t.a = s.a WHEN MATCHED THEN DELETE",
    ],
)
def test_row_changes_on_hive_tables_are_refused_like_athena(run: Run, sql: str) -> None:
    run("CREATE TABLE t AS SELECT 1 AS a")
    error = _error(run, sql)
    assert error.error_name == "NOT_SUPPORTED"
    assert "Modifying Hive table rows is only supported for transactional tables" in error.message


def test_information_schema_is_queryable_and_joins_with_tables(run: Run, database: str) -> None:
    run("CREATE TABLE t AS SELECT 1 AS a, 'x' AS b")
    rows = run(
        "SELECT column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{database}' AND table_name = 't' ORDER BY ordinal_position"
    ).rows
    assert [row[0] for row in rows] == ["a", "b"]
    joined = run(
        f"SELECT count(*) FROM information_schema.tables AS i JOIN t ON i.table_name = 't' WHERE i.table_schema = '{database}'"
    ).rows
    assert list(joined) == [(1,)]


def test_insert_into_an_avro_table_with_nested_values(run: Run) -> None:
    run(
        "CREATE TABLE t WITH (format='AVRO') AS SELECT 1 AS id, ARRAY['a', 'b'] AS tags, "
        "MAP(ARRAY['k'], ARRAY[1]) AS counts, CAST(ROW(1, 'x') AS ROW(n integer, s varchar)) AS pair"
    )
    run("INSERT INTO t VALUES (2, ARRAY[], MAP(), CAST(NULL AS ROW(n integer, s varchar)))")
    assert list(run("SELECT id, tags, counts, pair FROM t ORDER BY id").rows) == [
        (1, ["a", "b"], {"k": 1}, {"n": 1, "s": "x"}),
        (2, [], {}, None),
    ]


LAZY_SIMPLE_CASES = [
    ("", b"1\x01x\n2\x01\\N\n"),  # Hive's defaults: Ctrl-A between fields, \N for NULL
    ("ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' NULL DEFINED AS ''", b"1\tx\n2\t\n"),
]


@pytest.mark.parametrize(("row_format", "body"), LAZY_SIMPLE_CASES)
def test_lazy_simple_serde_defaults_and_null_format(
    run: Run, s3: Any, bucket: str, row_format: str, body: bytes
) -> None:
    s3.put_object(Bucket=bucket, Key="lazy/000000_0", Body=body)
    run(f"CREATE EXTERNAL TABLE lazy (a int, b string) {row_format} LOCATION 's3://{bucket}/lazy/'")
    assert list(run("SELECT a, b FROM lazy ORDER BY a").rows) == [(1, "x"), (2, None)]


def test_hidden_path_and_file_size_columns(run: Run, s3: Any, bucket: str) -> None:
    query_id = str(uuid.uuid4())
    run(
        f"CREATE TABLE t WITH (partitioned_by=ARRAY['p'], external_location='s3://{bucket}/hid/') "
        "AS SELECT 1 AS a, 'x' AS p",
        query_id=query_id,
    )
    key = f"hid/p=x/{query_id}_0.parquet"
    size = s3.head_object(Bucket=bucket, Key=key)["ContentLength"]
    assert list(run('SELECT a, "$path", "$file_size" FROM t').rows) == [(1, f"s3://{bucket}/{key}", size)]
    assert [c.name for c in run("SELECT * FROM t").columns] == ["a", "p"]


def test_partition_projection_reads_partitions_from_table_properties(run: Run, s3: Any, bucket: str) -> None:
    layout = {
        "logs/eu/2024/01/02/a.txt": b"1\n",
        "logs/us/2024/01/03/a.txt": b"2\n",
        "logs/xx/2024/01/03/a.txt": b"3\n",  # region not in the enum
        "logs/eu/2019/01/01/a.txt": b"4\n",  # day before the projected range
        "logs/eu/notes.txt": b"5\n",  # not under the template
    }
    for key, body in layout.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    run(
        "CREATE EXTERNAL TABLE logs (n int) PARTITIONED BY (region string, day string) "
        f"LOCATION 's3://{bucket}/logs/' TBLPROPERTIES ("
        "'projection.enabled'='true', 'projection.region.type'='enum', 'projection.region.values'='eu,us', "
        "'projection.day.type'='date', 'projection.day.format'='yyyy/MM/dd', "
        "'projection.day.range'='2020/01/01,NOW', "
        f"'storage.location.template'='s3://{bucket}/logs/${{region}}/${{day}}')"
    )
    rows = run("SELECT n, region, day FROM logs ORDER BY n").rows
    assert list(rows) == [(1, "eu", "2024/01/02"), (2, "us", "2024/01/03")]


def test_partition_projection_with_the_default_hive_layout(
    run: Run, glue: Any, s3: Any, bucket: str, database: str
) -> None:
    for year in (2019, 2020, 2021):
        s3.put_object(Bucket=bucket, Key=f"years/year={year}/data.txt", Body=f"{year}\n".encode())
    run(
        f"CREATE EXTERNAL TABLE years (v int) PARTITIONED BY (year int) LOCATION 's3://{bucket}/years/' "
        "TBLPROPERTIES ('projection.enabled'='true', 'projection.year.type'='integer', 'projection.year.range'='2020,2030')"
    )
    glue.create_partition(  # Athena ignores Glue partitions of a projected table
        DatabaseName=database,
        TableName="years",
        PartitionInput={
            "Values": ["2019"],
            "StorageDescriptor": {"Location": f"s3://{bucket}/years/year=2019/"},
        },
    )
    assert list(run("SELECT v, year FROM years ORDER BY v").rows) == [(2020, 2020), (2021, 2021)]


PRUNING_CASES = [
    # (WHERE clause, rows counted, partitions whose files are read)
    ("p = 'a'", 2, ["a"]),
    ("p IN ('a', 'c') AND n > 1", 3, ["a", "c"]),
    ("upper(p) = 'B'", 1, ["b"]),
    ("p = 'a' OR n = 5", 3, ["a", "b", "c"]),  # mixes a data column: nothing to prune
    ("n > 0", 5, ["a", "b", "c"]),
]


@pytest.mark.parametrize(("where", "count", "read"), PRUNING_CASES)
def test_where_clauses_on_partition_keys_prune_partitions(  # noqa: PLR0917 (fixtures)
    run: Run, s3: Any, bucket: str, where: str, count: int, read: list[str]
) -> None:
    run(
        f"CREATE TABLE t WITH (partitioned_by=ARRAY['p'], external_location='s3://{bucket}/prune/') AS "
        "SELECT * FROM (VALUES (1, 'a'), (2, 'a'), (3, 'b'), (4, 'c'), (5, 'c')) AS v(n, p)"
    )
    sizes = {
        p: sum(
            s3.head_object(Bucket=bucket, Key=k)["ContentLength"] for k in _keys(s3, bucket, f"prune/p={p}/")
        )
        for p in "abc"
    }
    result = run(f"SELECT count(*) FROM t WHERE {where}")
    assert list(result.rows) == [(count,)]
    assert result.data_scanned_bytes == sum(sizes[p] for p in read)


def test_the_null_extended_side_of_an_outer_join_is_not_pruned(run: Run) -> None:
    run(
        "CREATE TABLE t WITH (partitioned_by=ARRAY['p']) AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, p)"
    )
    rows = run(
        "SELECT k, t.p FROM (VALUES 1, 2, 3) AS u(k) LEFT JOIN t ON u.k = t.n WHERE t.p IS NULL OR t.p = 'a' ORDER BY k"
    )
    assert list(rows.rows) == [(1, "a"), (3, None)]


def test_textfile_collections_use_hives_delimiters(run: Run, s3: Any, bucket: str) -> None:
    query_id = str(uuid.uuid4())
    run(
        f"CREATE TABLE t WITH (format='TEXTFILE', write_compression='NONE', external_location='s3://{bucket}/coll/') "
        "AS SELECT 1 AS id, ARRAY[1, NULL] AS nums, MAP(ARRAY['k'], ARRAY[ARRAY['x', 'y']]) AS tags, "
        "CAST(ROW(2, 'z') AS ROW(n integer, s varchar)) AS pair",
        query_id=query_id,
    )
    body = s3.get_object(Bucket=bucket, Key=f"coll/{query_id}_0.txt")["Body"].read()
    assert body == b"1\x011\x02\\N\x01k\x03x\x04y\x012\x02z\n"
    assert list(run("SELECT id, nums, tags, pair FROM t").rows) == [
        (1, [1, None], {"k": ["x", "y"]}, {"n": 2, "s": "z"})
    ]
