"""Athena semantics of strings, regular expressions, JSON and URLs that DuckDB computes differently
(see semantics.py for the driver)."""

from __future__ import annotations

import re

from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.semantics_rules import Rules, call, has_type, typed

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
    "HAMMING_DISTANCE": "HAMMING",
    "YOW": "ISOYEAR",  # yow(date) is year_of_week: the ISO week-numbering year
    "IS_NAN": "ISNAN",
    "IS_INFINITE": "ISINF",
    "IS_FINITE": "ISFINITE",
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


@RULES.node(exp.Format)
def format_uses_printf_conversions(node: exp.Expr) -> exp.Expr | None:
    """format(fmt, ...) uses Java/printf conversions (%s, %d, %.2f); DuckDB's format uses {}."""
    return typed(call("PRINTF", node.this, *node.expressions), "varchar")


@RULES.node(exp.Typeof)
def typeof_uses_athena_type_names(node: exp.Expr) -> exp.Expr | None:
    """typeof() names types in lower case ('integer', 'varchar'); DuckDB upper-cases them."""
    return typed(exp.Lower(this=exp.Typeof(this=node.this)), "varchar")


# sqlglot leaves these varbinary-producing functions untyped.
_VARBINARY_NODES = (exp.Encode, exp.FromBase64, exp.Unhex)


@RULES.node(exp.Length)
def length_of_varbinary_counts_bytes(node: exp.Expr) -> exp.Expr | None:
    """length(varbinary) is its size in bytes; DuckDB's length() takes only strings and lists."""
    if isinstance(node.this, _VARBINARY_NODES) or has_type(node.this, "varbinary", "binary"):
        return typed(call("OCTET_LENGTH", node.this), "bigint")
    return None


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


@RULES.node(exp.SHA)
def sha1_returns_bytes(node: exp.Expr) -> exp.Expr | None:
    """sha1(varbinary) is a varbinary digest; DuckDB's sha1 returns its hex text."""
    return typed(call("UNHEX", call("SHA1", node.this)), "varbinary")


@RULES.node(exp.SHA2Digest)
def sha512_is_not_available(node: exp.Expr) -> exp.Expr | None:
    """sha512 has no DuckDB equivalent: fail clearly rather than return another digest."""
    length = node.args.get("length")
    if length is not None and length.name not in ("", "256"):
        raise AthenaQueryError("NOT_SUPPORTED", f"sha{length.name}() is not supported by the emulator")
    return None


@RULES.function("MILLISECOND")
def millisecond_of_the_second(node: exp.Expr) -> exp.Expr | None:
    """millisecond(ts) is 0-999; DuckDB's millisecond() adds the seconds (5.123 s -> 5123)."""
    return typed(
        exp.Mod(this=call("MILLISECOND", *node.expressions), expression=exp.Literal.number(1000)), "bigint"
    )


@RULES.node(exp.ConcatWs)
def concat_ws_joins_an_array(node: exp.Expr) -> exp.Expr | None:
    """concat_ws(separator, array) joins the array's elements; DuckDB prints the array as '[a, b]'."""
    if len(node.expressions) == 2 and has_type(node.expressions[1], "array"):
        separator, array = node.expressions
        return typed(call("ARRAY_TO_STRING", array, separator), "varchar")
    return None


_JSON_PATH_MODE = re.compile(r"^\s*(?:lax|strict)\s+", re.IGNORECASE)


def _without_path_mode(path: exp.Expr | None) -> exp.Expr | None:
    """'lax $.a' -> '$.a': SQL/JSON path modes, which DuckDB's JSON paths do not take."""
    if isinstance(path, exp.Literal) and path.is_string and _JSON_PATH_MODE.match(path.this):
        return exp.Literal.string(_JSON_PATH_MODE.sub("", path.this))
    return None


@RULES.node(exp.JSONValue)
def json_value_returns_text(node: exp.Expr) -> exp.Expr | None:
    """json_value(json, 'lax $.a') returns the scalar as varchar (NULL for objects and arrays)."""
    path = _without_path_mode(node.args.get("path")) or node.args["path"]
    scalar = call("JSON_VALUE", node.this, path)
    return typed(call("JSON_EXTRACT_STRING", scalar, exp.Literal.string("$")), "varchar")


@RULES.node(exp.JSONExtract)
def json_query_path_modes(node: exp.Expr) -> exp.Expr | None:
    """json_query(json, 'lax $.a') takes SQL/JSON path modes."""
    path = _without_path_mode(node.expression)
    if path is None:
        return None
    node.set("expression", path)
    return node


@RULES.function("JSON_EXISTS")
def json_exists_path_modes(node: exp.Expr) -> exp.Expr | None:
    """json_exists(json, 'lax $.a') takes SQL/JSON path modes."""
    document, path = node.expressions
    return typed(call("JSON_EXISTS", document, _without_path_mode(path) or path), "boolean")


@RULES.function("IS_JSON_SCALAR")
def is_json_scalar_by_type(node: exp.Expr) -> exp.Expr | None:
    """is_json_scalar(json): true unless it is an object or an array."""
    kind = call("JSON_TYPE", node.expressions[0])
    objects = [exp.Literal.string("OBJECT"), exp.Literal.string("ARRAY")]
    return typed(exp.Not(this=exp.In(this=kind, expressions=objects)), "boolean")


@RULES.function("JSON_ARRAY_GET")
def json_array_get_by_index(node: exp.Expr) -> exp.Expr | None:
    """json_array_get(json_array, index): the element as JSON, negative indexes from the end."""
    document, index = node.expressions
    negative = isinstance(index, exp.Neg)
    literal = index.this if negative else index
    if not (isinstance(literal, exp.Literal) and not literal.is_string):
        return None
    position = -int(literal.this) if negative else int(literal.this)
    path = f"$[{position}]" if position >= 0 else f"$[#{position}]"
    return call("JSON_EXTRACT", document, exp.Literal.string(path))
