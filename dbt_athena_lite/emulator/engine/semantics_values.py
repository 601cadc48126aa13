"""Athena semantics of strings, regular expressions, JSON, arrays, maps, aggregates and numbers that
DuckDB computes differently (see semantics.py for the driver)."""

from __future__ import annotations

import re

from sqlglot import exp

from dbt_athena_lite.emulator.engine.semantics_rules import (
    Rules,
    call,
    distinct_in_order,
    has_type,
    typed,
)

RULES = Rules()


# -- strings and regular expressions ------------------------------------------------------------------


@RULES.node(exp.SplitPart)
def split_part_out_of_range_is_null(node: exp.Expr) -> exp.Expr | None:
    """split_part past the last field is NULL in Athena; DuckDB returns ''."""
    parts = call("STRING_SPLIT", node.this, node.args["delimiter"])
    return typed(call("LIST_EXTRACT", parts, node.args["part_index"]), "varchar")


def first_match(value: exp.Expr, pattern: exp.Expr, group: exp.Expr) -> exp.Expr:
    """The group of the first match of `pattern`, NULL when there is none (DuckDB's regexp_extract
    returns '' instead)."""
    matches = call("REGEXP_EXTRACT_ALL", value, pattern, group)
    return typed(call("LIST_EXTRACT", matches, exp.Literal.number(1)), "varchar")


@RULES.node(exp.RegexpExtract)
def regexp_extract_without_match_is_null(node: exp.Expr) -> exp.Expr | None:
    """regexp_extract with no match is NULL in Athena; DuckDB returns ''."""
    return first_match(node.this, node.expression, node.args.get("group") or exp.Literal.number(0))


def java_replacement_to_re2(replacement: str) -> str:
    """Athena's replacement strings name groups `$1` and escape with `\\`; RE2's use `\\1`."""
    out: list[str] = []
    index = 0
    while index < len(replacement):
        char = replacement[index]
        following = replacement[index + 1] if index + 1 < len(replacement) else ""
        if char == "\\" and following:
            out.append("\\\\" if following == "\\" else following)
            index += 2
        elif char == "$" and following.isdigit():
            out.append("\\" + following)
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


@RULES.node(exp.RegexpReplace)
def regexp_replacement_groups(node: exp.Expr) -> exp.Expr | None:
    """regexp_replace's replacement refers to groups as $1 in Athena, \\1 in DuckDB."""
    replacement = node.args.get("replacement")
    if isinstance(replacement, exp.Literal) and replacement.is_string:
        converted = java_replacement_to_re2(replacement.this)
        if converted != replacement.this:
            node.set("replacement", exp.Literal.string(converted))
            return node
    return None


_RENAMED_FUNCTIONS = {
    "CODEPOINT": "UNICODE",  # codepoint(char) -> its Unicode code point
    "EVERY": "BOOL_AND",  # every(b) is Athena's alias of bool_and
    "ZIP": "LIST_ZIP",  # zip(a, b) -> array of rows, NULL-padded
}


@RULES.function(*_RENAMED_FUNCTIONS)
def functions_duckdb_names_differently(node: exp.Expr) -> exp.Expr | None:
    """Athena functions that exist in DuckDB under another name with the same meaning."""
    return call(_RENAMED_FUNCTIONS[str(node.this).upper()], *node.expressions)


# -- json ---------------------------------------------------------------------------------------------


@RULES.node(exp.JSONExtractScalar)
def json_extract_scalar_of_container_is_null(node: exp.Expr) -> exp.Expr | None:
    """json_extract_scalar returns NULL for an object or array; DuckDB's ->> returns its JSON text."""
    scalar = call("JSON_VALUE", node.this, node.expression)
    return typed(call("JSON_EXTRACT_STRING", scalar, exp.Literal.string("$")), "varchar")


@RULES.function("JSON_SIZE")
def json_size_counts_members(node: exp.Expr) -> exp.Expr | None:
    """json_size(json, path): elements of an array or keys of an object, 0 for a scalar."""
    document, path = node.expressions
    kind = call("JSON_TYPE", document.copy(), path.copy())
    return exp.Case(
        this=kind,
        ifs=[
            exp.If(
                this=exp.Literal.string("ARRAY"),
                true=call("JSON_ARRAY_LENGTH", document.copy(), path.copy()),
            ),
            exp.If(
                this=exp.Literal.string("OBJECT"),
                true=call("LEN", call("JSON_KEYS", document.copy(), path.copy())),
            ),
        ],
        default=exp.Literal.number(0),
    )


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


# -- numbers and misc ---------------------------------------------------------------------------------


@RULES.node(exp.Format)
def format_uses_printf_conversions(node: exp.Expr) -> exp.Expr | None:
    """format(fmt, ...) uses Java/printf conversions (%s, %d, %.2f); DuckDB's format uses {}."""
    return typed(call("PRINTF", node.this, *node.expressions), "varchar")


@RULES.node(exp.Cast, exp.TryCast)
def bare_decimal_takes_the_literals_precision(node: exp.Expr) -> exp.Expr | None:
    """DECIMAL '1.50' is decimal(3,2) and CAST(x AS DECIMAL) is decimal(38,0); DuckDB's bare DECIMAL
    is decimal(18,3)."""
    target = node.args.get("to")
    if not isinstance(target, exp.DataType) or not target.is_type("decimal") or target.expressions:
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


@RULES.node(exp.Typeof)
def typeof_uses_athena_type_names(node: exp.Expr) -> exp.Expr | None:
    """typeof() names types in lower case ('integer', 'varchar'); DuckDB upper-cases them."""
    return typed(exp.Lower(this=exp.Typeof(this=node.this)), "varchar")


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
    return node.type is not None and not node.type.is_type("array", "unknown", "null")


# sqlglot leaves these varbinary-producing functions untyped.
_VARBINARY_NODES = (exp.Encode, exp.FromBase64, exp.Unhex)


@RULES.node(exp.Length)
def length_of_varbinary_counts_bytes(node: exp.Expr) -> exp.Expr | None:
    """length(varbinary) is its size in bytes; DuckDB's length() takes only strings and lists."""
    if isinstance(node.this, _VARBINARY_NODES) or has_type(node.this, "varbinary", "binary"):
        return typed(call("OCTET_LENGTH", node.this), "bigint")
    return None


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


# RFC 3986's URI pattern with one group per url_extract_* function (DuckDB has no URL functions).
_URL = (
    r"^(?:([A-Za-z][A-Za-z0-9+.-]*):)?"  # 1 protocol
    r"(?://(?:[^@/?#]*@)?([^:/?#]*)(?::([0-9]+))?)?"  # 2 host, 3 port (user info skipped)
    r"([^?#]*)(?:\?([^#]*))?(?:#(.*))?$"  # 4 path, 5 query, 6 fragment
)
_URL_GROUPS = {
    "URL_EXTRACT_PROTOCOL": 1,
    "URL_EXTRACT_HOST": 2,
    "URL_EXTRACT_PORT": 3,
    "URL_EXTRACT_PATH": 4,
    "URL_EXTRACT_QUERY": 5,
    "URL_EXTRACT_FRAGMENT": 6,
}


@RULES.function(*_URL_GROUPS)
def url_extract_parts(node: exp.Expr) -> exp.Expr | None:
    """url_extract_host / _path / _port / _protocol / _query / _fragment(url): that part of the URL
    (the port as a bigint, NULL when absent)."""
    name = str(node.this).upper()
    group = exp.Literal.number(_URL_GROUPS[name])
    part = first_match(node.expressions[0], exp.Literal.string(_URL), group)
    if name != "URL_EXTRACT_PORT":
        return part
    port = exp.TryCast(
        this=exp.Nullif(this=part, expression=exp.Literal.string("")), to=exp.DataType.build("bigint")
    )
    return typed(port, "bigint")


@RULES.function("URL_EXTRACT_PARAMETER")
def url_extract_parameter_value(node: exp.Expr) -> exp.Expr | None:
    """url_extract_parameter(url, name): the first value of query parameter `name` ('' when it has
    none), NULL when the URL lacks it."""
    url, name = node.expressions
    if not (isinstance(name, exp.Literal) and name.is_string):
        return None
    # The group always takes part ('=value' or ''), so a bare `?flag` yields '' rather than NULL.
    pattern = r"[?&]" + re.escape(name.this) + r"((?:=[^&#]*)?)(?:[&#]|$)"
    assignment = first_match(url, exp.Literal.string(pattern), exp.Literal.number(1))
    return typed(exp.Substring(this=assignment, start=exp.Literal.number(2)), "varchar")
