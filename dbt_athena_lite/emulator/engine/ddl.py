"""Catalog DDL: CREATE/DROP SCHEMA, CREATE EXTERNAL TABLE, CREATE [OR REPLACE] VIEW, DROP TABLE/VIEW.

These change Glue only, as Athena does: dropping a Hive table leaves its files in S3.
"""

from __future__ import annotations

from typing import Any

from sqlglot import TokenType, exp

from dbt_athena_lite.emulator.engine import catalog, presto_view
from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryResult
from dbt_athena_lite.emulator.engine.catalog_glue import database_not_found, table_not_found
from dbt_athena_lite.emulator.engine.errors import position, qualified, schema_not_found
from dbt_athena_lite.emulator.engine.formats import FORMATS, LAZY_SIMPLE_SERDE, storage_format
from dbt_athena_lite.emulator.engine.properties import CreateProperties, read_properties
from dbt_athena_lite.emulator.engine.queries import plan_query
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.translate import DEFAULT_CATALOG, DEFAULT_DATABASE
from dbt_athena_lite.emulator.engine.types import UnsupportedType, parse_type

# Athena runs CREATE/DROP DATABASE, CREATE EXTERNAL TABLE and DROP TABLE in its Hive DDL executor,
# so their failures carry Hive's wording (as the catalog statements' do).
_HIVE_DDL_TASK = "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask."


def _done(substatement: str) -> QueryResult:
    return QueryResult(statement_type="DDL", substatement_type=substatement)


def target_name(statement: Statement, table: exp.Table) -> tuple[str, str]:
    """(database, table) a DDL statement names, lower-cased as Athena stores them."""
    database = (table.db or statement.context.database or DEFAULT_DATABASE).lower()
    return database, table.name.lower()


def require_database(statement: Statement, node: exp.Expression, database: str) -> None:
    if catalog.get_database(statement.glue, database) is None:
        raise schema_not_found(statement.sql, node, qualified(DEFAULT_CATALOG, database))


# --- schemas -----------------------------------------------------------------------------------


def _schema_name(node: exp.Expression) -> str:
    table = node if isinstance(node, exp.Table) else node.find(exp.Table)
    if table is None:
        raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: A schema name is required")
    return (table.db or table.name).lower()


def create_schema(statement: Statement) -> QueryResult:
    tree = statement.tree
    name = _schema_name(tree.this)
    props = read_properties(tree)
    database_input: dict[str, Any] = {"Name": name}
    if props.location:
        database_input["LocationUri"] = props.location
    if props.comment:
        database_input["Description"] = props.comment
    if props.named:
        database_input["Parameters"] = props.tblproperties()
    try:
        statement.glue.create_database(DatabaseInput=database_input)
    except statement.glue.exceptions.AlreadyExistsException as error:
        if not tree.args.get("exists"):
            raise AthenaQueryError(
                "ALREADY_EXISTS", f"{_HIVE_DDL_TASK} Database {name} already exists"
            ) from error
    return _done("CREATE_DATABASE")


def drop_schema(statement: Statement) -> QueryResult:
    tree = statement.tree
    name = _schema_name(tree.args["tables"][0] if tree.args.get("tables") else tree.this)
    if catalog.get_database(statement.glue, name) is None:
        if tree.args.get("exists"):
            return _done("DROP_DATABASE")
        raise database_not_found(name)
    tables = catalog.list_table_names(statement.glue, name)
    if tables and not tree.args.get("cascade"):
        raise AthenaQueryError(
            "SCHEMA_NOT_EMPTY",
            f"{_HIVE_DDL_TASK} InvalidOperationException(message:Database {name} is not empty. "
            "One or more tables exist.)",
        )
    for start in range(0, len(tables), 100):
        statement.check_cancelled()
        statement.glue.batch_delete_table(DatabaseName=name, TablesToDelete=tables[start : start + 100])
    statement.glue.delete_database(Name=name)
    return _done("DROP_DATABASE")


# --- tables --------------------------------------------------------------------------------------


def create_table(statement: Statement) -> QueryResult:
    """CREATE EXTERNAL TABLE: a Glue entry describing existing (or future) files."""
    tree = statement.tree
    schema = tree.this
    table = schema.this if isinstance(schema, exp.Schema) else schema
    props = read_properties(tree)
    iceberg = str(props.tblproperties().get("table_type", "")).upper() == "ICEBERG"
    if not props.external and not iceberg:
        raise AthenaQueryError(
            "NOT_SUPPORTED",
            "Only external table creation is supported: write CREATE EXTERNAL TABLE ... LOCATION 's3://...', "
            "or set TBLPROPERTIES ('table_type'='ICEBERG')",
        )
    database, name = target_name(statement, table)
    if catalog.get_database(statement.glue, database) is None:
        raise database_not_found(database)
    if iceberg:
        # pyiceberg loads on first use (~1 s of imports)
        from dbt_athena_lite.emulator.engine import iceberg_ddl

        return iceberg_ddl.create_table(statement, database, name, props)
    columns = (
        [c for c in schema.expressions if isinstance(c, exp.ColumnDef)]
        if isinstance(schema, exp.Schema)
        else []
    )
    table_input = {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", **props.tblproperties()},
        "PartitionKeys": [_glue_column(c) for c in props.partition_columns],
        "StorageDescriptor": {
            "Columns": [_glue_column(c) for c in columns],
            "Location": props.location or "",
            **_storage(props),
        },
    }
    if props.comment:
        table_input["Description"] = props.comment
    try:
        statement.glue.create_table(DatabaseName=database, TableInput=table_input)
    except statement.glue.exceptions.AlreadyExistsException as error:
        if not tree.args.get("exists"):
            raise AthenaQueryError(
                "ALREADY_EXISTS",
                f"{_HIVE_DDL_TASK} AlreadyExistsException(message:Table {database}.{name} already exists)",
            ) from error
    return _done("CREATE_TABLE")


def _glue_column(column: exp.ColumnDef) -> dict[str, str]:
    kind = column.args.get("kind")
    if kind is None:
        raise AthenaQueryError("SYNTAX_ERROR", f"line 1:1: Column '{column.name}' needs a type")
    try:
        glue_type = parse_type(kind.sql(dialect="hive")).to_glue()
    except UnsupportedType as error:
        raise AthenaQueryError("NOT_SUPPORTED", str(error)) from error
    entry = {"Name": column.name.lower(), "Type": glue_type}
    comment = column.find(exp.CommentColumnConstraint)
    if comment is not None:
        entry["Comment"] = str(comment.this.this)
    return entry


def _storage(props: CreateProperties) -> dict[str, Any]:
    """InputFormat/OutputFormat/SerdeInfo as Hive derives them from ROW FORMAT and STORED AS."""
    named = FORMATS.get(props.file_format or "")
    if props.file_format and named is None and props.file_format not in ("TEXTFILE", "SEQUENCEFILE"):
        storage_format(props.file_format)  # raises naming the supported formats
    input_format = props.input_format or (named.input_format if named else FORMATS["TEXTFILE"].input_format)
    output_format = props.output_format or (
        named.output_format if named else FORMATS["TEXTFILE"].output_format
    )
    serde = props.serde or (named.serde if named and not props.delimited else LAZY_SIMPLE_SERDE)
    parameters = {**props.delimited, **props.serde_properties}
    if serde == LAZY_SIMPLE_SERDE:
        parameters.setdefault("serialization.format", parameters.get("field.delim", "1"))
    return {
        "InputFormat": input_format,
        "OutputFormat": output_format,
        "SerdeInfo": {"SerializationLibrary": serde, "Parameters": parameters},
    }


def drop_relation(statement: Statement) -> QueryResult:
    tree = statement.tree
    dropping_view = str(tree.args.get("kind")).upper() == "VIEW"
    node = tree.args["tables"][0]
    database, name = target_name(statement, node)
    existing = catalog.get_table(statement.glue, database, name)
    substatement = "DROP_VIEW" if dropping_view else "DROP_TABLE"
    if existing is None:
        if tree.args.get("exists"):
            return _done(substatement)
        if not dropping_view:  # DROP TABLE runs in Athena's Hive DDL executor, DROP VIEW in Trino
            raise table_not_found(database, name)
        raise AthenaQueryError(
            "TABLE_NOT_FOUND",
            f"{position(statement.sql, node)}: View '{qualified(DEFAULT_CATALOG, database, name)}' does not exist",
        )
    if catalog.is_view(existing) != dropping_view:
        actual = "a view" if catalog.is_view(existing) else "a table"
        raise AthenaQueryError(
            "GENERIC_USER_ERROR",
            f"{position(statement.sql, node)}: '{qualified(DEFAULT_CATALOG, database, name)}' is {actual}: "
            f"use DROP {'VIEW' if catalog.is_view(existing) else 'TABLE'}",
        )
    if catalog.is_iceberg(existing):
        # pyiceberg loads on first use (~1 s of imports)
        from dbt_athena_lite.emulator.engine import iceberg_ddl

        return iceberg_ddl.drop_table(statement, database, existing)
    statement.glue.delete_table(DatabaseName=database, Name=name)
    return _done(substatement)


# --- views ---------------------------------------------------------------------------------------


def create_view(statement: Statement) -> QueryResult:
    tree = statement.tree
    node = tree.this
    database, name = target_name(statement, node)
    require_database(statement, node, database)
    planned = plan_query(statement, tree.expression)  # validates the query like Athena's analyzer
    check_column_names(planned.names)
    view = presto_view.PrestoView(
        original_sql=_view_query_text(statement.sql),
        catalog=DEFAULT_CATALOG,
        schema=database,
        columns=list(zip(planned.names, planned.athena_types(), strict=True)),
        owner=f"arn:aws:iam::{statement.context.account_id}:root",
    )
    glue_columns = [(n, _view_column_glue_type(t)) for n, t in view.columns]
    table_input = presto_view.view_table_input(name, view, glue_columns)
    existing = catalog.get_table(statement.glue, database, name)
    if existing is None:
        statement.glue.create_table(DatabaseName=database, TableInput=table_input)
    elif not tree.args.get("replace"):
        raise AthenaQueryError(
            "ALREADY_EXISTS", f"View already exists: '{qualified(DEFAULT_CATALOG, database, name)}'"
        )
    elif not catalog.is_view(existing):
        raise AthenaQueryError(
            "GENERIC_USER_ERROR", f"'{qualified(DEFAULT_CATALOG, database, name)}' is a table, not a view"
        )
    else:
        statement.glue.update_table(DatabaseName=database, TableInput=table_input)
    return _done("CREATE_VIEW")


def _view_column_glue_type(athena_type: str) -> str:
    """Glue only describes a view's columns (Athena reads the Presto JSON): a type Hive cannot store
    is described as a string rather than refusing the view."""
    try:
        return parse_type(athena_type).to_glue()
    except UnsupportedType:
        return "string"


def check_column_names(names: list[str]) -> None:
    """CTAS and views need a unique, explicit name for every column, as in Athena."""
    seen: set[str] = set()
    for index, column in enumerate(names):
        if column.startswith("_col") and column == f"_col{index}":
            raise AthenaQueryError(
                "MISSING_COLUMN_NAME", f"Column name not specified at position {index + 1}"
            )
        if column in seen:
            raise AthenaQueryError(
                "DUPLICATE_COLUMN_NAME", f"Column name '{column}' specified more than once"
            )
        seen.add(column)


def _view_query_text(sql: str) -> str:
    """The query as the user wrote it (Athena stores the original text, not a re-rendering)."""
    from sqlglot.dialects.athena import Athena

    tokens = Athena().tokenize(sql)
    seen_view = False
    for token in tokens:
        if token.token_type == TokenType.VIEW:
            seen_view = True
        elif seen_view and token.token_type == TokenType.ALIAS:
            return sql[token.end + 1 :].strip().rstrip(";").strip()
    raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: CREATE VIEW needs AS <query>")
