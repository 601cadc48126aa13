"""SELECT / WITH / UNION / VALUES: plan on DuckDB, return typed rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb
from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryResult, ResultColumn
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.translate import output_names, parse
from dbt_athena_lite.emulator.engine.types import UnsupportedType, from_duckdb


@dataclass(frozen=True)
class PlannedQuery:
    """A query bound by DuckDB (not yet run): its SQL, Athena column names and DuckDB types."""

    sql: str
    names: list[str]
    duck_types: list[Any]
    relation: duckdb.DuckDBPyRelation

    def athena_types(self) -> list[str]:
        return [_athena_type(t) for t in self.duck_types]

    def renamed_sql(self) -> str:
        """The query with its columns renamed positionally to the Athena names."""
        aliases = ", ".join('"' + name.replace('"', '""') + '"' for name in self.names)
        return f"SELECT * FROM ({self.sql}) AS __athena_query({aliases})"


def plan_query(statement: Statement, query: exp.Expression) -> PlannedQuery:
    duck_sql = statement.translator.query_sql(query)
    relation = statement.cursor.sql(duck_sql)  # binds (validates names and types) without running
    return PlannedQuery(duck_sql, output_names(query, relation.columns), list(relation.types), relation)


def run_query(statement: Statement) -> QueryResult:
    planned = plan_query(statement, statement.tree)
    statement.check_cancelled()
    rows = planned.relation.fetchall()
    return QueryResult(
        statement_type="DML",
        columns=[ResultColumn(n, t) for n, t in zip(planned.names, planned.athena_types(), strict=True)],
        rows=rows,
        data_scanned_bytes=statement.translator.scanned_bytes,
        has_header_row=True,
        substatement_type="SELECT",
    )


_EXPLAIN = re.compile(
    r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*EXPLAIN\s+(?P<analyze>ANALYZE\s+)?(?:VERBOSE\s+)?(?:\([^)]*\)\s*)?",
    re.DOTALL | re.IGNORECASE,
)


def run_explain(statement: Statement) -> QueryResult:
    """EXPLAIN [ANALYZE] <query>: DuckDB's plan of the translated query, one row per line, in
    Athena's single "Query Plan" column (the plan's shape is DuckDB's, not Trino's)."""
    prefix = _EXPLAIN.match(statement.sql)
    if prefix is None:
        raise AthenaQueryError("SYNTAX_ERROR", "line 1:1: EXPLAIN needs a query")
    planned = plan_query(statement, parse(statement.sql[prefix.end() :]))
    verb = "EXPLAIN ANALYZE" if prefix.group("analyze") else "EXPLAIN"
    plan = statement.cursor.execute(f"{verb} {planned.sql}").fetchall()
    lines = [line for _, text in plan for line in str(text).splitlines()]
    return QueryResult(
        statement_type="DML",
        columns=[ResultColumn("Query Plan", "varchar")],
        rows=[(line,) for line in lines],
        data_scanned_bytes=statement.translator.scanned_bytes,
        has_header_row=True,
        substatement_type="EXPLAIN",
    )


def _athena_type(duck_type: Any) -> str:
    try:
        return from_duckdb(duck_type).to_athena()
    except UnsupportedType as error:
        raise AthenaQueryError("NOT_SUPPORTED", str(error)) from error
