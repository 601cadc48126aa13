"""The catalog-statement tokenizer/parser and the pure helpers around it (no server needed)."""

from __future__ import annotations

import base64
import json

import pytest

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.catalog_glue import escape_path_name, partition_path, view_sql
from dbt_athena_lite.emulator.engine.catalog_parsing import (
    AddColumns,
    AddPartitions,
    ChangeColumn,
    ColumnDefinition,
    DescribeTable,
    DropPartitions,
    PartitionSpec,
    RenamePartition,
    RenameTable,
    RepairTable,
    ReplaceColumns,
    SetPartitionLocation,
    SetTableLocation,
    SetTableProperties,
    ShowColumns,
    ShowCreateTable,
    ShowDatabases,
    ShowPartitions,
    ShowTableProperties,
    ShowTables,
    TableRef,
    parse_catalog_statement,
)
from dbt_athena_lite.emulator.engine.catalog_repair import partition_folders, split_s3_url
from dbt_athena_lite.emulator.engine.catalog_show import describe_table, hive_pattern_matches
from dbt_athena_lite.emulator.engine.catalog_tokens import tokenize

T = TableRef("t")
DB_T = TableRef("t", "db")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SHOW DATABASES", ShowDatabases()),
        ("show schemas like 'dbt*'", ShowDatabases("dbt*")),
        ("SHOW TABLES", ShowTables()),
        ("SHOW TABLES IN db 'a*|b*'", ShowTables("db", "a*|b*")),
        ("SHOW TABLES FROM `Db` LIKE 'x'", ShowTables("db", "x")),
        ("SHOW TABLES IN awsdatacatalog.db", ShowTables("db")),
        ("SHOW SCHEMAS FROM awsdatacatalog LIKE 'a*'", ShowDatabases("a*")),
        ("SHOW VIEWS IN db", ShowTables("db", views_only=True)),
        ("SHOW COLUMNS IN db.t", ShowColumns(DB_T)),
        ("SHOW COLUMNS FROM t IN db", ShowColumns(DB_T)),
        ('SHOW PARTITIONS "awsdatacatalog"."db"."t"', ShowPartitions(DB_T)),
        ("SHOW CREATE TABLE `db.t`", ShowCreateTable(DB_T)),
        ("SHOW CREATE VIEW db.t", ShowCreateTable(DB_T, view=True)),
        ("SHOW TBLPROPERTIES t", ShowTableProperties(T)),
        ("SHOW TBLPROPERTIES t('classification')", ShowTableProperties(T, "classification")),
        ("DESCRIBE t", DescribeTable(T)),
        ("desc formatted `db`.`t`;", DescribeTable(DB_T, formatted=True)),
        ("MSCK REPAIR TABLE db.t", RepairTable(DB_T)),
        ("ALTER TABLE t RENAME TO db.t2", RenameTable(T, TableRef("t2", "db"))),
        (
            "ALTER TABLE t PARTITION (dt='a') RENAME TO PARTITION (dt='b')",
            RenamePartition(T, PartitionSpec((("dt", "a"),)), PartitionSpec((("dt", "b"),))),
        ),
        ("ALTER TABLE t SET LOCATION 's3://b/new/'", SetTableLocation(T, "s3://b/new/")),
        (
            "ALTER TABLE t SET TBLPROPERTIES ('a'='1', 'b'='it''s')",
            SetTableProperties(T, {"a": "1", "b": "it's"}),
        ),
        (
            "ALTER TABLE t PARTITION (dt='2024-01-01') SET LOCATION 's3://b/x/'",
            SetPartitionLocation(T, PartitionSpec((("dt", "2024-01-01"),)), "s3://b/x/"),
        ),
        (
            "ALTER TABLE t CHANGE COLUMN a b bigint COMMENT 'new'",
            ChangeColumn(T, "a", ColumnDefinition("b", "bigint", "new")),
        ),
        (
            "ALTER TABLE t REPLACE COLUMNS (a string)",
            ReplaceColumns(T, (ColumnDefinition("a", "string"),)),
        ),
    ],
)
def test_parses_catalog_statement(sql: str, expected: object) -> None:
    assert parse_catalog_statement(sql) == expected


def test_add_partitions_reads_every_spec_with_its_own_location() -> None:
    sql = """/* {"app": "dbt", "node_id": "model.x"} */
        ALTER TABLE `db`.`t` ADD IF NOT EXISTS
          PARTITION (dt = DATE '2024-01-01', hour = 3) LOCATION 's3://b/t/one/'
          PARTITION (dt='2024-01-02', hour=4)  -- no location: the table's k=v folder
    """
    assert parse_catalog_statement(sql) == AddPartitions(
        DB_T,
        (
            PartitionSpec((("dt", "2024-01-01"), ("hour", "3")), "s3://b/t/one/"),
            PartitionSpec((("dt", "2024-01-02"), ("hour", "4"))),
        ),
        if_not_exists=True,
    )


def test_drop_partitions_takes_a_comma_separated_list() -> None:
    statement = parse_catalog_statement("ALTER TABLE t DROP IF EXISTS PARTITION (a='1'), PARTITION (a='2')")
    assert statement == DropPartitions(
        T, (PartitionSpec((("a", "1"),)), PartitionSpec((("a", "2"),))), if_exists=True
    )


def test_add_columns_keeps_nested_types_and_comments() -> None:
    statement = parse_catalog_statement(
        "ALTER TABLE t ADD COLUMNS (`a` INT COMMENT 'it\\'s', b map<string, array<decimal(10, 2)>>, "
        "c struct<x:int,y:string>)"
    )
    assert statement == AddColumns(
        T,
        (
            ColumnDefinition("a", "int", "it's"),
            ColumnDefinition("b", "map<string,array<decimal(10,2)>>"),
            ColumnDefinition("c", "struct<x:int,y:string>"),
        ),
    )


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        "  -- comment only\n",
        "/* show tables */ select * from t",
        "CREATE TABLE t AS SELECT 1",
        "ALTER TABLE t DROP COLUMN c",  # Iceberg DDL: the SQL engine's
        "ALTER TABLE t ALTER COLUMN c SET DATA TYPE bigint",
        "INSERT INTO t VALUES ('SHOW TABLES')",
    ],
)
def test_leaves_other_statements_to_the_sql_engine(sql: str) -> None:
    assert parse_catalog_statement(sql) is None


@pytest.mark.parametrize(
    ("sql", "where"),
    [
        ("SHOW TABLES IN", "line 1:15: mismatched input '<EOF>'"),
        ("SHOW PARTITIONS t extra", "line 1:19"),
        ("ALTER TABLE t ADD PARTITION (dt)", "line 1:32"),
        ("SHOW\n  FOO", "line 2:3"),
        ("SHOW TABLES 'unterminated", "line 1:13"),
    ],
)
def test_malformed_catalog_statement_is_a_syntax_error_with_position(sql: str, where: str) -> None:
    with pytest.raises(AthenaQueryError) as raised:
        parse_catalog_statement(sql)
    assert raised.value.error_name == "SYNTAX_ERROR"
    assert raised.value.message.startswith(where)


def test_tokenizer_handles_quotes_escapes_and_comments() -> None:
    tokens = tokenize("/* x */ `a``b`.\"c\"\"d\" 'e''f' 'g\\nh' -- tail")
    assert [(token.kind, token.text) for token in tokens] == [
        ("quoted", "a`b"),
        ("punct", "."),
        ("quoted", 'c"d'),
        ("string", "e'f"),
        ("string", "g\nh"),
    ]


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("2024-01-01", "2024-01-01"),
        ("a/b", "a%2Fb"),
        ("x=y:z", "x%3Dy%3Az"),
        ("", "__HIVE_DEFAULT_PARTITION__"),
        ("a b", "a b"),
    ],
)
def test_partition_values_are_escaped_like_hive(value: str, escaped: str) -> None:
    assert escape_path_name(value) == escaped


def test_partition_path_joins_keys_in_order() -> None:
    assert partition_path(["dt", "region"], ["2024-01-01", "eu/west"]) == "dt=2024-01-01/region=eu%2Fwest"


def test_partition_folders_accepts_only_the_tables_key_order() -> None:
    paths = [
        "dt=2024-01-01/region=eu/part-0.parquet",
        "dt=2024-01-01/region=eu/part-1.parquet",
        "dt=2024-01-02/region=us%2Feast/part-0.parquet",
        "region=eu/dt=2024-01-03/part-0.parquet",  # wrong order
        "dt=2024-01-04/part-0.parquet",  # too shallow
        "_SUCCESS",
    ]
    assert partition_folders(["dt", "region"], paths) == {
        ("2024-01-01", "eu"): "dt=2024-01-01/region=eu",
        ("2024-01-02", "us/east"): "dt=2024-01-02/region=us%2Feast",
    }


def test_split_s3_url() -> None:
    assert split_s3_url("s3://bucket/a/b") == ("bucket", "a/b/")
    assert split_s3_url("s3://bucket") == ("bucket", "")
    with pytest.raises(AthenaQueryError):
        split_s3_url("/local/path")


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        (None, "anything", True),
        ("dbt*", "dbt_prod", True),
        ("dbt*", "prod_dbt", False),
        ("*prod*|stage", "stage", True),
        ("DBT.*", "dbt_x", True),
        ("exact", "exact", True),
        ("exact", "exactly", False),
    ],
)
def test_hive_patterns(pattern: str | None, name: str, matches: bool) -> None:
    assert hive_pattern_matches(pattern, name) is matches


def test_describe_pads_fields_and_lists_partition_information() -> None:
    table = {
        "Name": "t",
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "int", "Comment": "key"}]},
        "PartitionKeys": [{"Name": "dt", "Type": "string"}],
    }
    result = describe_table(table, formatted=False)
    assert [column.name for column in result.columns] == ["col_name", "data_type", "comment"]
    assert [row[0] for row in result.rows] == [
        f"{'id':<20}\t{'int':<20}\t{'key':<20}",
        f"{'dt':<20}\t{'string':<20}\t{'':<20}",
        "",
        "# Partition Information",
        f"{'# col_name':<20}\t{'data_type':<20}\t{'comment':<20}",
        "",
        f"{'dt':<20}\t{'string':<20}\t{'':<20}",
    ]
    assert result.statement_type == "UTILITY" and not result.has_header_row


def test_view_sql_decodes_presto_view_text() -> None:
    payload = base64.b64encode(json.dumps({"originalSql": "SELECT 1 AS x"}).encode()).decode()
    assert view_sql({"ViewOriginalText": f"/* Presto View: {payload} */"}) == "SELECT 1 AS x"
    assert view_sql({"ViewOriginalText": "/* Presto View: !!! */"}) == "/* Presto View: !!! */"


# -- what Athena's Hive DDL parser rejects in ALTER TABLE / MSCK ------------------------------------------


def test_a_line_comment_before_hive_ddl_hides_the_statement() -> None:
    sql = '-- /* {"app": "dbt"} */\nMSCK REPAIR TABLE db.t'
    with pytest.raises(AthenaQueryError) as raised:
        parse_catalog_statement(sql)
    assert raised.value.message.startswith(f"FAILED: ParseException line 1:{len(sql)} cannot recognize input")


def test_a_line_comment_inside_hive_ddl_hides_the_rest() -> None:
    statement = parse_catalog_statement("ALTER TABLE t ADD PARTITION (dt='a') -- first\nPARTITION (dt='b')")
    assert statement == AddPartitions(T, (PartitionSpec((("dt", "a"),)),))


def test_block_comments_before_hive_ddl_are_fine() -> None:
    statement = parse_catalog_statement("/* {\"app\": \"dbt\"} */\nALTER TABLE t SET TBLPROPERTIES ('a'='1')")
    assert statement == SetTableProperties(T, {"a": "1"})


def test_msck_with_a_catalog_in_backticks_is_fine() -> None:
    assert parse_catalog_statement("MSCK REPAIR TABLE `awsdatacatalog`.`db`.`t`") == RepairTable(DB_T)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ('MSCK REPAIR TABLE "db"."t"', "line 1:1: mismatched input 'MSCK'. Expecting: 'ALTER', 'ANALYZE'"),
        (
            'ALTER TABLE "db"."t" ADD PARTITION (dt=\'a\')',
            "line 1:13: mismatched input '\"db\"'. ALTER TABLE",
        ),
        (
            "ALTER TABLE `awsdatacatalog`.`db`.`t` REPLACE COLUMNS (a int)",
            "line 1:13: backquoted identifiers are not supported; use double quotes",
        ),
        ("ALTER TABLE awsdatacatalog.db.t ADD COLUMNS (a int)", "without the catalog"),
    ],
)
def test_hive_ddl_names_follow_hive_quoting(sql: str, message: str) -> None:
    with pytest.raises(AthenaQueryError) as raised:
        parse_catalog_statement(sql)
    assert raised.value.error_name == "SYNTAX_ERROR"
    assert message in raised.value.message
