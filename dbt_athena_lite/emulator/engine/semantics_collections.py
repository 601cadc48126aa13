"""Athena semantics of arrays, maps, UNNEST and aggregates that DuckDB computes differently
(see semantics.py for the driver)."""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.semantics_rules import Rules, call, distinct_in_order, has_type, typed

RULES = Rules()


# -- arrays, maps, aggregates -------------------------------------------------------------------------


@RULES.node(exp.ArraySlice)
def slice_takes_a_length(node: exp.Expr) -> exp.Expr | None:
    """slice(array, start, length) takes a LENGTH; DuckDB's list_slice takes an inclusive end."""
    start, length = node.args.get("start"), node.args.get("end")
    if start is None or length is None:
        return None
    end = exp.Sub(this=exp.Add(this=start.copy(), expression=length), expression=exp.Literal.number(1))
    return call("LIST_SLICE", node.this, start, end)


@RULES.node(exp.ArrayDistinct)
def array_distinct_keeps_first_occurrences_in_order(node: exp.Expr) -> exp.Expr | None:
    """array_distinct keeps each value's first occurrence, in order; DuckDB's list_distinct does not
    keep order (and drops NULL)."""
    return distinct_in_order(node.this)


@RULES.node(exp.ArrayPosition)
def array_position_not_found_is_zero(node: exp.Expr) -> exp.Expr | None:
    """array_position returns 0 when the element is absent (NULL only for a NULL array); DuckDB NULL."""
    absent = exp.If(
        this=exp.Not(this=exp.Is(this=node.this.copy(), expression=exp.null())), true=exp.Literal.number(0)
    )
    return exp.Coalesce(this=node, expressions=[exp.Case(ifs=[absent])])


@RULES.node(exp.ArraySize)
def cardinality_of_a_map(node: exp.Expr) -> exp.Expr | None:
    """cardinality() counts map entries too; DuckDB's array_length rejects maps."""
    return typed(call("CARDINALITY", node.this), "bigint") if has_type(node.this, "map") else None


@RULES.node(exp.ApproxQuantile)
def approx_percentile_returns_a_value_of_the_input(node: exp.Expr) -> exp.Expr | None:
    """approx_percentile returns one of the input values; DuckDB's approx_quantile interpolates."""
    if node.args.get("weight") is not None or node.args.get("accuracy") is not None:
        return None
    return call("QUANTILE_DISC", node.this, node.args["quantile"])


@RULES.node(exp.Unnest)
def unnest_zips_several_arrays(node: exp.Expr) -> exp.Expr | None:
    """UNNEST(a, b) / UNNEST(map) in FROM yield one column per array (keys and values for a map),
    zipped and NULL-padded; DuckDB's table function takes one list. Rewritten as a lateral subquery
    of SELECT-list UNNESTs, which DuckDB zips the same way."""
    alias = node.args.get("alias")
    arrays = list(node.expressions)
    if len(arrays) == 1 and has_type(arrays[0], "map"):
        arrays = [call("MAP_KEYS", arrays[0].copy()), call("MAP_VALUES", arrays[0].copy())]
    if len(arrays) < 2 or not isinstance(node.parent, (exp.From, exp.Join)) or alias is None:
        return None
    names = [column.name for column in alias.columns]
    selections: list[exp.Expr] = [
        exp.alias_(call("UNNEST", array), name) for array, name in zip(arrays, names, strict=False)
    ]
    ordinality = node.args.get("offset")
    if ordinality:
        longest = exp.Greatest(
            this=call("LEN", arrays[0].copy()), expressions=[call("LEN", a.copy()) for a in arrays[1:]]
        )
        positions = call(
            "RANGE", exp.Literal.number(1), exp.Add(this=longest, expression=exp.Literal.number(1))
        )
        ordinal_name = ordinality.name if isinstance(ordinality, exp.Identifier) else names[len(arrays)]
        selections.append(exp.alias_(call("UNNEST", positions), ordinal_name))
    return exp.Subquery(this=exp.select(*selections), alias=exp.TableAlias(this=alias.this.copy()))


def _keep_where(array: exp.Expr, other: exp.Expr, *, contained: bool) -> exp.Expr:
    """Distinct values of `array`, in order, that are (or are not) in `other`."""
    element = exp.to_identifier("__athena_y")
    test: exp.Expr = call("LIST_CONTAINS", other, exp.column(element.copy()))
    if not contained:
        test = exp.Not(this=test)
    return call("LIST_FILTER", distinct_in_order(array), exp.Lambda(this=test, expressions=[element]))


@RULES.node(exp.ArrayIntersect)
def array_intersect_keeps_first_array_order(node: exp.Expr) -> exp.Expr | None:
    """array_intersect(a, b) lists a's distinct values found in b, in a's order."""
    if len(node.expressions) != 2:
        return None
    first, second = node.expressions
    return _keep_where(first, second, contained=True)


@RULES.node(exp.ArrayExcept)
def array_except_keeps_first_array_order(node: exp.Expr) -> exp.Expr | None:
    """array_except(a, b) lists a's distinct values not in b, in a's order."""
    return _keep_where(node.this, node.expression, contained=False)


@RULES.function("ARRAY_UNION")
def array_union_keeps_first_occurrences(node: exp.Expr) -> exp.Expr | None:
    """array_union(a, b): distinct values of a then b, in first-occurrence order (DuckDB lacks it)."""
    first, second = node.expressions
    return distinct_in_order(call("LIST_CONCAT", first, second))


_MATCH_FUNCTIONS = {  # Athena name -> (DuckDB list aggregate, answer for an empty array, negate)
    "ANY_MATCH": ("LIST_BOOL_OR", False, False),
    "ALL_MATCH": ("LIST_BOOL_AND", True, False),
    "NONE_MATCH": ("LIST_BOOL_OR", False, True),
}


@RULES.function(*_MATCH_FUNCTIONS)
def array_match_predicates(node: exp.Expr) -> exp.Expr | None:
    """any_match / all_match / none_match(array, predicate); an empty array gives false/true/true."""
    aggregate, empty_answer, negate = _MATCH_FUNCTIONS[str(node.this).upper()]
    array, predicate = node.expressions
    result: exp.Expr = exp.Coalesce(
        this=call(aggregate, call("LIST_TRANSFORM", array, predicate)),
        expressions=[exp.Boolean(this=empty_answer)],
    )
    return exp.Not(this=exp.Paren(this=result)) if negate else result


@RULES.function("MAP_AGG")
def map_agg_builds_a_map(node: exp.Expr) -> exp.Expr | None:
    """map_agg(key, value) aggregates into a map; DuckDB builds it from two aggregated lists."""
    key, value = node.expressions
    return call("MAP", call("LIST", key), call("LIST", value))


@RULES.node(exp.DPipe)
def array_concatenation_with_an_element(node: exp.Expr) -> exp.Expr | None:
    """`array || element` and `element || array` append / prepend in Athena; DuckDB's || wants two lists."""
    left, right = node.this, node.expression
    if has_type(left, "array") and _is_scalar(right):
        return call("LIST_APPEND", left, right)
    if has_type(right, "array") and _is_scalar(left):
        return call("LIST_PREPEND", left, right)
    return None


def _is_scalar(node: exp.Expr) -> bool:
    return node.type is not None and not has_type(node, "array", "unknown", "null")


@RULES.node(exp.ArraySort)
def array_sort_comparator_is_not_available(node: exp.Expr) -> exp.Expr | None:
    """array_sort(array, comparator): DuckDB's list_sort has no comparator, and sqlglot drops it
    silently; fail clearly rather than sort the other way."""
    if node.expression is not None:
        raise AthenaQueryError(
            "NOT_SUPPORTED",
            "array_sort with a comparator is not supported by the emulator; "
            "use array_sort(x) or reverse(array_sort(x))",
        )
    return None


# -- lambdas over maps and pairs of arrays --------------------------------------------------------------


def _applied(function: exp.Expr, *arguments: exp.Expr) -> exp.Expr:
    """The body of lambda `function` with its parameters replaced by `arguments`."""
    if not isinstance(function, exp.Lambda) or len(function.expressions) != len(arguments):
        raise AthenaQueryError(
            "INVALID_FUNCTION_ARGUMENT",
            f"Expected a lambda of {len(arguments)} parameters, got {function.sql()}",
        )
    by_name = {
        parameter.name: argument for parameter, argument in zip(function.expressions, arguments, strict=True)
    }

    def substitute(node: exp.Expr) -> exp.Expr:
        is_parameter = (
            isinstance(node, exp.Column | exp.Identifier)
            and not node.args.get("table")
            and node.name in by_name
            and not isinstance(node.parent, exp.Column)  # an Identifier inside a Column goes with it
        )
        return by_name[node.name].copy() if is_parameter else node

    body: exp.Expr = function.this.copy().transform(substitute)
    return body


def _entry_lambda(body_of: Callable[[exp.Expr, exp.Expr], exp.Expr]) -> exp.Lambda:
    """`e -> body_of(e.key, e.value)` over the entries of a map."""
    entry = exp.to_identifier("__athena_e")
    key, value = exp.column("key", table=entry.copy()), exp.column("value", table=entry.copy())
    return exp.Lambda(this=body_of(key, value), expressions=[entry])


def _entry(key: exp.Expr, value: exp.Expr) -> exp.Expr:
    return call(
        "STRUCT_PACK",
        exp.PropertyEQ(this=exp.to_identifier("key"), expression=key),
        exp.PropertyEQ(this=exp.to_identifier("value"), expression=value),
    )


@RULES.function("MAP_FILTER")
def map_filter_keeps_matching_entries(node: exp.Expr) -> exp.Expr | None:
    """map_filter(map, (k, v) -> predicate): the entries for which the predicate holds."""
    map_, function = node.expressions
    keep = _entry_lambda(lambda key, value: _applied(function, key, value))
    return call("MAP_FROM_ENTRIES", call("LIST_FILTER", call("MAP_ENTRIES", map_), keep))


@RULES.function("TRANSFORM_VALUES", "TRANSFORM_KEYS")
def transform_map_entries(node: exp.Expr) -> exp.Expr | None:
    """transform_values / transform_keys(map, (k, v) -> expression): a map with new values or keys."""
    map_, function = node.expressions
    new_values = str(node.this).upper() == "TRANSFORM_VALUES"
    rewrite = _entry_lambda(
        lambda key, value: (
            _entry(key, _applied(function, key, value))
            if new_values
            else _entry(_applied(function, key, value), value)
        )
    )
    return call("MAP_FROM_ENTRIES", call("LIST_TRANSFORM", call("MAP_ENTRIES", map_), rewrite))


@RULES.function("ZIP_WITH")
def zip_with_pairs_elements(node: exp.Expr) -> exp.Expr | None:
    """zip_with(a, b, (x, y) -> expression): element-wise, the shorter array padded with NULLs."""
    first, second, function = node.expressions
    pair = exp.to_identifier("__athena_p")
    left = call("STRUCT_EXTRACT_AT", exp.column(pair.copy()), exp.Literal.number(1))
    right = call("STRUCT_EXTRACT_AT", exp.column(pair.copy()), exp.Literal.number(2))
    combine = exp.Lambda(this=_applied(function, left, right), expressions=[pair])
    return call("LIST_TRANSFORM", call("LIST_ZIP", first, second), combine)


@RULES.node(exp.StrToMap)
def split_to_map_builds_a_map(node: exp.Expr) -> exp.Expr | None:
    """split_to_map(text, entry_delimiter, key_value_delimiter); DuckDB has no str_to_map."""
    entry = exp.to_identifier("__athena_s")
    key_value = node.args["key_value_delim"]
    key = exp.SplitPart(
        this=exp.column(entry.copy()), delimiter=key_value.copy(), part_index=exp.Literal.number(1)
    )
    value = exp.SplitPart(
        this=exp.column(entry.copy()), delimiter=key_value.copy(), part_index=exp.Literal.number(2)
    )
    to_entry = exp.Lambda(this=_entry(key, value), expressions=[entry])
    entries = call("STRING_SPLIT", node.this, node.args["pair_delim"])
    return call("MAP_FROM_ENTRIES", call("LIST_TRANSFORM", entries, to_entry))


@RULES.function("ARRAYS_OVERLAP")
def arrays_overlap_is_list_has_any(node: exp.Expr) -> exp.Expr | None:
    """arrays_overlap(a, b): whether they share an element."""
    return typed(call("LIST_HAS_ANY", *node.expressions), "boolean")
