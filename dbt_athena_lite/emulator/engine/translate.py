"""Athena SQL -> DuckDB SQL, with table references resolved from Glue at query time.

Each referenced table becomes a temporary view on the statement's own cursor (a Hive scan, an
expanded Presto view, or an information_schema table), and the reference in the statement is
renamed to it. The statement's text is then generated with sqlglot's DuckDB dialect, after
`fix_semantics` has corrected where Athena and DuckDB compute different things.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from dbt_athena_lite.emulator.engine import catalog, presto_view
from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryContext
from dbt_athena_lite.emulator.engine.clients import EngineClients
from dbt_athena_lite.emulator.engine.errors import (
    position,
    qualified,
    schema_not_found,
    syntax_error,
    table_not_found,
)
from dbt_athena_lite.emulator.engine.information_schema import information_schema_table
from dbt_athena_lite.emulator.engine.pruning import partition_predicate
from dbt_athena_lite.emulator.engine.scan import scan_table
from dbt_athena_lite.emulator.engine.semantics import fix_semantics
from dbt_athena_lite.emulator.engine.sqltext import quote_ident
from dbt_athena_lite.emulator.engine.types import UnsupportedType, from_duckdb

DEFAULT_CATALOG = "awsdatacatalog"
DEFAULT_DATABASE = "default"  # Athena's database when QueryExecutionContext names none
_MAX_VIEW_DEPTH = 32
_HIDDEN_NAMES = frozenset({"$path", "$file_size"})


def parse(sql: str) -> exp.Expression:
    """Parse one Athena statement; syntax errors come back in Athena's words and positions."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="athena") if s is not None]
    except ParseError as error:
        raise syntax_error(sql, error) from error
    if len(statements) != 1:
        raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: Only one sql statement is allowed")
    tree = statements[0]
    if not isinstance(tree, exp.Expression):
        raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: Not a statement")
    return tree


def check_catalog(sql: str, table: exp.Table, context: QueryContext) -> None:
    if table.catalog and table.catalog.lower() not in (DEFAULT_CATALOG, context.catalog.lower()):
        raise AthenaQueryError(
            "CATALOG_NOT_FOUND", f"{position(sql, table)}: Catalog '{table.catalog.lower()}' does not exist"
        )


@dataclass
class Translator:
    """Resolves and translates the queries of ONE statement, on that statement's cursor."""

    sql: str
    context: QueryContext
    clients: EngineClients
    cursor: duckdb.DuckDBPyConnection
    scanned_bytes: int = 0
    _views: dict[tuple[str, str, str | None], str] = field(default_factory=dict)
    # Column types of each registered relation, so fix_semantics can type column references.
    _schema: dict[str, dict[str, str]] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=itertools.count)
    _wants_hidden: bool = False
    # Relations the statement created on its cursor itself (Iceberg DML's copy of its target):
    # referenced by name as they are, never looked up in Glue.
    local_relations: set[str] = field(default_factory=set)
    _tables: dict[tuple[str, str], catalog.GlueTable | None] = field(default_factory=dict)

    def query_sql(self, query: exp.Expression) -> str:
        """DuckDB SQL for an Athena query tree (tables registered as temporary views)."""
        self._wants_hidden = any(c.name.lower() in _HIDDEN_NAMES for c in query.find_all(exp.Column))
        return self._translate(query, self.sql, self.context.database, depth=0)

    def _translate(self, tree: exp.Expr, sql: str, default_db: str | None, depth: int) -> str:
        used = self._resolve_tables(tree, sql, default_db, depth)
        schema: dict[str, object] = {name: self._schema[name] for name in used}
        return fix_semantics(tree, schema).sql(dialect="duckdb")

    def _resolve_tables(self, tree: exp.Expr, sql: str, default_db: str | None, depth: int) -> set[str]:
        """Rename every table reference to its registered relation; the relations used."""
        used: set[str] = set()
        cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        for table in list(tree.find_all(exp.Table)):
            if not isinstance(table.this, exp.Identifier) or not table.name:
                continue  # table functions, UNNEST and friends
            if not table.db and table.name.lower() in cte_names | self.local_relations:
                continue
            check_catalog(sql, table, self.context)
            database = (table.db or default_db or DEFAULT_DATABASE).lower()
            view_name = self._register(table, database, table.name.lower(), sql, depth)
            alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name.lower()))
            table.replace(exp.Table(this=exp.to_identifier(view_name), alias=alias))
            used.add(view_name)
        return used

    def _register(self, node: exp.Table, database: str, name: str, sql: str, depth: int) -> str:
        if database == "information_schema":
            return self._registered(
                (database, name, None), lambda view: self._register_information_schema(view, name)
            )
        table = self._glue_table(node, database, name, sql)
        if catalog.is_view(table):
            return self._registered(
                (database, name, None), lambda view: self._create_view(view, table, database, depth)
            )
        if catalog.is_iceberg(table):
            version = node.args.get("version")  # FOR VERSION/TIMESTAMP AS OF: Iceberg time travel
            return self._registered(
                (database, name, version.sql() if version else None),
                lambda view: self._create_iceberg_scan(view, database, name, version),
            )
        keys = [k["Name"].lower() for k in table.get("PartitionKeys", [])]
        predicate = partition_predicate(node, keys)  # part of the key: each reference may prune differently
        return self._registered(
            (database, name, predicate), lambda view: self._create_scan(view, table, database, predicate)
        )

    def _registered(
        self, key: tuple[str, str, str | None], create: Callable[[str], dict[str, str] | None]
    ) -> str:
        """The relation registered for `key`, created (with its column types) on first use."""
        if key not in self._views:
            view_name = f"__athena_rel_{next(self._counter)}"
            column_types = create(view_name)
            self._views[key] = view_name
            self._schema[view_name] = column_types or self._column_types(view_name)
        return self._views[key]

    def _glue_table(self, node: exp.Table, database: str, name: str, sql: str) -> catalog.GlueTable:
        """The Glue entry of a reference (looked up once per statement, however often it is named)."""
        if (database, name) not in self._tables:
            self._tables[(database, name)] = catalog.get_table(self.clients.glue, database, name)
        table = self._tables[(database, name)]
        if table is None:
            if catalog.get_database(self.clients.glue, database) is None:
                raise schema_not_found(sql, node, qualified(DEFAULT_CATALOG, database))
            raise table_not_found(sql, node, qualified(DEFAULT_CATALOG, database, name))
        return table

    def _create_view(self, view_name: str, table: catalog.GlueTable, database: str, depth: int) -> None:
        self.cursor.execute(
            f"CREATE TEMP VIEW {quote_ident(view_name)} AS {self._view_sql(table, database, depth)}"
        )

    def _create_scan(
        self, view_name: str, table: catalog.GlueTable, database: str, predicate: str | None
    ) -> dict[str, str]:
        scan = scan_table(
            table,
            database,
            self.clients.s3,
            self.clients.glue,
            self.cursor,
            hidden_columns=self._wants_hidden,
            partition_predicate=predicate,
        )
        self.scanned_bytes += scan.scanned_bytes
        self.cursor.execute(f"CREATE TEMP VIEW {quote_ident(view_name)} AS {scan.sql}")
        return scan.column_types

    def _create_iceberg_scan(
        self, view_name: str, database: str, name: str, version: exp.Version | None
    ) -> dict[str, str]:
        # pyiceberg loads on first use (~1 s of imports)
        from dbt_athena_lite.emulator.engine import iceberg_scan
        from dbt_athena_lite.emulator.engine.iceberg_catalog import load_table

        table = load_table(self.clients, database, name)
        scan = iceberg_scan.scan_iceberg(
            table, hidden_columns=self._wants_hidden, version=version, cursor=self.cursor
        )
        self.scanned_bytes += scan.scanned_bytes
        self.cursor.execute(f"CREATE TEMP VIEW {quote_ident(view_name)} AS {scan.sql}")
        return scan.column_types

    def _column_types(self, relation: str) -> dict[str, str]:
        bound = self.cursor.sql(f"SELECT * FROM {quote_ident(relation)} LIMIT 0")
        types: dict[str, str] = {}
        for name, duck_type in zip(bound.columns, bound.types, strict=True):
            with contextlib.suppress(UnsupportedType):  # an untyped column only skips typed rewrites
                types[name.lower()] = from_duckdb(duck_type).to_athena()
        return types

    def _view_sql(self, table: catalog.GlueTable, database: str, depth: int) -> str:
        if depth >= _MAX_VIEW_DEPTH:
            raise AthenaQueryError("VIEW_IS_RECURSIVE", f"View '{database}.{table['Name']}' is recursive")
        view = presto_view.decode(
            table.get("ViewOriginalText") or "", default_catalog=DEFAULT_CATALOG, default_schema=database
        )
        try:
            tree = parse(view.original_sql)
        except AthenaQueryError as error:
            raise AthenaQueryError(
                "INVALID_VIEW",
                f"Failed analyzing stored view '{qualified(DEFAULT_CATALOG, database, table['Name'])}': "
                f"{error.message}",
            ) from error
        return self._translate(tree, view.original_sql, view.schema, depth + 1)

    def _register_information_schema(self, view_name: str, name: str) -> None:
        arrow_table = information_schema_table(name, self.context, self.clients)
        self.cursor.register(view_name, arrow_table)


def output_names(query: exp.Expression, duck_names: Sequence[str]) -> list[str]:
    """Result column names as Athena reports them: lower-cased; unnamed expressions `_colN`."""
    select: exp.Expr = query
    while isinstance(select, exp.SetOperation):
        select = select.left
    if isinstance(select, exp.Subquery):
        select = select.unnest()
    if isinstance(select, exp.Values):
        return [f"_col{i}" for i in range(len(duck_names))]
    if not isinstance(select, exp.Select) or any(
        isinstance(p, exp.Star) or (isinstance(p, exp.Column) and isinstance(p.this, exp.Star))
        for p in select.expressions
    ):
        return [name.lower() for name in duck_names]
    if len(select.expressions) != len(duck_names):
        return [name.lower() for name in duck_names]
    names = []
    for index, projection in enumerate(select.expressions):
        if isinstance(projection, exp.Alias | exp.Column) or (
            isinstance(projection, exp.Dot) and projection.output_name
        ):
            names.append(projection.output_name.lower())
        else:
            names.append(f"_col{index}")
    return names
