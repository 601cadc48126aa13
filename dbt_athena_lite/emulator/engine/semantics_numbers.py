"""Athena semantics of numbers that DuckDB computes differently: decimal literals, division by zero,
double-to-text (see semantics.py for the driver)."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from dbt_athena_lite.emulator.engine.semantics_rules import Rules, call, has_type, type_is, typed

RULES = Rules()


@RULES.node(exp.Cast, exp.TryCast)
def bare_decimal_takes_the_literals_precision(node: exp.Expr) -> exp.Expr | None:
    """DECIMAL '1.50' is decimal(3,2) and CAST(x AS DECIMAL) is decimal(38,0); DuckDB's bare DECIMAL
    is decimal(18,3)."""
    target = node.args.get("to")
    if not isinstance(target, exp.DataType) or not type_is(target, "decimal") or target.expressions:
        return None
    literal = node.this
    if (
        isinstance(literal, exp.Literal)
        and literal.is_string
        and re.fullmatch(r"[+-]?\d*\.?\d+", literal.this)
    ):
        digits = literal.this.lstrip("+-")
        scale = len(digits.partition(".")[2])
        precision = max(len(digits.replace(".", "").lstrip("0")), scale, 1)
        node.set("to", exp.DataType.build(f"decimal({precision}, {scale})"))
    else:
        node.set("to", exp.DataType.build("decimal(38, 0)"))
    return node


_EXACT_NUMBERS = ("tinyint", "smallint", "int", "bigint", "decimal")


def _is_exact_number(node: exp.Expr) -> bool:
    """Integer or decimal; a literal like 1.5 is a DECIMAL in Athena (sqlglot types it DOUBLE)."""
    if isinstance(node, exp.Literal) and not node.is_string:
        return "e" not in node.this.lower()
    return has_type(node, *_EXACT_NUMBERS)


@RULES.node(exp.Div, exp.Mod)
def exact_division_by_zero_fails(node: exp.Expr) -> exp.Expr | None:
    """Integer and decimal division or modulus by zero fails with 'Division by zero' in Athena;
    DuckDB returns NULL. (Inside try() Athena returns NULL, and DuckDB's TRY rejects error().)"""
    dividend, divisor = node.this, node.expression
    if not (_is_exact_number(dividend) and _is_exact_number(divisor)):
        return None
    if node.find_ancestor(exp.Try) is not None or (isinstance(divisor, exp.Literal) and divisor.this != "0"):
        return None
    zero = exp.EQ(this=divisor.copy(), expression=exp.Literal.number(0))
    failing = exp.Case(
        ifs=[exp.If(this=zero, true=call("ERROR", exp.Literal.string("Division by zero")))], default=divisor
    )
    node.set("expression", typed(failing, divisor.type.sql() if divisor.type else "bigint"))
    return node


# Java's Double.toString, which Athena uses for CAST(double AS varchar): plain notation for
# 1e-3 <= |v| < 1e7, else d.dddE<n>; both with the shortest round-trip digits, which DuckDB's own
# cast provides (in Python's repr layout) and this expression re-lays out. `__v` is the operand.
_JAVA_DOUBLE_TEXT = sqlglot.parse_one(
    """
    CASE
      WHEN isnan(__v) THEN 'NaN'
      WHEN isinf(__v) THEN CASE WHEN __v > 0 THEN 'Infinity' ELSE '-Infinity' END
      WHEN __v = 0 OR (abs(__v) >= 0.001 AND abs(__v) < 10000000) THEN CAST(__v AS VARCHAR)
      ELSE (CASE WHEN __v < 0 THEN '-' ELSE '' END) || (
        CASE
          WHEN contains(CAST(abs(__v) AS VARCHAR), 'e') THEN
            split_part(CAST(abs(__v) AS VARCHAR), 'e', 1)
            || CASE WHEN contains(split_part(CAST(abs(__v) AS VARCHAR), 'e', 1), '.') THEN '' ELSE '.0' END
            || 'E' || CAST(CAST(split_part(CAST(abs(__v) AS VARCHAR), 'e', 2) AS INTEGER) AS VARCHAR)
          WHEN abs(__v) >= 1 THEN
            left(CAST(abs(__v) AS VARCHAR), 1) || '.'
            || coalesce(nullif(rtrim(substr(replace(CAST(abs(__v) AS VARCHAR), '.', ''), 2), '0'), ''), '0')
            || 'E' || CAST(length(split_part(CAST(abs(__v) AS VARCHAR), '.', 1)) - 1 AS VARCHAR)
          ELSE
            left(ltrim(split_part(CAST(abs(__v) AS VARCHAR), '.', 2), '0'), 1) || '.'
            || coalesce(nullif(substr(ltrim(split_part(CAST(abs(__v) AS VARCHAR), '.', 2), '0'), 2), ''), '0')
            || 'E-' || CAST(
              length(split_part(CAST(abs(__v) AS VARCHAR), '.', 2))
              - length(ltrim(split_part(CAST(abs(__v) AS VARCHAR), '.', 2), '0')) + 1 AS VARCHAR)
        END)
    END
    """,
    read="duckdb",
)


@RULES.node(exp.Cast, exp.TryCast)
def double_to_varchar_is_java_text(node: exp.Expr) -> exp.Expr | None:
    """CAST(double AS varchar) prints Java's Double.toString ('1.0E10', '1.5E-5', 'NaN');
    DuckDB prints '10000000000.0', '1.5e-05', 'nan'."""
    target = node.args.get("to")
    if not (isinstance(target, exp.DataType) and type_is(target, "varchar", "text")):
        return None
    if not has_type(node.this, "double") or (
        isinstance(node.this, exp.Literal) and "e" not in node.this.name.lower()
    ):
        return None  # a literal like 1.5 is a DECIMAL in Athena
    operand: exp.Expr = node.this

    def substitute(placeholder: exp.Expr) -> exp.Expr:
        if isinstance(placeholder, exp.Column) and placeholder.name == "__v":
            return operand.copy()
        return placeholder

    text: exp.Expr = _JAVA_DOUBLE_TEXT.transform(substitute)
    return typed(text, "varchar")


@RULES.function("NAN", "INFINITY")
def special_double_constants(node: exp.Expr) -> exp.Expr | None:
    """nan() and infinity() are the double constants; DuckDB spells them as cast strings."""
    text = "NaN" if str(node.this).upper() == "NAN" else "Infinity"
    return typed(exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build("double")), "double")


@RULES.function("E")
def euler_constant(node: exp.Expr) -> exp.Expr | None:
    """e() is Euler's number."""
    return typed(call("EXP", exp.Literal.number(1)), "double")


@RULES.function("BITWISE_LEFT_SHIFT", "BITWISE_RIGHT_SHIFT")
def bitwise_shifts(node: exp.Expr) -> exp.Expr | None:
    """bitwise_left_shift / bitwise_right_shift(value, shift) are DuckDB's << and >>."""
    value, shift = node.expressions
    if str(node.this).upper() == "BITWISE_LEFT_SHIFT":
        return exp.BitwiseLeftShift(this=value, expression=shift)
    return exp.BitwiseRightShift(this=value, expression=shift)
