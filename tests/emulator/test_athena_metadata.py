"""Athena's catalog actions answered from Glue: databases, table metadata, data catalogs."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = [pytest.mark.emulator, pytest.mark.xdist_group("emulator")]


@pytest.fixture
def database(glue: Any) -> str:
    name = f"meta_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": name, "Description": "for metadata tests"})
    return name


def _create_table(glue: Any, database: str, name: str, table_type: str = "EXTERNAL_TABLE") -> None:
    glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": name,
            "TableType": table_type,
            "Parameters": {"classification": "parquet"},
            "StorageDescriptor": {
                "Columns": [
                    {"Name": "id", "Type": "bigint", "Comment": "key"},
                    {"Name": "name", "Type": "string"},
                ],
                "Location": f"s3://data/{database}/{name}/",
                "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                "SerdeInfo": {
                    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                    "Parameters": {"serialization.format": "1"},
                },
            },
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        },
    )


def test_get_table_metadata_is_shaped_like_athena(athena: Any, glue: Any, database: str) -> None:
    _create_table(glue, database, "events")
    metadata = athena.get_table_metadata(
        CatalogName="AwsDataCatalog", DatabaseName=database, TableName="events"
    )["TableMetadata"]
    assert metadata["Name"] == "events"
    assert metadata["TableType"] == "EXTERNAL_TABLE"
    assert metadata["Columns"] == [
        {"Name": "id", "Type": "bigint", "Comment": "key"},
        {"Name": "name", "Type": "string"},
    ]
    assert metadata["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    assert metadata["Parameters"] == {
        "classification": "parquet",
        "location": f"s3://data/{database}/events/",
        "inputformat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "outputformat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "serde.serialization.lib": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "serde.param.serialization.format": "1",
    }
    assert metadata["CreateTime"].year >= 2024


def test_missing_tables_and_databases_are_metadata_exceptions(athena: Any, database: str) -> None:
    for call, kwargs in (
        (athena.get_table_metadata, {"DatabaseName": database, "TableName": "nope"}),
        (athena.get_database, {"DatabaseName": "no_such_database"}),
        (athena.list_table_metadata, {"DatabaseName": "no_such_database"}),
    ):
        with pytest.raises(ClientError) as raised:
            call(CatalogName="AwsDataCatalog", **kwargs)
        assert raised.value.response["Error"]["Code"] == "MetadataException"


def test_list_table_metadata_filters_and_pages(athena: Any, glue: Any, database: str) -> None:
    for name in ("orders", "order_items", "customers"):
        _create_table(glue, database, name)
    filtered = athena.list_table_metadata(
        CatalogName="AwsDataCatalog", DatabaseName=database, Expression="order.*"
    )
    assert sorted(t["Name"] for t in filtered["TableMetadataList"]) == ["order_items", "orders"]
    paginator = athena.get_paginator("list_table_metadata")
    pages = list(
        paginator.paginate(
            CatalogName="AwsDataCatalog", DatabaseName=database, PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["TableMetadataList"]) for p in pages] == [2, 1]


def test_databases_and_catalogs(athena: Any, database: str) -> None:
    found = athena.get_database(CatalogName="AwsDataCatalog", DatabaseName=database)["Database"]
    pages = athena.get_paginator("list_databases").paginate(CatalogName="AwsDataCatalog")
    listed = [d for page in pages for d in page["DatabaseList"]]
    catalog = athena.get_data_catalog(Name="AwsDataCatalog")["DataCatalog"]
    assert found == {"Name": database, "Description": "for metadata tests", "Parameters": {}}
    assert database in {d["Name"] for d in listed}
    assert (catalog["Name"], catalog["Type"]) == ("AwsDataCatalog", "GLUE")
    assert athena.list_data_catalogs()["DataCatalogsSummary"] == [
        {"CatalogName": "AwsDataCatalog", "Type": "GLUE"}
    ]
    with pytest.raises(ClientError) as raised:
        athena.get_data_catalog(Name="other_catalog")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
