"""Athena (Trino) semantics that sqlglot's Athena -> DuckDB transpilation gets wrong, fixed on the AST.

`fix_semantics` runs between `sqlglot.parse_one(sql, read="athena")` and `.sql(dialect="duckdb")`.
Each semantic gap is one small named transform (semantics_time / _text / _collections / _numbers.py),
registered for the sqlglot node it rewrites, whose docstring states the Athena rule. Transforms that
depend on an operand's type use sqlglot's type annotation: literals, casts and typed functions are
always known; column types are known when the caller passes a `schema` ({table: {column: type}}).

Two rules are session settings rather than rewrites: the engine applies DUCKDB_SETTINGS to every
DuckDB connection.
"""

from __future__ import annotations

import contextlib

import duckdb
from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.scope import traverse_scope
from sqlglot.schema import MappingSchema

from dbt_athena_lite.emulator.engine import (
    semantics_collections,
    semantics_numbers,
    semantics_text,
    semantics_time,
)
from dbt_athena_lite.emulator.engine.semantics_rules import Rules

# Athena rules that DuckDB implements as settings: integer / integer truncates toward zero (sqlglot
# rewrites it when it knows both operands are integers; this covers columns of unknown type), and
# sessions run in UTC (Athena's session zone; DuckDB's default is the machine's zone).
DUCKDB_SETTINGS: dict[str, str | bool] = {"integer_division": True, "TimeZone": "UTC"}


def apply_duckdb_settings(connection: duckdb.DuckDBPyConnection) -> None:
    """Give a DuckDB database Athena's session semantics. GLOBAL, because a plain SET would not
    reach the cursors made from `connection` later (each cursor is its own session)."""
    for name, value in DUCKDB_SETTINGS.items():
        literal = f"'{value}'" if isinstance(value, str) else str(value).lower()
        connection.execute(f"SET GLOBAL {name} = {literal}")


RULES = Rules.combine(
    semantics_time.RULES, semantics_text.RULES, semantics_collections.RULES, semantics_numbers.RULES
)


def fix_semantics(tree: exp.Expr, schema: dict[str, object] | None = None) -> exp.Expr:
    """Rewrite a parsed Athena statement so DuckDB computes what Athena would (pure: AST in, AST out).

    `schema` maps table names as they appear in `tree` to {column: Athena type}, e.g.
    {"orders": {"order_date": "date"}} or {"db": {"orders": {...}}}: with it, rules that depend on
    a column's type (date_trunc of a DATE column stays a DATE) apply to columns too.
    """
    with contextlib.suppress(OptimizeError):  # untyped nodes just skip the type-dependent transforms
        annotate_types(tree, dialect="athena")
        if schema and _type_columns(tree, MappingSchema(schema, dialect="athena")):
            annotate_types(tree, dialect="athena", overwrite_types=False)  # re-derive what they feed
    # Reversed pre-order visits every node after its descendants, so a rewrite sees fixed children.
    for node in reversed(list(tree.walk(bfs=False))):
        for transform in RULES.transforms_for(node):
            # Remember the slot first: a transform that wraps the node re-parents it.
            parent, arg_key, index = node.parent, node.arg_key, node.index
            replacement = transform(node)
            if replacement is None or replacement is node:
                continue
            if parent is None or arg_key is None:
                tree = replacement
            else:
                parent.set(arg_key, replacement, index)
            break  # the node was replaced: the other rules for its class no longer apply
    return tree


def _type_columns(tree: exp.Expr, schema: MappingSchema) -> bool:
    """Type the columns that come straight from a table of `schema` (qualified, or unqualified in a
    scope reading one source), and clear their ancestors' types for re-annotation. sqlglot's
    annotate_types alone only types fully qualified columns. True if any column was typed."""
    typed_any = False
    for scope in traverse_scope(tree):
        tables = {name: source for name, source in scope.sources.items() if isinstance(source, exp.Table)}
        only_table = next(iter(tables.values())) if len(scope.sources) == 1 and tables else None
        for column in scope.columns:
            table = tables.get(column.table) if column.table else only_table
            if table is None or column.name not in schema.column_names(table):
                continue
            column.type = schema.get_column_type(table, column.name)
            typed_any = True
            ancestor = column.parent
            while ancestor is not None:
                ancestor.type = None
                ancestor = ancestor.parent
    return typed_any
