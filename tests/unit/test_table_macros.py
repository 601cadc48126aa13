"""Rendering of the table macros: CTAS properties for Hive and Iceberg, batches, table properties."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
import pytest

from dbt_athena_lite.config_checks import table_config
from dbt_athena_lite.relation import AthenaLiteRelation
from dbt_athena_lite.table_builds import GuardScope, TablePlan

MACROS = Path(__file__).parents[2] / "macros"


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _return(value: Any) -> None:
    raise _Return(value)


@pytest.fixture(scope="module")
def macros() -> Any:
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    source = "\n".join(
        (MACROS / "relations" / "table" / name).read_text(encoding="utf-8")
        for name in ("create.sql", "build.sql")
    )
    env.globals["return"] = _return
    return env.from_string(source).module


def call(macro: Any, *args: Any) -> Any:
    try:
        return str(macro(*args))
    except _Return as returned:
        return returned.value


def flat(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


RELATION = AthenaLiteRelation.create(database="awsdatacatalog", schema="sales", identifier="orders")
LOCATION = "s3://lake/data/sales/orders/u-1"


def config(**raw: Any) -> Any:
    return table_config(raw, profile_naming="schema_table_unique")


def test_hive_ctas_with_every_property(macros: Any) -> None:
    cfg = config(
        format="textfile",
        partitioned_by=["dt"],
        bucketed_by=["id"],
        bucket_count=8,
        field_delimiter="|",
        write_compression="gzip",
    )
    sql = flat(call(macros.athena_lite__ctas, RELATION, "select 1 as id, 'x' as dt", cfg, LOCATION))
    assert sql == (
        'create table "awsdatacatalog"."sales"."orders" with ( '
        f"external_location='{LOCATION}', partitioned_by=ARRAY['dt'], bucketed_by=ARRAY['id'], "
        "bucket_count=8, field_delimiter='|', write_compression='GZIP', format='TEXTFILE' ) "
        "as select 1 as id, 'x' as dt"
    )


def test_hive_ctas_defaults_to_parquet_and_has_no_custom_properties(macros: Any) -> None:
    sql = flat(
        call(macros.athena_lite__ctas, RELATION, "select 1", config(table_properties={"a": "b"}), LOCATION)
    )
    assert sql == (
        f'create table "awsdatacatalog"."sales"."orders" with ( external_location=\'{LOCATION}\', '
        "format='PARQUET' ) as select 1"
    )


def test_iceberg_ctas(macros: Any) -> None:
    cfg = config(
        table_type="iceberg",
        partitioned_by=["day(ts)", "bucket(4, id)"],
        table_properties={
            "optimize_rewrite_delete_file_threshold": "2",
            "write_target_data_file_size_bytes": 1024,
        },
        write_compression="zstd",
    )
    sql = flat(call(macros.athena_lite__ctas, RELATION, "select 1", cfg, LOCATION))
    assert sql == (
        'create table "awsdatacatalog"."sales"."orders" with ( '
        f"table_type='ICEBERG', is_external=false, location='{LOCATION}', "
        "partitioning=ARRAY['day(ts)', 'bucket(4, id)'], write_compression='ZSTD', "
        "optimize_rewrite_delete_file_threshold=2, write_target_data_file_size_bytes=1024, "
        "format='PARQUET' ) as select 1"
    )


def test_quotes_in_values_are_escaped(macros: Any) -> None:
    sql = flat(call(macros.athena_lite__array_literal, ["it's"]))
    assert sql == "ARRAY['it''s']"


def plan(**raw: Any) -> TablePlan:
    return TablePlan(
        database="awsdatacatalog",
        schema="sales",
        identifier="orders",
        build_identifier="orders__dbt_tmp",
        build_location=LOCATION,
        final_location=None,
        swap=True,
        config=config(**raw),
        scope=GuardScope(("s3://lake/data/",)),
    )


def test_one_statement_without_batches(macros: Any) -> None:
    statements = call(macros.athena_lite__table_build_statements, RELATION, "select 1 as id", plan())
    assert len(statements) == 1
    assert flat(statements[0]).startswith('create table "awsdatacatalog"."sales"."orders" with (')


def test_batches_are_one_ctas_then_inserts(macros: Any) -> None:
    filters = ["(cast(\"p\" as varchar) = '1')", "(cast(\"p\" as varchar) = '2')"]
    statements = call(
        macros.athena_lite__table_build_statements,
        RELATION,
        "select 1 as id, 1 as p",
        plan(partitioned_by=["p"]),
        filters,
    )
    assert len(statements) == 2
    assert flat(statements[0]).endswith(
        "as select * from (select 1 as id, 1 as p) as model_batch where (cast(\"p\" as varchar) = '1')"
    )
    assert flat(statements[1]) == (
        'insert into "awsdatacatalog"."sales"."orders" select * from (select 1 as id, 1 as p) as model_batch '
        "where (cast(\"p\" as varchar) = '2')"
    )


def test_hive_table_properties_follow_the_ctas(macros: Any) -> None:
    statements = call(
        macros.athena_lite__table_build_statements,
        RELATION,
        "select 1",
        plan(table_properties={"team": "it's", "retention": "'30'"}),
    )
    assert len(statements) == 2
    assert flat(statements[1]) == (
        "alter table `sales`.`orders` set tblproperties ( 'team'='it''s', 'retention'='30' )"
    )


def test_iceberg_table_properties_stay_in_the_ctas(macros: Any) -> None:
    statements = call(
        macros.athena_lite__table_build_statements,
        RELATION,
        "select 1",
        plan(table_type="iceberg", table_properties={"vacuum_max_snapshot_age_seconds": 86400}),
    )
    assert len(statements) == 1
    assert "vacuum_max_snapshot_age_seconds=86400," in flat(statements[0])
