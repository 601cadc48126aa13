"""UNLOAD (SELECT ...) TO 's3://...' WITH (format=..., compression=..., partitioned_by=ARRAY[...]).

sqlglot reads UNLOAD as an opaque command, so its three parts are cut out of the token stream
here; the query is then parsed as Athena SQL and the WITH list as CTAS properties (same grammar).
Files are written like a CTAS without a Glue table; the manifest lists them, as PyAthena's
`unload=True` cursors expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import Token, TokenType, exp
from sqlglot.dialects.athena import Athena

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryResult
from dbt_athena_lite.emulator.engine.formats import DEFAULT_FIELD_DELIMITER, storage_format, writer_codec
from dbt_athena_lite.emulator.engine.layout import WriteTarget, write_manifest, write_rows
from dbt_athena_lite.emulator.engine.properties import CreateProperties, read_properties
from dbt_athena_lite.emulator.engine.queries import plan_query
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.storage import has_objects
from dbt_athena_lite.emulator.engine.translate import parse

_UNLOAD_KEYWORD = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*UNLOAD\b", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class UnloadParts:
    query: str
    location: str
    properties: CreateProperties


def split_unload(sql: str) -> UnloadParts:
    """Cut `UNLOAD (<query>) TO '<location>' [WITH (<properties>)]` into its parts."""
    keyword = _UNLOAD_KEYWORD.match(sql)
    if keyword is None:
        raise _syntax("expected UNLOAD")
    # The Athena tokenizer swallows everything after UNLOAD as one command string: tokenize the rest.
    sql = " " * keyword.end() + sql[keyword.end() :]
    tokens = [Token(TokenType.COMMAND, "UNLOAD"), *Athena().tokenize(sql)]
    if len(tokens) < 4 or tokens[1].token_type != TokenType.L_PAREN:
        raise _syntax("UNLOAD needs a parenthesised query: UNLOAD (SELECT ...) TO 's3://...'")
    depth, close = 0, -1
    for index, token in enumerate(tokens[1:], start=1):
        depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(token.token_type, 0)
        if depth == 0:
            close = index
            break
    rest = tokens[close + 1 :] if close > 0 else []
    if len(rest) < 2 or rest[0].text.upper() != "TO" or rest[1].token_type != TokenType.STRING:
        raise _syntax("UNLOAD needs TO 's3://bucket/prefix/' after the query")
    query = sql[tokens[1].end + 1 : tokens[close].start]
    with_text = sql[rest[2].start :] if len(rest) > 2 else ""
    if with_text and rest[2].token_type != TokenType.WITH:
        raise _syntax(f"mismatched input '{rest[2].text}'. Expecting: 'WITH'")
    properties = CreateProperties()
    if with_text:
        create = sqlglot.parse_one(f"CREATE TABLE unload_target {with_text} AS SELECT 1", read="athena")
        if isinstance(create, exp.Create):
            properties = read_properties(create)
    return UnloadParts(query, rest[1].text, properties)


def _syntax(message: str) -> AthenaQueryError:
    return AthenaQueryError("SYNTAX_ERROR", f"line 1:1: {message}")


def run_unload(statement: Statement) -> QueryResult:
    parts = split_unload(statement.sql)
    props = parts.properties
    fmt = storage_format(props.file_format or props.text("format") or "PARQUET")
    codec_name = (props.text("compression") or fmt.default_compression).upper()
    keys = props.partitioned_by or props.names("partitioned_by")
    if not keys and has_objects(statement.s3, parts.location):
        raise AthenaQueryError(
            "HIVE_PATH_ALREADY_EXISTS",
            f"Target directory for UNLOAD already exists: {parts.location}. Empty it or choose another location",
        )
    planned = plan_query(statement, parse(parts.query))
    missing = [k for k in keys if k not in planned.names]
    if missing:
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"Partition column {missing[0]} is not in the query")
    target = WriteTarget(
        location=parts.location,
        fmt=fmt,
        codec=writer_codec(fmt, codec_name),
        field_delimiter=props.text("field_delimiter") or DEFAULT_FIELD_DELIMITER,
        query_id=statement.context.query_id,
        data_columns=[n for n in planned.names if n not in keys],
        partition_columns=keys,
    )
    statement.check_cancelled()
    written = write_rows(
        statement.cursor, planned.renamed_sql(), target, statement.s3, statement.check_cancelled
    )
    write_manifest(statement.s3, statement.context, written.urls)
    return QueryResult(
        statement_type="DML",
        update_count=written.rows,
        data_scanned_bytes=statement.translator.scanned_bytes,
        substatement_type="UNLOAD",
    )
