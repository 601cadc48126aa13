"""Athena's catalog actions (GetTableMetadata, ListTableMetadata, GetDatabase, ListDatabases,
GetDataCatalog, ListDataCatalogs), answered from Glue as Athena does for `AwsDataCatalog`.

Glue is read through the emulator's own internal client, so these see exactly what a Glue
client sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from botocore.exceptions import ClientError

from dbt_athena_lite.emulator.api_errors import AthenaApiError

DEFAULT_CATALOG = "AwsDataCatalog"


def check_catalog(name: str | None) -> None:
    """Only the Glue-backed AwsDataCatalog exists here (names compare case-insensitively)."""
    if name is not None and name.lower() != DEFAULT_CATALOG.lower():
        raise AthenaApiError(
            "InvalidRequestException",
            f"Catalog {name} was not found. Only {DEFAULT_CATALOG} is available in the emulator.",
        )


def data_catalog(account_id: str) -> dict[str, Any]:
    return {
        "Name": DEFAULT_CATALOG,
        "Description": "AWS Glue Data Catalog",
        "Type": "GLUE",
        "Parameters": {"catalog-id": account_id},
    }


def _metadata_error(error: ClientError, what: str) -> AthenaApiError:
    code = error.response.get("Error", {}).get("Code", "")
    if code == "EntityNotFoundException":
        return AthenaApiError("MetadataException", f"{what} not found.")
    return AthenaApiError("InternalServerException", f"Glue failed while reading {what}: {error}", status=500)


def _glue_pages(glue: Any, operation: str, result_key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    token: str | None = None
    while True:
        response = getattr(glue, operation)(**kwargs, **({"NextToken": token} if token else {}))
        yield from response.get(result_key, [])
        token = response.get("NextToken")
        if not token:
            return


def _columns(columns: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    shaped = []
    for column in columns:
        item = {"Name": column["Name"], "Type": column.get("Type", "")}
        if column.get("Comment"):
            item["Comment"] = column["Comment"]
        shaped.append(item)
    return shaped


def table_metadata(table: Mapping[str, Any]) -> dict[str, Any]:
    """A Glue table as Athena's TableMetadata: storage details are folded into Parameters
    (location, inputformat, outputformat, serde.*), as Athena reports them."""
    storage = table.get("StorageDescriptor") or {}
    serde = storage.get("SerdeInfo") or {}
    parameters: dict[str, str] = dict(table.get("Parameters") or {})
    folded = {
        "location": storage.get("Location"),
        "inputformat": storage.get("InputFormat"),
        "outputformat": storage.get("OutputFormat"),
        "serde.serialization.lib": serde.get("SerializationLibrary"),
    }
    parameters.update({key: value for key, value in folded.items() if value})
    for key, value in (serde.get("Parameters") or {}).items():
        parameters[f"serde.param.{key}"] = value
    metadata: dict[str, Any] = {
        "Name": table["Name"],
        "TableType": table.get("TableType", "EXTERNAL_TABLE"),
        "Columns": _columns(storage.get("Columns") or []),
        "PartitionKeys": _columns(table.get("PartitionKeys") or []),
        "Parameters": parameters,
    }
    for source, target in (("CreateTime", "CreateTime"), ("LastAccessTime", "LastAccessTime")):
        if table.get(source) is not None:
            metadata[target] = table[source]
    return metadata


def database_shape(database: Mapping[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {"Name": database["Name"]}
    if database.get("Description"):
        shaped["Description"] = database["Description"]
    shaped["Parameters"] = dict(database.get("Parameters") or {})
    return shaped


class CatalogActions:
    """The catalog half of the Athena API over one region's internal Glue client."""

    def __init__(self, glue: Any) -> None:
        self._glue = glue

    def get_database(self, name: str) -> dict[str, Any]:
        try:
            database = self._glue.get_database(Name=name)["Database"]
        except ClientError as error:
            raise _metadata_error(error, f"Database {name}") from None
        return database_shape(database)

    def list_databases(self) -> list[dict[str, Any]]:
        return [database_shape(db) for db in _glue_pages(self._glue, "get_databases", "DatabaseList")]

    def get_table_metadata(self, database: str, table: str) -> dict[str, Any]:
        try:
            found = self._glue.get_table(DatabaseName=database, Name=table)["Table"]
        except ClientError as error:
            raise _metadata_error(error, f"Table {database}.{table}") from None
        return table_metadata(found)

    def list_table_metadata(self, database: str, expression: str | None) -> list[dict[str, Any]]:
        self.get_database(database)  # a missing database is an error, not an empty list
        # Athena's Expression is a regex the whole table name must match.
        pattern = re.compile(expression, re.IGNORECASE) if expression else None
        return [
            table_metadata(table)
            for table in _glue_pages(self._glue, "get_tables", "TableList", DatabaseName=database)
            if pattern is None or pattern.fullmatch(table["Name"])
        ]
