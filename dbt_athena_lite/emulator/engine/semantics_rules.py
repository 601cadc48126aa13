"""The registry and AST helpers that Athena-semantics transforms are written with.

A transform takes one sqlglot node and returns its replacement, or None to leave it alone. Rules
are keyed by node class, or by name for functions sqlglot does not know (exp.Anonymous).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from sqlglot import exp

Transform = Callable[[exp.Expr], exp.Expr | None]


class Rules:
    """Transforms by node class and by unknown-function name, filled with the two decorators."""

    def __init__(self) -> None:
        self.by_node: dict[type[exp.Expr], list[Transform]] = {}
        self.by_function: dict[str, Transform] = {}

    def node(self, *node_types: type[exp.Expr]) -> Callable[[Transform], Transform]:
        def register(transform: Transform) -> Transform:
            for node_type in node_types:
                self.by_node.setdefault(node_type, []).append(transform)
            return transform

        return register

    def function(self, *names: str) -> Callable[[Transform], Transform]:
        def register(transform: Transform) -> Transform:
            for name in names:
                self.by_function[name.upper()] = transform
            return transform

        return register

    def transforms_for(self, node: exp.Expr) -> list[Transform]:
        if isinstance(node, exp.Anonymous):
            by_name = self.by_function.get(str(node.this).upper())
            return [by_name] if by_name is not None else []
        return self.by_node.get(type(node), [])

    @classmethod
    def combine(cls, *parts: Rules) -> Rules:
        combined = cls()
        for part in parts:
            for node_type, transforms in part.by_node.items():
                combined.by_node.setdefault(node_type, []).extend(transforms)
            combined.by_function.update(part.by_function)
        return combined


def call(name: str, *args: exp.Expr) -> exp.Anonymous:
    """A DuckDB function call rendered exactly as named (sqlglot would re-map a name it knows)."""
    return exp.Anonymous(this=name, expressions=list(args))


@functools.cache
def _data_type(type_name: str) -> exp.DataType:
    """Built once per name: sqlglot parses a type name each time it is given as a string."""
    return exp.DataType.build(type_name)


def typed(node: exp.Expr, type_name: str) -> exp.Expr:
    """Record the Athena type of a node we built, for transforms of its ancestors."""
    node.type = _data_type(type_name).copy()
    return node


def cast(node: exp.Expr, type_name: str) -> exp.Expr:
    return typed(exp.Cast(this=node, to=_data_type(type_name).copy()), type_name)


def type_is(data_type: exp.DataType, *type_names: str) -> bool:
    return data_type.is_type(*(_data_type(name) for name in type_names))


def has_type(node: exp.Expr | None, *type_names: str) -> bool:
    return node is not None and node.type is not None and type_is(node.type, *type_names)


# Athena functions returning `timestamp(3) with time zone` that sqlglot types as plain timestamps.
_ZONED_NODES = (exp.FromISO8601Timestamp, exp.CurrentTimestamp, exp.UnixToTime, exp.AtTimeZone)


def is_zoned(node: exp.Expr) -> bool:
    return isinstance(node, _ZONED_NODES) or has_type(node, "timestamptz")


def unit(node: exp.Expr, default: str = "DAY") -> str:
    """The upper-cased unit argument of date_add / date_diff / date_trunc style nodes."""
    given = node.args.get("unit")
    return given.name.upper() if given is not None else default


def distinct_in_order(array: exp.Expr) -> exp.Expr:
    """The array's distinct values in first-occurrence order (DuckDB's list_distinct has no order).

    Lambda parameters get unusual names so they cannot capture a column of the array expression."""
    element, index = exp.to_identifier("__athena_x"), exp.to_identifier("__athena_i")
    first_position = exp.EQ(
        this=call("LIST_POSITION", array.copy(), exp.column(element.copy())),
        expression=exp.column(index.copy()),
    )
    return call("LIST_FILTER", array, exp.Lambda(this=first_position, expressions=[element, index]))
