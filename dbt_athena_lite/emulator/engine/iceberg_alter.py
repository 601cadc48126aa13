"""ALTER TABLE on Iceberg tables: ADD COLUMNS, CHANGE COLUMN, DROP COLUMN, RENAME TO, SET TBLPROPERTIES.

Each is an Iceberg metadata change committed through pyiceberg (which rewrites the Glue entry, and
keeps retired columns there marked `iceberg.field.current` = false, as Athena's catalog does).
"""

from __future__ import annotations

import itertools
from typing import Any

from pyiceberg.exceptions import ValidationError
from pyiceberg.table import Table
from sqlglot import exp

from dbt_athena_lite.emulator.engine import catalog
from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryContext, QueryResult
from dbt_athena_lite.emulator.engine.catalog_parsing import (
    AddColumns,
    AlterTable,
    ChangeColumn,
    RenameTable,
    SetTableProperties,
)
from dbt_athena_lite.emulator.engine.clients import EngineClients
from dbt_athena_lite.emulator.engine.ddl import target_name
from dbt_athena_lite.emulator.engine.errors import not_supported, qualified, table_not_found
from dbt_athena_lite.emulator.engine.iceberg_catalog import CATALOG_NAME, commit, iceberg_catalog, load_table
from dbt_athena_lite.emulator.engine.iceberg_ddl import HIVE_DDL_TASK
from dbt_athena_lite.emulator.engine.iceberg_types import glue_type_to_sql, iceberg_properties, iceberg_type
from dbt_athena_lite.emulator.engine.statement import Statement


def _done() -> QueryResult:
    return QueryResult(statement_type="DDL", substatement_type="ALTER_TABLE")


def alter_table(
    statement: AlterTable,
    database: str,
    table: catalog.GlueTable,
    clients: EngineClients,
    context: QueryContext,
) -> QueryResult:
    """ALTER TABLE forms Athena supports on Iceberg tables; the others fail as Athena's do."""
    name = table["Name"]
    if isinstance(statement, RenameTable):
        _rename(clients, database, name, statement.new_table.database or database, statement.new_table.name)
        return _done()
    iceberg = load_table(clients, database, name)
    transaction = iceberg.transaction()
    try:
        if isinstance(statement, SetTableProperties):
            transaction.set_properties(iceberg_properties(statement.properties))
        elif isinstance(statement, AddColumns):
            with transaction.update_schema() as update:
                for column in statement.columns:
                    _check_new_column(iceberg, column.name)
                    update.add_column(column.name, _column_type(column.type, iceberg), doc=column.comment)
        elif isinstance(statement, ChangeColumn):
            with transaction.update_schema() as update:
                new_name = statement.column.name
                if new_name != statement.old_name:
                    _check_new_column(iceberg, new_name)
                    update.rename_column(statement.old_name, new_name)
                update.update_column(statement.old_name, _column_type(statement.column.type, iceberg))
        else:
            raise AthenaQueryError(
                "NOT_SUPPORTED",
                f"{type(statement).__name__} is not supported for Iceberg table {database}.{name}",
            )
    except (ValidationError, ValueError) as error:
        raise AthenaQueryError("NOT_SUPPORTED", f"{HIVE_DDL_TASK} {error}") from error
    commit(clients, context, iceberg, transaction.commit_transaction)
    return _done()


def _check_new_column(table: Table, name: str) -> None:
    if name in {f.name for f in table.schema().fields}:
        raise AthenaQueryError("COLUMN_ALREADY_EXISTS", f"Column '{name}' already exists")


def _column_type(hive_type: str, table: Table) -> Any:
    ids = itertools.count(table.metadata.last_column_id + 1)
    return iceberg_type(glue_type_to_sql(hive_type), ids.__next__)


def _rename(clients: EngineClients, database: str, name: str, new_database: str, new_name: str) -> None:
    if catalog.get_table(clients.glue, new_database, new_name) is not None:
        raise AthenaQueryError(
            "ALREADY_EXISTS",
            f"{HIVE_DDL_TASK} Unable to alter table. Table {new_database}.{new_name} already exists",
        )
    if catalog.get_database(clients.glue, new_database) is None:
        raise AthenaQueryError("SCHEMA_NOT_FOUND", f"Schema '{CATALOG_NAME}.{new_database}' does not exist")
    # pyiceberg's Glue rename copies the entry (same metadata and location) and drops the old one.
    iceberg_catalog(clients).rename_table((database, name), (new_database, new_name))


def drop_column(statement: Statement) -> QueryResult:
    """ALTER TABLE t DROP COLUMN c (parsed by sqlglot): Athena supports it for Iceberg tables only."""
    tree = statement.tree
    drops = [a for a in tree.args.get("actions") or [] if isinstance(a, exp.Drop)]
    columns = [
        c.name.lower()
        for a in drops
        if str(a.args.get("kind")).upper() == "COLUMN"
        for c in a.args.get("tables") or []
    ]
    if not columns or len(drops) != len(tree.args.get("actions") or []):
        raise not_supported("This ALTER TABLE statement is not supported by the emulator")
    database, name = target_name(statement, tree.this)
    glue_table = catalog.get_table(statement.glue, database, name)
    if glue_table is None:
        raise table_not_found(statement.sql, tree.this, qualified(CATALOG_NAME, database, name))
    if not catalog.is_iceberg(glue_table):
        raise AthenaQueryError("NOT_SUPPORTED", "DROP COLUMN is supported only for Iceberg tables")
    iceberg = load_table(statement.clients, database, name)
    transaction = iceberg.transaction()
    try:
        with transaction.update_schema() as update:
            for column in columns:
                update.delete_column(column)
    except (ValidationError, ValueError) as error:
        raise AthenaQueryError(
            "COLUMN_NOT_FOUND" if "not find" in str(error).lower() else "NOT_SUPPORTED", str(error)
        ) from error
    commit(statement.clients, statement.context, iceberg, transaction.commit_transaction)
    return _done()
