"""CTAS and INSERT INTO for Iceberg tables: DuckDB computes the rows, pyiceberg writes and commits.

Data files are written before the commit (outside the table's commit lock); a commit that loses a
race leaves them unreferenced, as Athena leaves a failed writer's files.
"""

from __future__ import annotations

import pyarrow as pa
from pyiceberg.table import Table
from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryResult
from dbt_athena_lite.emulator.engine.ddl import check_column_names
from dbt_athena_lite.emulator.engine.errors import qualified
from dbt_athena_lite.emulator.engine.iceberg_catalog import (
    ALREADY_EXISTS,
    commit,
    iceberg_catalog,
    load_table,
)
from dbt_athena_lite.emulator.engine.iceberg_types import (
    ATHENA_ICEBERG_PROPERTIES,
    add_partitioning,
    iceberg_arrow_schema,
    iceberg_properties,
    parse_partitioning,
    table_columns,
)
from dbt_athena_lite.emulator.engine.properties import CreateProperties, literal_text, read_properties
from dbt_athena_lite.emulator.engine.queries import plan_query
from dbt_athena_lite.emulator.engine.sqltext import quote_ident
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.translate import DEFAULT_CATALOG
from dbt_athena_lite.emulator.engine.types import parse_type
from dbt_athena_lite.emulator.engine.writes import (
    check_insert_arity,
    dml_result,
    insert_columns,
    insert_rows_sql,
)

_CTAS_ONLY = frozenset({"table_type", "is_external", "location", "partitioning"})


def create_table_as(statement: Statement, database: str, name: str) -> QueryResult:
    """CTAS WITH (table_type='ICEBERG', ...); writes.create_table_as has checked the name is free."""
    tree = statement.tree
    props = read_properties(tree)
    location = _ctas_location(props)
    athena = {key: literal_text(value) for key, value in props.named.items() if key not in _CTAS_ONLY}
    if props.file_format:  # sqlglot reads WITH (format='...') as a file format node
        athena["format"] = props.file_format.lower()
    stored = iceberg_properties(athena)
    transforms = [parse_partitioning(text) for text in _raw_names(props, "partitioning")]
    planned = plan_query(statement, tree.expression)
    check_column_names(planned.names)
    # Stored with the types Athena gives the query (DuckDB's sum(bigint) is a HUGEINT, Athena's a bigint).
    casts = ", ".join(
        f"CAST({quote_ident(name)} AS {parse_type(athena).to_duckdb()}) AS {quote_ident(name)}"
        for name, athena in zip(planned.names, planned.athena_types(), strict=True)
    )
    rows_sql = f"SELECT {casts} FROM ({planned.renamed_sql()})" + (" LIMIT 0" if props.with_no_data else "")
    statement.check_cancelled()
    rows = statement.cursor.sql(rows_sql).to_arrow_table()
    rows = rows.cast(iceberg_arrow_schema(rows.schema))
    try:
        transaction = iceberg_catalog(statement.clients).create_table_transaction(
            (database, name), schema=rows.schema, location=location, properties=stored
        )
        add_partitioning(transaction, transforms)
        if rows.num_rows:
            transaction.append(rows)
        statement.check_cancelled()
        transaction.commit_transaction()
    except ALREADY_EXISTS as error:  # another CTAS of the same name won the race
        raise AthenaQueryError(
            "ALREADY_EXISTS", f"Table '{qualified(DEFAULT_CATALOG, database, name)}' already exists"
        ) from error
    return dml_result(statement, "CREATE_TABLE_AS_SELECT", rows.num_rows)


def _raw_names(props: CreateProperties, name: str) -> list[str]:
    """ARRAY['day(ts)', 'bucket(4, id)'] as written (props.names lower-cases and expects columns)."""
    value = props.named.get(name)
    if value is None:
        return []
    if not isinstance(value, exp.Array):
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"{name} must be an ARRAY['...', ...]")
    return [str(item.this) for item in value.expressions]


def _ctas_location(props: CreateProperties) -> str:
    if props.partitioned_by:
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY",
            "Iceberg tables are partitioned with partitioning=ARRAY['day(ts)', 'col', ...], not partitioned_by",
        )
    for name in props.named:
        if name not in _CTAS_ONLY and name not in ATHENA_ICEBERG_PROPERTIES:
            raise AthenaQueryError(
                "INVALID_TABLE_PROPERTY",
                f"Catalog '{DEFAULT_CATALOG}' table property '{name}' does not exist for Iceberg tables",
            )
    if (props.text("is_external") or "true").lower() != "false":
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY", "Iceberg tables are not external: set is_external=false"
        )
    location = props.location or props.text("location")  # sqlglot reads it as LOCATION
    if not location:
        # Athena takes no default for an Iceberg CTAS (unlike Hive's <output>/tables/<query id>).
        raise AthenaQueryError(
            "INVALID_TABLE_PROPERTY",
            "The 'location' table property is required when creating an Iceberg table with CTAS",
        )
    return location.rstrip("/")


def insert_into(statement: Statement, database: str, name: str) -> QueryResult:
    """INSERT INTO an Iceberg table: by position (or the listed columns), cast to the table's types."""
    tree = statement.tree
    table = load_table(statement.clients, database, name)
    columns = table_columns(table.schema())
    targets = insert_columns(statement, tree.this, [c.name for c in columns])
    planned = plan_query(statement, tree.expression)
    check_insert_arity(planned, targets, columns)
    statement.check_cancelled()
    rows = arrow_rows(statement, table, insert_rows_sql(planned, targets, columns))
    if rows.num_rows:
        transaction = table.transaction()
        transaction.append(rows)
        statement.check_cancelled()
        commit(statement.clients, statement.context, table, transaction.commit_transaction)
    return dml_result(statement, "INSERT", rows.num_rows)


def arrow_rows(statement: Statement, table: Table, sql: str) -> pa.Table:
    """The rows of `sql` (the table's columns, in order) as Arrow typed like the Iceberg schema."""
    rows = statement.cursor.sql(sql).to_arrow_table()
    return rows.cast(table.schema().as_arrow())
