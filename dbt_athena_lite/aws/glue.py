"""Glue Data Catalog operations the adapter needs, over an injected boto3 Glue client.

Reading the catalog through Glue instead of `information_schema` queries costs one API call per
page instead of an Athena query (start, polls, results) per question.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

RelationKind = Literal["table", "view"]

# Fields GetTable returns that CreateTable/UpdateTable refuse as input.
_READ_ONLY_TABLE_FIELDS = frozenset(
    {
        "DatabaseName",
        "CreateTime",
        "UpdateTime",
        "CreatedBy",
        "IsRegisteredWithLakeFormation",
        "CatalogId",
        "VersionId",
        "IsMultiDialectView",
        "FederatedTable",
        "IsMaterializedView",
        "Status",
    }
)

_PARTITION_INPUT_FIELDS = frozenset({"Values", "StorageDescriptor", "Parameters", "LastAccessTime"})
_PARTITIONS_PER_BATCH = 100  # BatchCreatePartition's limit


@dataclass(frozen=True)
class GlueColumn:
    name: str
    data_type: str
    comment: str | None = None
    is_partition_key: bool = False


@dataclass(frozen=True)
class GlueTable:
    database: str
    name: str
    kind: RelationKind
    table_type: str  # "hive" or "iceberg"
    location: str | None
    columns: tuple[GlueColumn, ...]

    @property
    def is_iceberg(self) -> bool:
        return self.table_type == "iceberg"


def table_from_glue(raw: Mapping[str, Any]) -> GlueTable:
    """Our view of a GetTable/GetTables entry (partition keys after the data columns, as Athena lists them)."""
    storage = raw.get("StorageDescriptor") or {}
    parameters = raw.get("Parameters") or {}
    data = [_column(c, False) for c in storage.get("Columns") or [] if _is_current(c)]
    partitions = [_column(c, True) for c in raw.get("PartitionKeys") or []]
    return GlueTable(
        database=raw["DatabaseName"],
        name=raw["Name"],
        kind="view" if raw.get("TableType") == "VIRTUAL_VIEW" else "table",
        table_type="iceberg" if str(parameters.get("table_type", "")).lower() == "iceberg" else "hive",
        location=storage.get("Location") or None,
        columns=tuple(data + partitions),
    )


def _is_current(raw: Mapping[str, Any]) -> bool:
    """False for a column an Iceberg schema change dropped: Glue keeps it, marked not current."""
    return str((raw.get("Parameters") or {}).get("iceberg.field.current", "true")).lower() != "false"


def _column(raw: Mapping[str, Any], is_partition_key: bool) -> GlueColumn:
    return GlueColumn(
        name=raw["Name"],
        data_type=raw.get("Type", ""),
        comment=raw.get("Comment"),
        is_partition_key=is_partition_key,
    )


def table_input_from(raw: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """A TableInput for CreateTable/UpdateTable built from a GetTable result, with `changes` applied."""
    table_input = {k: v for k, v in raw.items() if k not in _READ_ONLY_TABLE_FIELDS}
    table_input.update(changes)
    return table_input


def _is_not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "EntityNotFoundException"


class GlueCatalog:
    """One Glue catalog (CatalogId None = the account's own, i.e. Athena's `awsdatacatalog`)."""

    def __init__(self, glue_client: Any, catalog_id: str | None = None) -> None:
        self._glue = glue_client
        self._catalog = {"CatalogId": catalog_id} if catalog_id else {}

    def list_databases(self) -> list[str]:
        return [db["Name"] for page in self._pages("get_databases", "DatabaseList") for db in page]

    def database_exists(self, name: str) -> bool:
        try:
            self._glue.get_database(Name=name, **self._catalog)
        except ClientError as error:
            if _is_not_found(error):
                return False
            raise
        return True

    def create_database(self, name: str) -> None:
        try:
            self._glue.create_database(DatabaseInput={"Name": name}, **self._catalog)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "AlreadyExistsException":
                raise

    def delete_database(self, name: str) -> bool:
        """Remove a database's catalog entry; False if it was already gone."""
        try:
            self._glue.delete_database(Name=name, **self._catalog)
        except ClientError as error:
            if _is_not_found(error):
                return False
            raise
        return True

    def list_tables(self, database: str) -> list[GlueTable]:
        """Every table and view in `database`; [] if the database does not exist."""
        return [table_from_glue(raw) for raw in self.list_raw_tables(database)]

    def list_raw_tables(self, database: str) -> list[dict[str, Any]]:
        """GetTables entries as Glue returns them (comments, owner, parameters); [] if no such database."""
        try:
            return [
                raw for page in self._pages("get_tables", "TableList", DatabaseName=database) for raw in page
            ]
        except ClientError as error:
            if _is_not_found(error):
                return []
            raise

    def get_raw_table(self, database: str, name: str) -> dict[str, Any] | None:
        try:
            table: dict[str, Any] = self._glue.get_table(DatabaseName=database, Name=name, **self._catalog)[
                "Table"
            ]
        except ClientError as error:
            if _is_not_found(error):
                return None
            raise
        return table

    def get_table(self, database: str, name: str) -> GlueTable | None:
        raw = self.get_raw_table(database, name)
        return None if raw is None else table_from_glue(raw)

    def update_table(
        self,
        database: str,
        table_input: Mapping[str, Any],
        *,
        skip_archive: bool = False,
        version_id: str | None = None,
    ) -> None:
        """Replace a table entry; `skip_archive` keeps Glue from storing the previous one as a version.

        With `version_id` (GetTable's VersionId) Glue refuses the update if the entry changed since it
        was read (ConcurrentModificationException), instead of writing back stale fields, such as an
        Iceberg table's `metadata_location` a concurrent commit has moved on."""
        version = {"VersionId": version_id} if version_id else {}
        self._glue.update_table(
            DatabaseName=database,
            TableInput=dict(table_input),
            SkipArchive=skip_archive,
            **version,
            **self._catalog,
        )

    def delete_table(self, database: str, name: str) -> bool:
        """Remove a table's catalog entry; False if it was already gone."""
        try:
            self._glue.delete_table(DatabaseName=database, Name=name, **self._catalog)
        except ClientError as error:
            if _is_not_found(error):
                return False
            raise
        return True

    def rename_table(self, database: str, name: str, new_database: str, new_name: str) -> None:
        """Glue has no rename: create the entry (and its partitions) under the new name, then delete the
        old one. The data stays where it is; only catalog entries move."""
        raw = self.get_raw_table(database, name)
        if raw is None:
            raise LookupError(f"Table {database}.{name} does not exist in the Glue catalog")
        self._glue.create_table(
            DatabaseName=new_database, TableInput=table_input_from(raw, Name=new_name), **self._catalog
        )
        partitions = [
            {k: v for k, v in partition.items() if k in _PARTITION_INPUT_FIELDS}
            for page in self._pages("get_partitions", "Partitions", DatabaseName=database, TableName=name)
            for partition in page
        ]
        for start in range(0, len(partitions), _PARTITIONS_PER_BATCH):
            response = self._glue.batch_create_partition(
                DatabaseName=new_database,
                TableName=new_name,
                PartitionInputList=partitions[start : start + _PARTITIONS_PER_BATCH],
                **self._catalog,
            )
            if response.get("Errors"):
                # Keep the old entry: the data is still reachable under its original name.
                self.delete_table(new_database, new_name)
                raise RuntimeError(
                    f"Could not copy partitions of {database}.{name}: {response['Errors'][:3]}"
                )
        self.delete_table(database, name)

    def _pages(self, operation: str, key: str, **kwargs: Any) -> Iterator[list[dict[str, Any]]]:
        paginator = self._glue.get_paginator(operation)
        for page in paginator.paginate(**self._catalog, **kwargs):
            yield page.get(key, [])
