"""Failures shaped the way Athena reports them: error name, `line L:C:` position, Athena's wording.

Positions refer to the statement the client sent (not to the DuckDB SQL we generate), so they
come from sqlglot's token positions in the original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import duckdb
from sqlglot import exp
from sqlglot.errors import ParseError

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.types import UnsupportedType, parse_type


def position(sql: str, node: exp.Expr | None) -> str:
    """`line L:C` of `node` in `sql` (1-based, as Athena prints it); `line 1:1` when unknown."""
    identifiers = list(node.find_all(exp.Identifier)) if node is not None else []  # includes node itself
    offsets = [ident.meta["start"] for ident in identifiers if "start" in ident.meta]
    if not offsets:
        return "line 1:1"
    return offset_position(sql, min(offsets))


def offset_position(sql: str, offset: int) -> str:
    line = sql.count("\n", 0, offset) + 1
    column = offset - (sql.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}:{column}"


def syntax_error(sql: str, error: ParseError) -> AthenaQueryError:
    """sqlglot's parse error as Athena's `SYNTAX_ERROR: line L:C: mismatched input ...`."""
    detail = error.errors[0] if error.errors else {}
    token = str(detail.get("highlight") or "")
    line = int(detail.get("line") or 1)
    end_column = int(detail.get("col") or 1)  # sqlglot points at the token's last character
    column = max(1, end_column - len(token) + 1)
    description = str(detail.get("description") or "Invalid statement")
    shown = token if token else "<EOF>"
    return AthenaQueryError(
        "SYNTAX_ERROR", f"line {line}:{column}: mismatched input '{shown}'. {description}"
    )


def qualified(catalog: str, database: str, table: str | None = None) -> str:
    return f"{catalog}.{database}" + (f".{table}" if table else "")


def table_not_found(sql: str, node: exp.Expression | None, name: str) -> AthenaQueryError:
    return AthenaQueryError("TABLE_NOT_FOUND", f"{position(sql, node)}: Table '{name}' does not exist")


def schema_not_found(sql: str, node: exp.Expression | None, name: str) -> AthenaQueryError:
    return AthenaQueryError("SCHEMA_NOT_FOUND", f"{position(sql, node)}: Schema '{name}' does not exist")


def not_supported(message: str) -> AthenaQueryError:
    return AthenaQueryError("NOT_SUPPORTED", message)


# Builds the Athena error from a matched DuckDB message, the statement text and its tree.
Builder = Callable[[re.Match[str], str, exp.Expression | None], AthenaQueryError]


def _column_not_found(match: re.Match[str], sql: str, tree: exp.Expression | None) -> AthenaQueryError:
    name = match.group("name")
    where = position(sql, _find_column(tree, name))
    return AthenaQueryError("COLUMN_NOT_FOUND", f"{where}: Column '{name.lower()}' cannot be resolved")


def _ambiguous(match: re.Match[str], sql: str, tree: exp.Expression | None) -> AthenaQueryError:
    name = match.group("name")
    return AthenaQueryError(
        "AMBIGUOUS_NAME", f"{position(sql, _find_column(tree, name))}: Column '{name.lower()}' is ambiguous"
    )


def _not_aggregate(match: re.Match[str], sql: str, tree: exp.Expression | None) -> AthenaQueryError:
    name = match.group("name")
    return AthenaQueryError(
        "EXPRESSION_NOT_AGGREGATE",
        f"{position(sql, _find_column(tree, name))}: '{name.lower()}' must be an aggregate expression "
        "or appear in GROUP BY clause",
    )


def _bad_arguments(match: re.Match[str], sql: str, tree: exp.Expression | None) -> AthenaQueryError:
    name, arguments = match.group("name"), [_athena_type_name(a) for a in match.group("args").split(",")]
    if not name[:1].isalpha():  # an operator: Trino says it cannot be applied to these types
        return AthenaQueryError(
            "TYPE_MISMATCH", f"line 1:1: '{name}' cannot be applied to {', '.join(arguments)}"
        )
    return AthenaQueryError(
        "FUNCTION_NOT_FOUND",
        f"{_call_position(sql, name)}: Unexpected parameters ({', '.join(arguments)}) for function "
        f"{name.lower()}",
    )


def _unknown_function(match: re.Match[str], sql: str, tree: exp.Expression | None) -> AthenaQueryError:
    name = (match.group("name") or match.group("f")).lower()
    return AthenaQueryError(
        "FUNCTION_NOT_FOUND", f"{_call_position(sql, name)}: Function '{name}' not registered"
    )


def _set_columns(match: re.Match[str], sql: str, tree: exp.Expression | None) -> AthenaQueryError:
    return AthenaQueryError(
        "TYPE_MISMATCH", "line 1:1: Set operation queries have different numbers of columns"
    )


# DuckDB binder/catalog messages -> the Athena error for the same mistake (first match wins).
_RULES: list[tuple[re.Pattern[str], Builder]] = [
    (re.compile(r'Referenced column "(?P<name>[^"]+)" not found'), _column_not_found),
    (re.compile(r'does not have a column named "(?P<name>[^"]+)"'), _column_not_found),
    (re.compile(r'Ambiguous reference to column name "(?P<name>[^"]+)"'), _ambiguous),
    (re.compile(r'column "(?P<name>[^"]+)" must appear in the GROUP BY clause'), _not_aggregate),
    (re.compile(r"argument types '(?P<name>[^(']+)\((?P<args>[^)]*)\)'"), _bad_arguments),
    (
        re.compile(
            r'Scalar Function with name (?P<name>\S+) does not exist|Function with name "?(?P<f>[^"\s!]+)'
        ),
        _unknown_function,
    ),
    (re.compile(r"Set operations can only apply to expressions with the same number"), _set_columns),
]


def from_duckdb(sql: str, tree: exp.Expression | None, error: duckdb.Error) -> AthenaQueryError:
    """Map a DuckDB failure onto the Athena error a user would have seen for the same statement."""
    text = str(error).split("\n", 1)[0]
    if isinstance(error, duckdb.BinderException | duckdb.CatalogException):
        for pattern, build in _RULES:
            match = pattern.search(text)
            if match:
                return build(match, sql, tree)
    if isinstance(error, duckdb.ConversionException):
        return AthenaQueryError("INVALID_CAST_ARGUMENT", _strip_prefix(text))
    if isinstance(error, duckdb.OutOfRangeException):
        return AthenaQueryError("NUMERIC_VALUE_OUT_OF_RANGE", _strip_prefix(text))
    if isinstance(error, duckdb.ParserException | duckdb.BinderException):
        return AthenaQueryError("SYNTAX_ERROR", f"line 1:1: {_strip_prefix(text)}")
    if isinstance(error, duckdb.InvalidInputException) and "Malformed JSON" in text:
        return AthenaQueryError(
            "HIVE_CURSOR_ERROR", f"Row is not a valid JSON Object - {_strip_prefix(text)}"
        )
    if isinstance(error, duckdb.InvalidInputException):
        return AthenaQueryError("INVALID_FUNCTION_ARGUMENT", _strip_prefix(text))
    if isinstance(error, duckdb.IOException | duckdb.HTTPException):
        return AthenaQueryError("HIVE_CANNOT_OPEN_SPLIT", _strip_prefix(text), category=1)
    return AthenaQueryError("GENERIC_INTERNAL_ERROR", _strip_prefix(text), category=1)


def _strip_prefix(text: str) -> str:
    """'Binder Error: x' -> 'x' (DuckDB's class prefix means nothing to an Athena user)."""
    return re.sub(r"^[A-Za-z ]+Error: ", "", text)


def _athena_type_name(duck_type: str) -> str:
    try:
        return parse_type(duck_type.strip()).to_athena()
    except UnsupportedType:
        return duck_type.strip().lower()


def _call_position(sql: str, name: str) -> str:
    """Where the call of function `name` starts (sqlglot keeps no position for function names)."""
    call = re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", sql, re.IGNORECASE)
    return offset_position(sql, call.start()) if call else "line 1:1"


def _find_column(tree: exp.Expression | None, name: str) -> exp.Expression | None:
    if tree is None:
        return None
    for column in tree.find_all(exp.Column):
        if column.name.lower() == name.lower():
            return column
    return None
