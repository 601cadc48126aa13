"""AthenaSqlEngine: the entry point the query service calls, and the statement router."""

from __future__ import annotations

import re
import threading

import duckdb
from sqlglot import exp

from dbt_athena_lite.emulator.engine import ddl, writes
from dbt_athena_lite.emulator.engine.api import QueryCancelled, QueryContext, QueryResult
from dbt_athena_lite.emulator.engine.catalog_statements import run_catalog_statement
from dbt_athena_lite.emulator.engine.clients import EngineClients, make_clients
from dbt_athena_lite.emulator.engine.duck import DuckDatabase
from dbt_athena_lite.emulator.engine.errors import from_duckdb, not_supported
from dbt_athena_lite.emulator.engine.queries import run_explain, run_query
from dbt_athena_lite.emulator.engine.semantics import DUCKDB_SETTINGS
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.translate import Translator, parse
from dbt_athena_lite.emulator.engine.unload import run_unload

# Statements catalog_statements.py may handle (it runs them against Glue/S3 without DuckDB); everything else goes straight to the SQL path.
_CATALOG_KEYWORDS = frozenset({"SHOW", "DESCRIBE", "DESC", "MSCK", "ALTER"})
# Statements sqlglot reads as opaque commands (logging about it): their handlers parse the text.
_COMMANDS = frozenset({"UNLOAD", "EXPLAIN", "OPTIMIZE", "VACUUM"})
_LEADING_COMMENTS = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)


class AthenaSqlEngine:
    """Runs Athena statements: SQL on DuckDB, catalog in Glue, data in S3 (all on one endpoint).

    Thread-safe: every statement gets its own DuckDB cursor; the boto3 clients are shared (boto3
    clients are thread-safe).
    """

    def __init__(self, endpoint_url: str, *, memory_limit: str = "4GB", threads: int = 2) -> None:
        self._endpoint_url = endpoint_url
        self._duck = DuckDatabase(
            endpoint_url, memory_limit=memory_limit, threads=threads, settings=DUCKDB_SETTINGS
        )
        self._clients: dict[str, EngineClients] = {}
        self._clients_lock = threading.Lock()

    def clients(self, region: str) -> EngineClients:
        with self._clients_lock:
            if region not in self._clients:
                self._clients[region] = make_clients(self._endpoint_url, region)
            return self._clients[region]

    def execute(self, sql: str, context: QueryContext) -> QueryResult:
        if context.cancelled.is_set():
            raise QueryCancelled(context.query_id)
        clients = self.clients(context.region)
        keyword = _first_keyword(sql)
        if keyword in _CATALOG_KEYWORDS:
            handled = run_catalog_statement(sql, context, clients)
            if handled is not None:
                return handled
        # sqlglot reads UNLOAD and EXPLAIN as opaque commands (and logs about it): they parse their query.
        tree = exp.Command(this=keyword) if keyword in _COMMANDS else parse(sql)
        with self._duck.statement_cursor(context) as cursor:
            statement = Statement(
                sql, tree, context, clients, cursor, Translator(sql, context, clients, cursor)
            )
            try:
                return _route(statement)
            except duckdb.InterruptException:
                raise
            except duckdb.Error as error:
                if context.cancelled.is_set():
                    raise QueryCancelled(context.query_id) from error
                raise from_duckdb(sql, tree, error) from error

    def close(self) -> None:
        self._duck.close()


def _route(statement: Statement) -> QueryResult:
    tree = statement.tree
    if isinstance(tree, exp.Command) and tree.name == "UNLOAD":
        return run_unload(statement)
    if isinstance(tree, exp.Command) and tree.name == "EXPLAIN":
        return run_explain(statement)
    if isinstance(tree, exp.Command) and tree.name in ("OPTIMIZE", "VACUUM"):
        # pyiceberg loads on first use (~1 s of imports)
        from dbt_athena_lite.emulator.engine.iceberg_maintenance import run_maintenance

        return run_maintenance(statement, tree.name)
    if isinstance(tree, exp.Query | exp.Values):
        return run_query(statement)
    if isinstance(tree, exp.Insert):
        return writes.insert_into(statement)
    if isinstance(tree, exp.Update | exp.Delete | exp.Merge):
        return writes.modify_rows(statement)
    if isinstance(tree, exp.Create):
        kind = str(tree.args.get("kind") or "").upper()
        if kind == "TABLE" and isinstance(tree.expression, exp.Query):
            return writes.create_table_as(statement)
        if kind == "TABLE":
            return ddl.create_table(statement)
        if kind == "VIEW":
            return ddl.create_view(statement)
        if kind in ("SCHEMA", "DATABASE"):
            return ddl.create_schema(statement)
    if isinstance(tree, exp.Alter):  # the ALTER forms catalog_statements leaves: Iceberg DROP COLUMN
        # pyiceberg loads on first use (~1 s of imports)
        from dbt_athena_lite.emulator.engine import iceberg_alter

        return iceberg_alter.drop_column(statement)
    if isinstance(tree, exp.Drop):
        kind = str(tree.args.get("kind") or "").upper()
        if kind in ("TABLE", "VIEW"):
            return ddl.drop_relation(statement)
        if kind in ("SCHEMA", "DATABASE"):
            return ddl.drop_schema(statement)
    keyword = _first_keyword(statement.sql) or "this kind of"
    raise not_supported(f"The emulator does not support {keyword} statements yet")


def _first_keyword(sql: str) -> str:
    """The statement's first word after comments (dbt prepends query comments)."""
    comments = _LEADING_COMMENTS.match(sql)
    body = sql[comments.end() :] if comments else sql
    word = re.match(r"[A-Za-z]+", body)
    return word.group(0).upper() if word else ""
