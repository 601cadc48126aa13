"""Athena date/time semantics that DuckDB computes differently (see semantics.py for the driver)."""

from __future__ import annotations

import re

from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.semantics_rules import (
    Rules,
    call,
    cast,
    has_type,
    is_zoned,
    type_is,
    typed,
    unit,
)

RULES = Rules()
_DATE_UNITS = {"DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}


@RULES.node(exp.DateAdd, exp.DateSub)
def date_arithmetic_keeps_dates(node: exp.Expr) -> exp.Expr | None:
    """date_add(unit, n, DATE) is a DATE in Athena; DuckDB's date + interval is a TIMESTAMP."""
    if has_type(node.this, "date") and unit(node) in _DATE_UNITS:
        return cast(node, "date")
    return None


@RULES.node(exp.Add, exp.Sub)
def date_plus_interval_is_a_date(node: exp.Expr) -> exp.Expr | None:
    """DATE +/- INTERVAL of days or more is a DATE in Athena, a TIMESTAMP in DuckDB."""
    left, right = node.this, node.expression
    interval, date = (right, left) if isinstance(right, exp.Interval) else (left, right)
    if (
        isinstance(interval, exp.Interval)
        and has_type(date, "date")
        and interval.unit is not None
        and interval.unit.name.upper() in _DATE_UNITS
    ):
        return cast(node, "date")
    return None


@RULES.node(exp.TimestampTrunc, exp.DateTrunc)
def date_trunc_keeps_dates(node: exp.Expr) -> exp.Expr | None:
    """date_trunc(unit, DATE) is a DATE in Athena; DuckDB returns a TIMESTAMP."""
    return cast(node, "date") if has_type(node.this, "date") else None


@RULES.node(exp.DateDiff)
def date_diff_counts_whole_units(node: exp.Expr) -> exp.Expr | None:
    """date_diff counts whole units elapsed (Jan 15 -> Mar 14 is 1 month); DuckDB's date_diff counts
    boundaries crossed, its date_sub counts whole units."""
    whole_units = exp.Literal.string(unit(node).lower())
    return typed(call("DATE_SUB", whole_units, node.expression, node.this), "bigint")


@RULES.node(exp.Extract)
def extract_day_of_week_is_iso(node: exp.Expr) -> exp.Expr | None:
    """EXTRACT(DOW) is 1 (Monday) .. 7 (Sunday) in Athena; DuckDB's DOW is 0 (Sunday) .. 6."""
    if node.this.name.upper() in ("DOW", "DAYOFWEEK", "DAY_OF_WEEK"):
        node.set("this", exp.var("ISODOW"))
        return node
    return None


@RULES.node(exp.AtTimeZone)
def at_time_zone_reads_naive_timestamps_as_utc(node: exp.Expr) -> exp.Expr | None:
    """`ts AT TIME ZONE z` first reads a zone-less ts in the session zone (UTC), then converts to z;
    DuckDB reads a zone-less ts as wall time IN z."""
    if is_zoned(node.this):
        return None
    node.set("this", cast(node.this, "timestamptz"))
    return node


@RULES.node(exp.Cast, exp.TryCast)
def timestamp_to_varchar_shows_milliseconds(node: exp.Expr) -> exp.Expr | None:
    """CAST(timestamp AS varchar) prints milliseconds ('2024-01-02 03:04:05.000'; microseconds for a
    timestamp(6); plus ' UTC' for a zoned value in the UTC session); DuckDB drops the zeros."""
    target = node.args.get("to")
    if not (isinstance(target, exp.DataType) and type_is(target, "varchar", "text", "char")):
        return None
    if not (is_zoned(node.this) or has_type(node.this, "timestamp")):
        return None
    fraction = "%f" if _precision(node.this.type) > 3 else "%g"
    pattern = f"%Y-%m-%d %H:%M:%S.{fraction}" + (" UTC" if is_zoned(node.this) else "")
    return typed(call("STRFTIME", node.this, exp.Literal.string(pattern)), "varchar")


def _precision(data_type: exp.DataType | None) -> int:
    """A timestamp type's fractional digits (3 when unstated: Athena's timestamps are milliseconds)."""
    parameters = data_type.expressions if data_type is not None else []
    if parameters and isinstance(parameters[0].this, exp.Literal):
        return int(parameters[0].this.this)
    return 3


# Joda-Time pattern letters (format_datetime / parse_datetime) -> DuckDB strftime codes, by run length.
_JODA_CODES: dict[str, dict[int, str]] = {
    "y": {1: "%Y", 2: "%y", 4: "%Y"},
    "Y": {1: "%Y", 2: "%y", 4: "%Y"},
    "M": {1: "%-m", 2: "%m", 3: "%b", 4: "%B"},
    "d": {1: "%-d", 2: "%d"},
    "D": {1: "%-j", 3: "%j"},
    "H": {1: "%-H", 2: "%H"},
    "h": {1: "%-I", 2: "%I"},
    "m": {1: "%-M", 2: "%M"},
    "s": {1: "%-S", 2: "%S"},
    "S": {1: "%g", 3: "%g", 6: "%f"},
    "a": {1: "%p"},
    "E": {1: "%a", 2: "%a", 3: "%a", 4: "%A"},
    "Z": {1: "%z", 2: "%z"},
    "z": {1: "%Z"},
}
_JODA_TOKEN = re.compile(r"'([^']*)'|([A-Za-z])\2*|[^A-Za-z']+")


def joda_to_strftime(pattern: str) -> str:
    """Translate a Joda-Time pattern; raise NOT_SUPPORTED for letters with no strftime equivalent."""
    parts: list[str] = []
    for match in _JODA_TOKEN.finditer(pattern):
        literal, letter = match.group(1), match.group(2)
        if literal is not None:
            parts.append((literal or "'").replace("%", "%%"))
        elif letter is not None:
            by_length = _JODA_CODES.get(letter, {})
            code = by_length.get(len(match.group(0))) or by_length.get(max(by_length, default=0))
            if code is None:
                raise AthenaQueryError(
                    "NOT_SUPPORTED",
                    f"Joda pattern letter '{letter}' in '{pattern}' is not supported by the emulator",
                )
            parts.append(code)
        else:
            parts.append(match.group(0).replace("%", "%%"))
    return "".join(parts)


@RULES.function("FORMAT_DATETIME", "PARSE_DATETIME")
def joda_datetime_functions(node: exp.Expr) -> exp.Expr | None:
    """format_datetime / parse_datetime take Joda patterns ('yyyy-MM-dd'); DuckDB has strftime codes."""
    value, pattern = node.expressions
    if not isinstance(pattern, exp.Literal) or not pattern.is_string:
        return None
    code = exp.Literal.string(joda_to_strftime(pattern.this))
    if str(node.this).upper() == "FORMAT_DATETIME":
        return typed(call("STRFTIME", value, code), "varchar")
    return typed(call("STRPTIME", value, code), "timestamp")


@RULES.node(exp.GenerateSeries)
def sequence_of_dates_yields_dates(node: exp.Expr) -> exp.Expr | None:
    """sequence(DATE, DATE[, step]) is an array of DATEs stepping 1 day by default; DuckDB yields
    timestamps and needs the step."""
    if not has_type(node.args.get("start"), "date"):
        return None
    if node.args.get("step") is None:
        node.set("step", exp.Interval(this=exp.Literal.string("1"), unit=exp.var("DAY")))
    as_date = exp.Lambda(
        this=cast(exp.column("__athena_d"), "date"), expressions=[exp.to_identifier("__athena_d")]
    )
    return typed(call("LIST_TRANSFORM", node, as_date), "array<date>")


@RULES.function("TO_ISO8601")
def to_iso8601_formats(node: exp.Expr) -> exp.Expr | None:
    """to_iso8601: '2024-01-02' for a date, '2024-01-02T03:04:05.000' for a timestamp (+ 'Z' in UTC)."""
    (value,) = node.expressions
    if has_type(value, "date"):
        pattern = "%Y-%m-%d"
    elif is_zoned(value):
        pattern = "%Y-%m-%dT%H:%M:%S.%gZ"  # sessions run in UTC, so zoned values print as Z
    else:
        pattern = "%Y-%m-%dT%H:%M:%S.%g"
    return typed(call("STRFTIME", value, exp.Literal.string(pattern)), "varchar")


@RULES.function("WITH_TIMEZONE")
def with_timezone_reads_wall_time_in_zone(node: exp.Expr) -> exp.Expr | None:
    """with_timezone(ts, zone): the instant whose wall time in `zone` is ts (DuckDB: timezone(zone, ts))."""
    value, zone = node.expressions
    return typed(call("TIMEZONE", zone, value), "timestamptz")


@RULES.function("AT_TIMEZONE")
def at_timezone_is_at_time_zone(node: exp.Expr) -> exp.Expr | None:
    """at_timezone(ts, zone) is `ts AT TIME ZONE zone`."""
    value, zone = node.expressions
    return exp.AtTimeZone(this=cast(value, "timestamptz"), zone=zone)


@RULES.node(exp.CurrentTimezone)
def session_time_zone_is_utc(node: exp.Expr) -> exp.Expr | None:
    """current_timezone() is the session zone, which the emulator fixes to UTC."""
    return typed(exp.Literal.string("UTC"), "varchar")


@RULES.node(exp.TimeToStr, exp.StrToTime)
def mysql_week_specifier_is_iso_week(node: exp.Expr) -> exp.Expr | None:
    """date_format / date_parse's %v is the ISO week (01-53); sqlglot passes it through, DuckDB's
    strftime calls that %V."""
    pattern = node.args.get("format")
    if isinstance(pattern, exp.Literal) and pattern.is_string and "%v" in pattern.this.replace("%%", ""):
        node.set("format", exp.Literal.string(re.sub(r"(?<!%)((?:%%)*)%v", r"\1%V", pattern.this)))
        return node
    return None


@RULES.node(exp.UnixToTime)
def from_unixtime_in_a_zone(node: exp.Expr) -> exp.Expr | None:
    """from_unixtime(seconds, zone) is that instant seen in `zone`; DuckDB's to_timestamp ignores it."""
    zone = node.args.get("zone")
    if zone is None:
        return None
    node.set("zone", None)
    return exp.AtTimeZone(this=node, zone=zone)


@RULES.node(exp.CurrentCatalog)
def current_catalog_is_the_data_catalog(node: exp.Expr) -> exp.Expr | None:
    """current_catalog is the Glue Data Catalog's name in Athena."""
    return typed(exp.Literal.string("awsdatacatalog"), "varchar")
