"""Model config validation: accepted values are normalised; every refusal names the config and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from dbt_athena_lite.config_checks import ModelConfigError, config_mapping, sql_literal, table_config

ROOTS = (
    "s3://lake/data/",
    "s3://results/athena/tables/",
    "s3://results/athena/",
    "s3://warehouse/team/data/",
)


def check(**raw: Any) -> Any:
    return table_config(raw, profile_naming="schema_table_unique", protected_roots=ROOTS)


def test_defaults() -> None:
    cfg = check()
    assert (cfg.table_type, cfg.format, cfg.partitioned_by, cfg.s3_data_naming) == (
        "hive",
        "parquet",
        (),
        "schema_table_unique",
    )
    assert not cfg.fixed_location and not cfg.force_batch and cfg.versions_to_keep == 4


def test_values_are_normalised() -> None:
    cfg = check(
        table_type="ICEBERG",
        format="ORC",
        partitioned_by=["Day(ts)", " id "],
        external_location=None,
        s3_data_dir="s3://lake//models",
        write_compression="ZSTD",
    )
    assert (cfg.table_type, cfg.format, cfg.write_compression) == ("iceberg", "orc", "zstd")
    assert cfg.partitioned_by == ("Day(ts)", "id")
    assert cfg.partition_columns == ("ts", "id")
    assert cfg.s3_data_dir == "s3://lake/models/"


def test_profile_naming_is_the_default_and_model_naming_wins() -> None:
    assert table_config({}, profile_naming="table").s3_data_naming == "table"
    assert table_config({"s3_data_naming": "unique"}, profile_naming="table").s3_data_naming == "unique"


@pytest.mark.parametrize(
    ("raw", "config", "words"),
    [
        ({"table_type": "delta"}, "table_type", "Use one of: hive, iceberg"),
        ({"format": "csv"}, "format", "parquet, orc, avro, json, textfile"),
        ({"table_type": "iceberg", "format": "json"}, "format", "for table_type='iceberg'"),
        ({"partitioned_by": "dt"}, "partitioned_by", "partitioned_by=['dt']"),
        ({"partitioned_by": []}, "partitioned_by", "must list column names"),
        ({"partitioned_by": ["day(ts)"]}, "partitioned_by", "need table_type='iceberg'"),
        ({"table_type": "iceberg", "partitioned_by": ["days(ts)"]}, "partitioned_by", "bucket(N, col)"),
        ({"bucketed_by": ["id"]}, "bucket_count", "Set bucketed_by and bucket_count together"),
        ({"bucket_count": 4}, "bucketed_by", "together"),
        ({"bucketed_by": ["id"], "bucket_count": 0}, "bucket_count", "positive whole number"),
        ({"bucketed_by": ["id"], "bucket_count": "4"}, "bucket_count", "positive whole number"),
        (
            {"bucketed_by": ["dt"], "bucket_count": 2, "partitioned_by": ["dt"]},
            "bucketed_by",
            "partition column",
        ),
        (
            {"table_type": "iceberg", "bucketed_by": ["id"], "bucket_count": 2},
            "bucketed_by",
            "bucket(N, col)",
        ),
        ({"write_compression": "brotli"}, "write_compression", "gzip, snappy"),
        ({"field_delimiter": ","}, "field_delimiter", "format='textfile'"),
        ({"format": "textfile", "field_delimiter": ",,"}, "field_delimiter", "one character"),
        ({"table_properties": ["a"]}, "table_properties", "mapping"),
        ({"table_properties": {"a b": "1"}}, "table_properties", "property name"),
        ({"s3_data_naming": "table_schema"}, "s3_data_naming", "schema_table_unique"),
        ({"force_batch": "yes"}, "force_batch", "true or false"),
        ({"s3_data_dir": "https://lake.s3.amazonaws.com/x/"}, "s3_data_dir", "s3://lake/x/"),
        ({"external_location": "s3://lake"}, "external_location", "bucket root"),
        ({"external_location": "s3://lake/data/"}, "external_location", "is s3://lake/data/"),
        (
            {"external_location": "s3://warehouse/team"},
            "external_location",
            "contains s3://warehouse/team/data/",
        ),
        ({"external_location": "s3://results/athena"}, "external_location", "query results live"),
        ({"table_type": "iceberg", "external_location": "s3://lake/x/"}, "table_type", "external_location="),
        ({"table_type": "iceberg", "s3_data_naming": "table"}, "table_type", "s3_data_naming='table'"),
    ],
)
def test_refused(raw: dict[str, Any], config: str, words: str) -> None:
    with pytest.raises(ModelConfigError) as raised:
        check(**raw)
    assert raised.value.config == config
    assert f"Model config `{config}`" in str(raised.value)
    assert words in str(raised.value)


def test_external_location_below_a_data_root_is_a_table_of_its_own() -> None:
    assert check(external_location="s3://lake/data/exports/orders").external_location == (
        "s3://lake/data/exports/orders/"
    )


def test_external_locations_of_two_models_must_not_overlap() -> None:
    others = {"model.p.a": "s3://lake/exports/", "model.p.b": "s3://lake/other/x"}
    with pytest.raises(ModelConfigError, match=r"overlaps the external_location of model\.p\.a"):
        table_config(
            {"external_location": "s3://lake/exports/orders"}, profile_naming="table", other_locations=others
        )
    with pytest.raises(ModelConfigError, match=r"model\.p\.b"):
        table_config({"external_location": "s3://lake/other"}, profile_naming="table", other_locations=others)
    fine = table_config(
        {"external_location": "s3://lake/other2"}, profile_naming="table", other_locations=others
    )
    assert fine.external_location == "s3://lake/other2/"


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (2, "2"),
        ("2", "2"),
        (1.5, "1.5"),
        (True, "true"),
        ("abc", "'abc'"),
        ("'abc'", "'abc'"),
        ("it's", "'it''s'"),
    ],
)
def test_iceberg_property_literals(value: Any, literal: str) -> None:
    assert sql_literal(value) == literal


def test_hive_property_strings_drop_dbt_athena_quotes() -> None:
    cfg = check(table_properties={"a": "'x'", "b": 3, "c": False})
    assert cfg.property_strings == {"a": "x", "b": "3", "c": "false"}


def test_config_mapping_accepts_dbt_node_configs() -> None:
    from dbt.artifacts.resources import NodeConfig

    node_config = NodeConfig.from_dict({"materialized": "table", "table_type": "iceberg"})
    assert config_mapping(node_config)["table_type"] == "iceberg"
    assert config_mapping({"a": 1}) == {"a": 1}
    with pytest.raises(TypeError):
        config_mapping(3)
