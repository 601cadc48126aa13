"""Seed CSV files: what Athena's OpenCSVSerde will read, and the upload with seed_s3_upload_args (moto S3)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import agate
import boto3
import jinja2
import pytest
from dbt_common.clients.agate_helper import from_csv
from moto import mock_aws

from dbt_athena_lite import seeds
from dbt_athena_lite.impl import AthenaLiteAdapter
from dbt_athena_lite.relation import AthenaLiteRelation

BUCKET = "seed-bucket"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (Decimal("12.50"), "12.50"),
        (Decimal("1E+2"), "100"),
        (Decimal("-0.000001"), "-0.000001"),
        (datetime.date(2020, 1, 2), "2020-01-02"),
        (datetime.datetime(2020, 1, 2, 3, 4, 5), "2020-01-02 03:04:05"),
        (datetime.datetime(2020, 1, 2, 3, 4, 5, 120000), "2020-01-02 03:04:05.12"),
        (
            datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            "2020-01-02 01:04:05",
        ),
        ("Uh \u2013 Oh", "Uh \u2013 Oh"),
    ],
)
def test_cell_text_is_what_athena_casts_from_varchar(value: Any, text: str) -> None:
    assert seeds.cell_text(value) == text


def _read_back(body: bytes) -> list[list[str]]:
    """Parse as OpenCSVSerde does: quote '"', escape '\\'."""
    reader = csv.reader(io.StringIO(body.decode("utf-8")), quotechar='"', escapechar="\\", doublequote=False)
    return list(reader)


def test_quotes_commas_and_backslashes_survive() -> None:
    rows = [(1, 'a, "quoted"', "C:\\dir\\"), (2, None, "")]
    body = seeds.csv_bytes("s.seed", ["id", "text", "path"], rows)
    assert _read_back(body) == [["id", "text", "path"], ["1", 'a, "quoted"', "C:\\dir\\"], ["2", "", ""]]


def test_header_only_for_an_empty_seed() -> None:
    assert seeds.csv_bytes("s.seed", ["a", "b"], []) == b'"a","b"\n'


def test_a_line_break_names_the_seed_row_and_column() -> None:
    with pytest.raises(seeds.SeedFileError, match=r"Seed s\.notes, row 2, column body: .*line break"):
        seeds.csv_bytes("s.notes", ["id", "body"], [(1, "fine"), (2, "two\nlines")])


def test_agate_table_from_a_seed_file(tmp_path: Path) -> None:
    # As dbt loads a seed: inferred types, and `column_types` columns kept as text ("007").
    path = tmp_path / "t.csv"
    path.write_text("id,code,when,ok\n1,007,2020-01-02 03:04:05,True\n")
    table: agate.Table = from_csv(str(path), ["code"])
    assert _read_back(seeds.agate_csv_bytes("s.t", table))[1] == ["1", "007", "2020-01-02 03:04:05", "true"]


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_upload_puts_one_file_with_the_upload_args(s3: Any) -> None:
    uri = seeds.upload(
        s3, f"s3://{BUCKET}/tmp/db/t__dbt_seed_csv/u1", b"x\n", {"ServerSideEncryption": "AES256"}, seed="t"
    )
    assert uri == f"s3://{BUCKET}/tmp/db/t__dbt_seed_csv/u1/seed.csv"
    head = s3.head_object(Bucket=BUCKET, Key="tmp/db/t__dbt_seed_csv/u1/seed.csv")
    assert head["ServerSideEncryption"] == "AES256"


def test_upload_args_that_putobject_does_not_know_name_the_setting(s3: Any) -> None:
    with pytest.raises(seeds.SeedFileError, match="seed_s3_upload_args for seed t are not valid PutObject"):
        seeds.upload(s3, f"s3://{BUCKET}/tmp/", b"x\n", {"Acl": "private"}, seed="t")


def test_upload_args_may_not_choose_the_object(s3: Any) -> None:
    with pytest.raises(seeds.SeedFileError, match="Bucket, Key cannot be set"):
        seeds.upload(s3, f"s3://{BUCKET}/tmp/", b"x\n", {"Key": "elsewhere", "Bucket": "b"}, seed="t")


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["id|name|email"], r"Seed s\.t has one column, 'id\|name\|email'.*`delimiter` config"),
        (["Id", "name", "id"], r"columns 'Id' and 'id' are the same name to Athena"),
        (['say "hi"'], r"cannot be quoted in Athena"),
        (["a", " "], r"cannot be quoted in Athena"),
    ],
)
def test_headers_athena_cannot_hold_are_refused(columns: list[str], message: str) -> None:
    with pytest.raises(seeds.SeedFileError, match=message):
        seeds.check_column_names("s.t", columns)


def test_ordinary_headers_pass() -> None:
    seeds.check_column_names("s.t", ["seed_id", "First Name", "2id"])
    seeds.check_column_names("s.t", ["only_one"])


# --- the seed macros' SQL ---------------------------------------------------------------------------

HELPERS = Path(__file__).parents[2] / "macros" / "materializations" / "seeds" / "helpers.sql"
CSV_TABLE = AthenaLiteRelation.create(database="awsdatacatalog", schema="s", identifier="t__dbt_seed_csv")


def seed_macros(**config: Any) -> Any:
    """The seed macros with the seed's `config`, and the adapter's own type inference and quoting."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    env.globals.update(adapter=AthenaLiteAdapter, config=config)  # convert_type, quote: class methods
    return env.from_string(HELPERS.read_text(encoding="utf-8")).module


def flat(sql: Any) -> str:
    return re.sub(r"\s+", " ", str(sql)).strip()


def _table(tmp_path: Path, text: str, text_columns: tuple[str, ...] = ()) -> agate.Table:
    path = tmp_path / "seed.csv"
    path.write_text(text)
    table: agate.Table = from_csv(str(path), list(text_columns))
    return table


def test_every_column_cast_from_text_with_empty_as_null(tmp_path: Path) -> None:
    table = _table(tmp_path, "id,price,ok,day,at,name\n1,1.5,true,2020-01-02,2020-01-02 03:04:05,x\n")
    sql = flat(seed_macros().athena_lite__seed_select(CSV_TABLE, table, False))
    assert sql == (
        "select "
        'cast(nullif("id", \'\') as bigint) as "id", '
        'cast(nullif("price", \'\') as double) as "price", '
        'cast(nullif("ok", \'\') as boolean) as "ok", '
        'cast(nullif("day", \'\') as date) as "day", '
        'cast(nullif("at", \'\') as timestamp) as "at", '
        'cast(nullif("name", \'\') as varchar) as "name" '
        'from "awsdatacatalog"."s"."t__dbt_seed_csv"'
    )


def test_column_types_win_and_hive_string_is_varchar(tmp_path: Path) -> None:
    table = _table(tmp_path, "code,amount\n007,12.50\n", ("code",))
    macros = seed_macros(column_types={"code": "string", "amount": " decimal(10,2) "})
    sql = flat(macros.athena_lite__seed_select(CSV_TABLE, table, False))
    assert 'cast(nullif("code", \'\') as varchar) as "code"' in sql
    assert 'cast(nullif("amount", \'\') as decimal(10,2)) as "amount"' in sql


def test_iceberg_seeds_get_microsecond_timestamps(tmp_path: Path) -> None:
    table = _table(tmp_path, "at,later\n2020-01-02 03:04:05,x\n")
    macros = seed_macros(column_types={"later": "TIMESTAMP"})
    sql = flat(macros.athena_lite__seed_select(CSV_TABLE, table, True))
    assert 'cast(nullif("at", \'\') as timestamp(6)) as "at"' in sql
    assert 'cast(nullif("later", \'\') as timestamp(6)) as "later"' in sql


def test_the_csv_table_reads_text_and_skips_the_header() -> None:
    sql = flat(
        seed_macros().athena_lite__create_seed_csv_table(CSV_TABLE, ["id", "first name"], "s3://b/tmp/t")
    )
    assert sql == (
        "create external table `s`.`t__dbt_seed_csv` ( `id` string, `first name` string ) "
        "row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde' "
        "location 's3://b/tmp/t' tblproperties ('skip.header.line.count' = '1')"
    )
