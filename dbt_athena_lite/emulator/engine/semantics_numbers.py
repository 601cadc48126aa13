"""Athena semantics of numbers that DuckDB computes differently: decimal literals, division by zero,
double-to-text (see semantics.py for the driver)."""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from dbt_athena_lite.emulator.engine.semantics_rules import Rules, call, has_type, type_is, typed

RULES = Rules()


def literal_shape(text: str) -> tuple[int, int] | None:
    """(precision, scale) of a decimal literal as Athena types it: every digit written counts
    ('0.50' is decimal(3,2)); None for a double ('1e3')."""
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
        return None
    digits = text.lstrip("+-")
    scale = len(digits.partition(".")[2])
    return max(len(digits.replace(".", "")), scale, 1), scale


@RULES.node(exp.Cast, exp.TryCast)
def bare_decimal_takes_the_literals_precision(node: exp.Expr) -> exp.Expr | None:
    """DECIMAL '1.50' is decimal(3,2) and CAST(x AS DECIMAL) is decimal(38,0); DuckDB's bare DECIMAL
    is decimal(18,3)."""
    target = node.args.get("to")
    if not isinstance(target, exp.DataType) or not type_is(target, "decimal") or target.expressions:
        return None
    literal = node.this
    shape = literal_shape(literal.this) if isinstance(literal, exp.Literal) and literal.is_string else None
    precision, scale = shape or (38, 0)
    node.set("to", exp.DataType.build(f"decimal({precision}, {scale})"))
    return node


# Integer types as the decimals Athena widens them to in decimal arithmetic.
_INTEGER_PRECISION = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 19}


def decimal_shape(node: exp.Expr) -> tuple[int, int] | None:
    """(precision, scale) of an integer or decimal operand, None when not exact or unknown.
    Numeric literals are read from their text: sqlglot types 1.5 as a double, Athena as decimal(2,1)."""
    if isinstance(node, exp.Paren | exp.Neg):
        return decimal_shape(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        shape = literal_shape(node.this)
        if shape is not None and shape[1] == 0:  # an integer literal is an integer (or bigint)
            return (10, 0) if abs(int(node.this)) < 2**31 else (19, 0)
        return shape
    data_type = node.type
    if data_type is None:
        return None
    for name, precision in _INTEGER_PRECISION.items():
        if type_is(data_type, name):
            return precision, 0
    parameters = [parameter.this for parameter in data_type.expressions]
    if (
        type_is(data_type, "decimal")
        and len(parameters) == 2
        and all(isinstance(value, exp.Literal) for value in parameters)
    ):
        precision, scale = int(parameters[0].this), int(parameters[1].this)
        # sqlglot keeps an aggregate's input precision (Athena widens sum() to 38): trust only a
        # cast's or a column's, so a quotient never overflows a too-narrow type.
        return (precision if isinstance(node, exp.Cast | exp.TryCast | exp.Column) else 38), scale
    return None


def _fail_on_zero(dividend: exp.Expr, divisor: exp.Expr) -> exp.Expr:
    """The divisor, or an error where it is zero (a NULL dividend still gives NULL, as in Athena)."""
    zero = exp.and_(
        exp.EQ(this=divisor.copy(), expression=exp.Literal.number(0)),
        exp.Not(this=exp.Is(this=dividend.copy(), expression=exp.null())),
    )
    failing = exp.Case(
        ifs=[exp.If(this=zero, true=call("ERROR", exp.Literal.string("Division by zero")))], default=divisor
    )
    return typed(failing, divisor.type.sql() if divisor.type else "bigint")


@RULES.node(exp.Div, exp.Mod)
def exact_division(node: exp.Expr) -> exp.Expr | None:
    """Integer or decimal division (or modulus) by zero fails with 'Division by zero' in Athena,
    where DuckDB returns NULL (inside try() Athena returns NULL, and DuckDB's TRY rejects error()).
    A decimal quotient is a decimal of scale max(xs, ys), precision xp + ys - xs + max(0, ys - xs)
    (1 / 3.0 is 0.3), where DuckDB's is a double. integer / integer is an integer of the wider type."""
    dividend, divisor = node.this, node.expression
    dividend_shape, divisor_shape = decimal_shape(dividend), decimal_shape(divisor)
    if dividend_shape is None or divisor_shape is None:
        return None
    inside_try = node.find_ancestor(exp.Try) is not None
    if not inside_try and not (isinstance(divisor, exp.Literal) and divisor.this.strip("0.") != ""):
        node.set("expression", _fail_on_zero(dividend, divisor))
    (xp, xs), (_, ys) = dividend_shape, divisor_shape
    if isinstance(node, exp.Mod):
        return node
    if xs == ys == 0:
        # DuckDB's `/` with integer_division on (DUCKDB_SETTINGS) truncates and keeps the operand
        # type, as Athena does; sqlglot's own rewrite would make every quotient a bigint.
        node.set("typed", False)
        return node
    scale = max(xs, ys)
    precision = max(min(38, xp + ys - xs + max(0, ys - xs)), scale, 1)
    quotient = exp.Div(
        this=exp.Cast(this=node.this, to=exp.DataType.build("double")), expression=node.expression
    )
    return typed(
        exp.Cast(this=quotient, to=exp.DataType.build(f"decimal({precision}, {scale})")),
        f"decimal({precision}, {scale})",
    )


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
    if not has_type(node.this, "double") or _has_decimal_literal(node.this):
        return None  # 1.5 and 0.1 + 0.2 are DECIMALs in Athena (sqlglot types them double)
    operand: exp.Expr = node.this

    def substitute(placeholder: exp.Expr) -> exp.Expr:
        if isinstance(placeholder, exp.Column) and placeholder.name == "__v":
            return operand.copy()
        return placeholder

    text: exp.Expr = _JAVA_DOUBLE_TEXT.transform(substitute)
    return typed(text, "varchar")


def _has_decimal_literal(node: exp.Expr) -> bool:
    """Whether a decimal literal (not under a cast) takes part in `node`."""
    return any(
        isinstance(part, exp.Literal)
        and not part.is_string
        and literal_shape(part.this) is not None
        and "." in part.this
        for part in node.walk(prune=lambda part: isinstance(part, exp.Cast))
    )


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


@RULES.node(exp.Cast, exp.TryCast)
def double_to_integer_rounds_half_away_from_zero(node: exp.Expr) -> exp.Expr | None:
    """CAST(2.5E0 AS integer) is 3 and CAST(-2.5E0 AS integer) is -3 in Athena; DuckDB rounds
    halves to even (2, -2)."""
    target = node.args.get("to")
    if not (isinstance(target, exp.DataType) and type_is(target, "tinyint", "smallint", "int", "bigint")):
        return None
    if not has_type(node.this, "double", "float") or _has_decimal_literal(node.this):
        return None
    node.set("this", typed(exp.Round(this=node.this), "double"))
    return node
