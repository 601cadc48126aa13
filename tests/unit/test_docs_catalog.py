"""The docs catalog read from Glue, and descriptions written back to it (moto Glue)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from dbt_athena_lite import docs_catalog, persist_docs
from dbt_athena_lite.aws.glue import GlueCatalog, table_input_from
from dbt_athena_lite.column import athena_type_name

CATALOG = "awsdatacatalog"

ORDERS: dict[str, Any] = {
    "Name": "orders",
    "Owner": "analytics",
    "TableType": "EXTERNAL_TABLE",
    "Description": "Glue console text",
    "Parameters": {"comment": "One row per order", "classification": "parquet"},
    "StorageDescriptor": {
        "Columns": [
            {"Name": "id", "Type": "bigint", "Comment": "order id"},
            {"Name": "items", "Type": "array<struct<sku:string,qty:int>>"},
        ],
        "Location": "s3://data/sales/orders/",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
    },
    "PartitionKeys": [{"Name": "day", "Type": "date"}],
}
ORDERS_VIEW: dict[str, Any] = {
    "Name": "orders_v",
    "TableType": "VIRTUAL_VIEW",
    "ViewOriginalText": "/* Presto View: e30= */",
    "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}]},
}


class CountingGlue:
    """The boto3 client, counting calls by operation."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        self.calls[name] = self.calls.get(name, 0) + 1
        return getattr(self._client, name)


@pytest.fixture
def glue() -> Iterator[CountingGlue]:
    with mock_aws():
        client: Any = boto3.client("glue", region_name="us-east-1")
        client.create_database(DatabaseInput={"Name": "sales"})
        client.create_table(DatabaseName="sales", TableInput=ORDERS)
        client.create_table(DatabaseName="sales", TableInput=ORDERS_VIEW)
        for number in range(docs_catalog.MAX_SINGLE_LOOKUPS + 1):
            client.create_table(
                DatabaseName="sales",
                TableInput={
                    "Name": f"t{number}",
                    "StorageDescriptor": {"Columns": [{"Name": "a", "Type": "int"}]},
                },
            )
        yield CountingGlue(client)


@pytest.mark.parametrize(
    ("glue_type", "athena"),
    [
        ("string", "varchar"),
        ("int", "integer"),
        ("float", "real"),
        ("binary", "varbinary"),
        ("decimal(10,2)", "decimal(10,2)"),
        ("varchar(20)", "varchar(20)"),
        ("array<string>", "array(varchar)"),
        ("map<string,array<int>>", "map(varchar, array(integer))"),
        ("struct<a:int,b:map<string,string>>", "row(a integer, b map(varchar, varchar))"),
        ("array(row(a integer))", "array(row(a integer))"),
    ],
)
def test_glue_types_in_athena_names(glue_type: str, athena: str) -> None:
    assert athena_type_name(glue_type) == athena


def _rows(table: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (row["table_name"], row["column_name"]): dict(zip(table.column_names, row, strict=True))
        for row in table
    }


def test_schema_catalog_has_comments_owner_types_and_partition_keys(glue: CountingGlue) -> None:
    rows = _rows(docs_catalog.schemas_catalog(GlueCatalog(glue), CATALOG, {"sales"}))
    assert rows["orders", "id"] == {
        "table_database": CATALOG,
        "table_schema": "sales",
        "table_name": "orders",
        "table_type": "table",
        "table_comment": "One row per order",  # Athena's DDL comment wins over Glue's Description
        "table_owner": "analytics",
        "column_name": "id",
        "column_index": 1,
        "column_type": "bigint",
        "column_comment": "order id",
    }
    assert rows["orders", "items"]["column_type"] == "array(row(sku varchar, qty integer))"
    assert rows["orders", "day"]["column_index"] == 3  # partition keys after the data columns
    assert rows["orders_v", "id"]["table_type"] == "view"
    assert rows["orders_v", "id"]["table_comment"] is None


def test_a_missing_schema_contributes_nothing(glue: CountingGlue) -> None:
    assert len(docs_catalog.schemas_catalog(GlueCatalog(glue), CATALOG, {"nope"})) == 0


def test_few_relations_are_fetched_one_by_one(glue: CountingGlue) -> None:
    table = docs_catalog.relations_catalog(
        GlueCatalog(glue), CATALOG, [("sales", "orders"), ("sales", "gone")]
    )
    assert {row["table_name"] for row in table} == {"orders"}
    assert glue.calls.get("get_table") == 2
    assert "get_paginator" not in glue.calls


def test_many_relations_of_a_schema_are_read_from_one_listing(glue: CountingGlue) -> None:
    wanted = [("sales", f"t{n}") for n in range(docs_catalog.MAX_SINGLE_LOOKUPS + 1)]
    table = docs_catalog.relations_catalog(GlueCatalog(glue), CATALOG, wanted)
    assert {row["table_name"] for row in table} == {name for _, name in wanted}
    assert "get_table" not in glue.calls


def test_one_relation_entry_matches_its_catalog_rows(glue: CountingGlue) -> None:
    entry = docs_catalog.catalog_entry(CATALOG, glue.get_table(DatabaseName="sales", Name="orders")["Table"])
    assert (entry.metadata.type, entry.metadata.comment, entry.metadata.owner) == (
        "table",
        "One row per order",
        "analytics",
    )
    assert entry.key() == (CATALOG, "sales", "orders")
    assert [(c.name, c.index, c.type, c.comment) for c in entry.columns.values()] == [
        ("id", 1, "bigint", "order id"),
        ("items", 2, "array(row(sku varchar, qty integer))", None),
        ("day", 3, "date", None),
    ]
    assert entry.stats["has_stats"].value is False


# --- persist_docs ----------------------------------------------------------------------------------


def _raw(glue: CountingGlue, name: str) -> dict[str, Any]:
    table: dict[str, Any] = glue.get_table(DatabaseName="sales", Name=name)["Table"]
    return table


def test_docs_go_where_athena_shows_them_and_nothing_else_changes(glue: CountingGlue) -> None:
    before = _raw(glue, "orders")
    update = persist_docs.docs_update(
        before,
        "Orders, 'quoted' and \"double\"\nsecond line",
        {
            "ID": {"description": "the key"},
            "day": {"description": "partition"},
            "ghost": {"description": "x"},
        },
    )
    assert update.missing_columns == ["ghost"]
    assert update.table_input is not None
    GlueCatalog(glue).update_table("sales", update.table_input)
    after = _raw(glue, "orders")
    assert after["Parameters"] == {
        **before["Parameters"],
        "comment": "Orders, 'quoted' and \"double\"\nsecond line",
    }
    assert after["Description"] == after["Parameters"]["comment"]
    columns = after["StorageDescriptor"]["Columns"] + after["PartitionKeys"]
    assert [(c["Name"], c.get("Comment")) for c in columns] == [
        ("id", "the key"),
        ("items", None),
        ("day", "partition"),
    ]
    for field in ("Owner", "TableType"):
        assert after[field] == before[field]
    assert after["StorageDescriptor"]["Location"] == before["StorageDescriptor"]["Location"]
    assert after["StorageDescriptor"]["SerdeInfo"] == before["StorageDescriptor"]["SerdeInfo"]


def test_docs_already_in_glue_write_nothing(glue: CountingGlue) -> None:
    docs = ("One row per order", {"id": {"description": "order id"}})
    first = persist_docs.docs_update(_raw(glue, "orders"), *docs)
    assert first.table_input is not None  # the Description still holds the Glue console's text
    GlueCatalog(glue).update_table("sales", first.table_input)
    assert persist_docs.docs_update(_raw(glue, "orders"), *docs).table_input is None


def test_a_quoted_column_must_match_exactly(glue: CountingGlue) -> None:
    update = persist_docs.docs_update(_raw(glue, "orders"), None, {"ID": {"description": "x", "quote": True}})
    assert update.missing_columns == ["ID"]
    assert update.table_input is None


def test_views_keep_their_view_text(glue: CountingGlue) -> None:
    update = persist_docs.docs_update(_raw(glue, "orders_v"), "A view", {"id": {"description": "key"}})
    assert update.table_input is not None
    assert update.table_input["ViewOriginalText"] == ORDERS_VIEW["ViewOriginalText"]
    assert update.table_input["TableType"] == "VIRTUAL_VIEW"


def test_texts_longer_than_glue_takes_are_cut_by_bytes(glue: CountingGlue) -> None:
    update = persist_docs.docs_update(_raw(glue, "orders"), "d" * 3000, {"id": {"description": "é" * 200}})
    assert update.truncated == ["table", "id"]
    assert update.table_input is not None
    assert len(update.table_input["Description"].encode()) == persist_docs.MAX_DESCRIPTION_BYTES
    comment = update.table_input["StorageDescriptor"]["Columns"][0]["Comment"]
    assert comment.endswith("é...")  # never half a character
    assert len(comment.encode()) <= persist_docs.MAX_COLUMN_COMMENT_BYTES


def test_column_comments_are_one_line_table_comments_keep_theirs(glue: CountingGlue) -> None:
    text = "first line\n  second line\n\n-- third"
    update = persist_docs.docs_update(_raw(glue, "orders"), text, {"id": {"description": text}})
    assert update.table_input is not None
    assert update.table_input["Parameters"]["comment"] == text
    assert (
        update.table_input["StorageDescriptor"]["Columns"][0]["Comment"] == "first line second line -- third"
    )
    assert update.truncated == []


def test_a_glue_view_marker_is_not_a_comment(glue: CountingGlue) -> None:
    raw = {
        **ORDERS_VIEW,
        "DatabaseName": "sales",
        "Parameters": {"comment": "Presto View", "presto_view": "true"},
    }
    assert docs_catalog.table_comment(raw) is None
    assert docs_catalog.table_comment({**raw, "Parameters": {"comment": "Mine"}}) == "Mine"


class RacingGlue(CountingGlue):
    """A Glue client whose first UpdateTable loses to a concurrent writer (an Iceberg commit)."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.update_versions: list[str | None] = []

    def update_table(self, **kwargs: Any) -> Any:
        self.update_versions.append(kwargs.get("VersionId"))
        if len(self.update_versions) == 1:
            raw = self._client.get_table(DatabaseName="sales", Name="orders")["Table"]
            parameters = {**raw["Parameters"], "metadata_location": "s3://data/v2.json"}
            self._client.update_table(
                DatabaseName="sales", TableInput=table_input_from(raw, Parameters=parameters)
            )
            raise ClientError({"Error": {"Code": "ConcurrentModificationException"}}, "UpdateTable")
        return self._client.update_table(**kwargs)


def test_a_concurrent_change_is_read_again_not_overwritten(glue: CountingGlue) -> None:
    racing = RacingGlue(glue._client)
    update = persist_docs.write(GlueCatalog(racing), "sales", "orders", "Docs", {})
    assert update.table_input is not None
    assert len(racing.update_versions) == 2 and all(racing.update_versions)  # each names the version it read
    after = _raw(glue, "orders")
    assert after["Parameters"]["metadata_location"] == "s3://data/v2.json"
    assert after["Parameters"]["comment"] == "Docs"


def test_unchanged_docs_cost_one_read(glue: CountingGlue) -> None:
    persist_docs.write(GlueCatalog(glue), "sales", "orders", "Docs", {})
    glue.calls.clear()
    persist_docs.write(GlueCatalog(glue), "sales", "orders", "Docs", {})
    assert glue.calls == {"get_table": 1}
