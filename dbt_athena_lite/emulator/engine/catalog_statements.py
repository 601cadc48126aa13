"""Athena's catalog statements (SHOW, DESCRIBE, ALTER TABLE, MSCK REPAIR TABLE), run against Glue and S3.

The engine's router offers every statement to `run_catalog_statement` first; it answers None for
anything that is not a catalog statement. These never touch DuckDB: in Athena they are metadata
operations of the Hive DDL executor, so they are metadata operations here too.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from dbt_athena_lite.emulator.engine import catalog_show
from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryContext, QueryResult
from dbt_athena_lite.emulator.engine.catalog_glue import (
    GlueTable,
    batched,
    create_partitions,
    database_name,
    get_table,
    is_iceberg,
    is_not_found,
    is_view,
    join_location,
    list_database_names,
    list_partitions,
    list_tables,
    partition_input,
    partition_key_names,
    partition_path,
    require_database,
    table_input,
    table_location,
)
from dbt_athena_lite.emulator.engine.catalog_parsing import (
    AddColumns,
    AddPartitions,
    AlterTable,
    CatalogStatement,
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
    ShowDatabases,
    ShowPartitions,
    ShowTableProperties,
    ShowTables,
    TableDescription,
    TableRef,
    parse_catalog_statement,
)
from dbt_athena_lite.emulator.engine.catalog_repair import repair_table
from dbt_athena_lite.emulator.engine.clients import EngineClients


def run_catalog_statement(sql: str, context: QueryContext, clients: EngineClients) -> QueryResult | None:
    """Run `sql` if it is a catalog statement; None if the SQL engine should run it instead."""
    statement = parse_catalog_statement(sql)
    if statement is None:
        return None
    return _CatalogRunner(context, clients).run(statement)


def _ddl_result(substatement_type: str) -> QueryResult:
    return QueryResult(statement_type="DDL", substatement_type=substatement_type)


class _CatalogRunner:
    def __init__(self, context: QueryContext, clients: EngineClients) -> None:
        self.context = context
        self.clients = clients
        self.glue = clients.glue
        self.s3 = clients.s3

    def table(self, ref: TableRef) -> tuple[str, GlueTable]:
        database = database_name(ref.database, self.context)
        return database, get_table(self.glue, database, ref.name)

    def run(self, statement: CatalogStatement) -> QueryResult:
        if isinstance(statement, ShowDatabases):
            return catalog_show.show_databases(list_database_names(self.glue), statement.pattern)
        if isinstance(statement, ShowTables):
            tables = list_tables(self.glue, database_name(statement.database, self.context))
            return catalog_show.show_tables(tables, statement.pattern, views_only=statement.views_only)
        if isinstance(statement, RepairTable):
            database, table = self.table(statement.table)
            repair_table(self.glue, self.s3, database, table, self.context)
            return _ddl_result("MSCK_REPAIR_TABLE")
        if isinstance(statement, TableDescription):
            return self.describe(statement)
        return self.alter(statement)

    def describe(self, statement: TableDescription) -> QueryResult:
        database, table = self.table(statement.table)
        if isinstance(statement, ShowColumns):
            return catalog_show.show_columns(table)
        if isinstance(statement, ShowPartitions):
            if not table.get("PartitionKeys"):
                raise AthenaQueryError(
                    "NOT_SUPPORTED",
                    f"FAILED: SemanticException [Error 10241]: Table {table['Name']} is not a partitioned table",
                )
            return catalog_show.show_partitions(table, list_partitions(self.glue, database, table["Name"]))
        if isinstance(statement, ShowTableProperties):
            return catalog_show.show_table_properties(database, table, statement.key)
        if isinstance(statement, DescribeTable):
            return catalog_show.describe_table(table, formatted=statement.formatted)
        if statement.view:
            if not is_view(table):
                raise AthenaQueryError(
                    "NOT_SUPPORTED", f"Relation '{database}.{table['Name']}' is a table, not a view"
                )
            return catalog_show.show_create_view(self.context.catalog, database, table)
        if is_view(table):
            raise AthenaQueryError(
                "NOT_SUPPORTED",
                f"SHOW CREATE TABLE is not supported for views; use SHOW CREATE VIEW {database}.{table['Name']}",
            )
        if is_iceberg(table):
            # pyiceberg loads on first use (~1 s of imports)
            from dbt_athena_lite.emulator.engine import iceberg_ddl

            partitioning, properties = iceberg_ddl.show_create_details(self.clients, database, table)
            return catalog_show.show_create_iceberg_table(database, table, partitioning, properties)
        return catalog_show.show_create_table(database, table)

    # -- ALTER TABLE ---------------------------------------------------------------------------------

    def alter(self, statement: AlterTable) -> QueryResult:
        database, table = self.table(statement.table)
        if is_iceberg(table):
            # pyiceberg loads on first use (~1 s of imports)
            from dbt_athena_lite.emulator.engine import iceberg_alter

            return iceberg_alter.alter_table(statement, database, table, self.clients, self.context)
        if isinstance(statement, SetTableProperties):
            parameters = {**table.get("Parameters", {}), **statement.properties}
            self.update_table(database, table_input(table, Parameters=parameters))
            return _ddl_result("ALTER_TABLE")
        if isinstance(statement, AddPartitions):
            self.add_partitions(database, table, statement)
            return _ddl_result("ALTER_TABLE_ADD_PARTITION")
        if isinstance(statement, DropPartitions):
            self.drop_partitions(database, table, statement)
            return _ddl_result("ALTER_TABLE_DROP_PARTITION")
        if isinstance(statement, SetPartitionLocation):
            self.set_partition_location(database, table, statement)
            return _ddl_result("ALTER_TABLE")
        if isinstance(statement, RenamePartition):
            self.rename_partition(database, table, statement)
            return _ddl_result("ALTER_TABLE")
        if isinstance(statement, SetTableLocation):
            descriptor = {**table["StorageDescriptor"], "Location": statement.location}
            self.update_table(database, table_input(table, StorageDescriptor=descriptor))
        elif isinstance(statement, RenameTable):
            self.rename(database, table, statement.new_table)
        else:
            self.update_table(
                database, table_input(table, StorageDescriptor=self.new_columns(table, statement))
            )
        return _ddl_result("ALTER_TABLE")

    def update_table(self, database: str, new_input: dict[str, Any]) -> None:
        self.glue.update_table(DatabaseName=database, TableInput=new_input)

    def new_columns(
        self, table: GlueTable, statement: AddColumns | ReplaceColumns | ChangeColumn
    ) -> dict[str, Any]:
        """The table's StorageDescriptor with its column list changed as `statement` says."""
        descriptor = dict(table["StorageDescriptor"])
        existing = list(descriptor.get("Columns", []))
        if isinstance(statement, ReplaceColumns):
            columns = [_glue_column(column) for column in statement.columns]
        elif isinstance(statement, AddColumns):
            taken = {column["Name"] for column in existing} | set(partition_key_names(table))
            for column in statement.columns:
                if column.name in taken:
                    raise AthenaQueryError(
                        "ALREADY_EXISTS",
                        f"FAILED: SemanticException [Error 10036]: Duplicate column name: {column.name}",
                    )
            columns = existing + [_glue_column(column) for column in statement.columns]
        else:
            position = next(
                (i for i, column in enumerate(existing) if column["Name"] == statement.old_name), None
            )
            if position is None:
                raise AthenaQueryError(
                    "COLUMN_NOT_FOUND",
                    f"FAILED: SemanticException [Error 10002]: Invalid column reference {statement.old_name}",
                )
            columns = [*existing[:position], _glue_column(statement.column), *existing[position + 1 :]]
        descriptor["Columns"] = columns
        return descriptor

    def rename(self, database: str, table: GlueTable, new_ref: TableRef) -> None:
        """Glue cannot rename: copy the table and its partitions under the new name, then drop the old."""
        new_database = new_ref.database or database
        require_database(self.glue, new_database)
        try:
            self.glue.get_table(DatabaseName=new_database, Name=new_ref.name)
        except ClientError as error:
            if not is_not_found(error):
                raise
        else:
            raise AthenaQueryError(
                "ALREADY_EXISTS",
                f"FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
                f"Unable to alter table. Table {new_database}.{new_ref.name} already exists",
            )
        partitions = list_partitions(self.glue, database, table["Name"])
        self.glue.create_table(DatabaseName=new_database, TableInput=table_input(table, Name=new_ref.name))
        for batch in batched(partitions):
            response = self.glue.batch_create_partition(
                DatabaseName=new_database,
                TableName=new_ref.name,
                PartitionInputList=[partition_input(partition) for partition in batch],
            )
            if response.get("Errors"):
                # Leave the old table in place: the copy is incomplete, so the rename did not happen.
                self.glue.delete_table(DatabaseName=new_database, Name=new_ref.name)
                raise AthenaQueryError(
                    "GENERIC_INTERNAL_ERROR",
                    f"Renaming {database}.{table['Name']} failed copying partitions: {response['Errors'][0]}",
                    category=1,
                )
        self.glue.delete_table(DatabaseName=database, Name=table["Name"])

    # -- partitions -----------------------------------------------------------------------------------

    def partition_values(self, table: GlueTable, spec: PartitionSpec, *, complete: bool = True) -> list[str]:
        """The spec's values in the table's partition-key order, checked against the table's keys."""
        keys = partition_key_names(table)
        given = dict(spec.values)
        unknown = [key for key in given if key not in keys]
        if not keys or unknown:
            raise AthenaQueryError(
                "INVALID_PARTITION",
                f"FAILED: SemanticException [Error 10098]: Non-Partition column appears in the partition "
                f"specification: {', '.join(unknown) or ', '.join(given)}",
            )
        if complete and len(given) != len(keys):
            missing = ", ".join(key for key in keys if key not in given)
            raise AthenaQueryError(
                "INVALID_PARTITION",
                f"FAILED: SemanticException table is partitioned but partition spec is not specified or does "
                f"not match the partition keys (missing: {missing})",
            )
        return [given.get(key, "") for key in keys]

    def add_partitions(self, database: str, table: GlueTable, statement: AddPartitions) -> None:
        keys = partition_key_names(table)
        existing = {
            tuple(partition["Values"]) for partition in list_partitions(self.glue, database, table["Name"])
        }
        to_create: dict[tuple[str, ...], str] = {}
        for spec in statement.partitions:
            values = self.partition_values(table, spec)
            if tuple(values) in existing or tuple(values) in to_create:
                if statement.if_not_exists:
                    continue
                raise _partition_already_exists()
            to_create[tuple(values)] = spec.location or join_location(
                table_location(table), partition_path(keys, values)
            )
        create_partitions(self.glue, database, table, list(to_create.items()))

    def drop_partitions(self, database: str, table: GlueTable, statement: DropPartitions) -> None:
        """DROP PARTITION accepts partial specs (dt='x' drops every hour under it), as Hive does."""
        keys = partition_key_names(table)
        partitions = list_partitions(self.glue, database, table["Name"])
        doomed: dict[tuple[str, ...], None] = {}
        for spec in statement.partitions:
            self.partition_values(table, spec, complete=False)
            wanted = dict(spec.values)
            matches = [
                tuple(partition["Values"])
                for partition in partitions
                if all(
                    dict(zip(keys, partition["Values"], strict=True))[key] == value
                    for key, value in wanted.items()
                )
            ]
            if not matches and not statement.if_exists:
                raise _partition_not_found(spec)
            doomed.update(dict.fromkeys(matches))
        for batch in batched([{"Values": list(values)} for values in doomed]):
            self.glue.batch_delete_partition(
                DatabaseName=database, TableName=table["Name"], PartitionsToDelete=batch
            )

    def existing_partition(self, database: str, table: GlueTable, spec: PartitionSpec) -> dict[str, Any]:
        values = self.partition_values(table, spec)
        try:
            partition: dict[str, Any] = self.glue.get_partition(
                DatabaseName=database, TableName=table["Name"], PartitionValues=values
            )["Partition"]
        except ClientError as error:
            if not is_not_found(error):
                raise
            raise _partition_not_found(spec) from error
        return partition

    def set_partition_location(
        self, database: str, table: GlueTable, statement: SetPartitionLocation
    ) -> None:
        partition = self.existing_partition(database, table, statement.partition)
        new_input = partition_input(partition)
        new_input["StorageDescriptor"] = {
            **new_input.get("StorageDescriptor", {}),
            "Location": statement.location,
        }
        self.glue.update_partition(
            DatabaseName=database,
            TableName=table["Name"],
            PartitionValueList=partition["Values"],
            PartitionInput=new_input,
        )

    def rename_partition(self, database: str, table: GlueTable, statement: RenamePartition) -> None:
        """New values, same data: Hive keeps the location (Glue's UpdatePartition can change values)."""
        partition = self.existing_partition(database, table, statement.partition)
        new_values = self.partition_values(table, statement.new_partition)
        try:
            self.glue.get_partition(
                DatabaseName=database, TableName=table["Name"], PartitionValues=new_values
            )
        except ClientError as error:
            if not is_not_found(error):
                raise
        else:
            raise _partition_already_exists()
        self.glue.update_partition(
            DatabaseName=database,
            TableName=table["Name"],
            PartitionValueList=partition["Values"],
            PartitionInput={**partition_input(partition), "Values": new_values},
        )


def _glue_column(column: ColumnDefinition) -> dict[str, str]:
    glue_column = {"Name": column.name, "Type": column.type}
    if column.comment is not None:
        glue_column["Comment"] = column.comment
    return glue_column


def _partition_not_found(spec: PartitionSpec) -> AthenaQueryError:
    described = ", ".join(f"{key}='{value}'" for key, value in spec.values)
    return AthenaQueryError(
        "PARTITION_NOT_FOUND", f"FAILED: SemanticException [Error 10006]: Partition not found ({described})"
    )


def _partition_already_exists() -> AthenaQueryError:
    return AthenaQueryError(
        "ALREADY_EXISTS",
        "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
        "AlreadyExistsException(message:Partition already exists.)",
    )
