"""Iceberg schemas in the emulator's terms: partition transforms, properties, column types."""

from __future__ import annotations

import itertools

import pyarrow as pa
import pytest
from pyiceberg.transforms import BucketTransform, DayTransform, IdentityTransform, TruncateTransform
from pyiceberg.types import DecimalType, IntegerType, ListType, LongType, MapType, StringType, StructType

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.iceberg_types import (
    athena_type_text,
    iceberg_arrow_schema,
    iceberg_properties,
    iceberg_type,
    parse_partitioning,
)
from dbt_athena_lite.emulator.engine.types import parse_type


@pytest.mark.parametrize(
    ("text", "column", "transform", "field_name"),
    [
        ("day(ts)", "ts", DayTransform(), "ts_day"),
        ("DAY( ts )", "ts", DayTransform(), "ts_day"),
        ("bucket(16, id)", "id", BucketTransform(16), "id_bucket"),
        ("truncate(3, s)", "s", TruncateTransform(3), "s_trunc"),
        ("Region", "region", IdentityTransform(), "region"),
    ],
)
def test_partitioning_strings_become_iceberg_transforms(
    text: str, column: str, transform: object, field_name: str
) -> None:
    parsed = parse_partitioning(text)
    assert (parsed.column, parsed.transform, parsed.field_name) == (column, transform, field_name)


@pytest.mark.parametrize("text", ["bucket(id)", "day(3, ts)", "week(ts)", "a + b"])
def test_malformed_partitioning_is_an_invalid_table_property(text: str) -> None:
    with pytest.raises(AthenaQueryError) as raised:
        parse_partitioning(text)
    assert raised.value.error_name == "INVALID_TABLE_PROPERTY"


def test_athena_properties_are_kept_and_translated_for_iceberg_writers() -> None:
    stored = iceberg_properties(
        {"format": "PARQUET", "write_compression": "NONE", "vacuum_max_snapshot_age_seconds": "60"}
    )
    assert stored == {
        "format": "PARQUET",
        "write_compression": "NONE",
        "vacuum_max_snapshot_age_seconds": "60",
        "write.format.default": "parquet",
        "write.parquet.compression-codec": "uncompressed",
        "history.expire.max-snapshot-age-ms": "60000",
    }


@pytest.mark.parametrize(
    ("properties", "error_name"),
    [
        ({"format": "csv"}, "INVALID_TABLE_PROPERTY"),
        ({"write_compression": "deflate"}, "INVALID_TABLE_PROPERTY"),
    ],
)
def test_unsupported_properties_fail(properties: dict[str, str], error_name: str) -> None:
    with pytest.raises(AthenaQueryError) as raised:
        iceberg_properties(properties)
    assert raised.value.error_name == error_name


def test_athena_types_map_to_iceberg_types_and_back() -> None:
    ids = itertools.count(100)
    cases = {
        "bigint": LongType(),
        "smallint": IntegerType(),  # Iceberg has no smallint: widened
        "decimal(10,2)": DecimalType(10, 2),
        "varchar": StringType(),
    }
    for athena, expected in cases.items():
        assert iceberg_type(parse_type(athena), ids.__next__) == expected
    nested = iceberg_type(parse_type("map(varchar,array(row(a integer)))"), ids.__next__)
    assert isinstance(nested, MapType) and isinstance(nested.value_type, ListType)
    assert isinstance(nested.value_type.element_type, StructType)
    assert athena_type_text(nested) == "map(varchar,array(row(a integer)))"


def test_query_results_are_stored_with_iceberg_arrow_types() -> None:
    schema = pa.schema(
        [("small", pa.int16()), ("at", pa.timestamp("ns")), ("names", pa.list_(pa.large_string()))]
    )
    assert iceberg_arrow_schema(schema) == pa.schema(
        [("small", pa.int32()), ("at", pa.timestamp("us")), ("names", pa.list_(pa.string()))]
    )
