"""What Athena's Hive DDL parser rejects in ALTER TABLE and MSCK REPAIR TABLE, which dbt adapters
have tripped over (dbt-athena issues 182, 468, 677): the emulator fails the same way so such SQL
never passes locally and breaks on AWS.

- Athena reads these statements as ONE line, so a `--` comment swallows the rest of the text.
- Hive quotes names with backticks. With "double quotes" the Hive parser fails and Athena retries
  the text as Trino SQL, which has no MSCK (and no Hive forms of ALTER TABLE).
- A catalog part (`awsdatacatalog`.`db`.`t`) is not Hive syntax either in ALTER TABLE; the Trino
  retry then rejects the backticks.
"""

from __future__ import annotations

from dbt_athena_lite.emulator.engine.api import AthenaQueryError
from dbt_athena_lite.emulator.engine.catalog_tokens import Token, syntax_error, tokenize

# Trino's statement keywords, as Athena lists them when the Trino retry fails at the first word.
_TRINO_STATEMENTS = (
    "'ALTER', 'ANALYZE', 'CALL', 'COMMENT', 'COMMIT', 'CREATE', 'DEALLOCATE', 'DELETE', 'DENY', "
    "'DESC', 'DESCRIBE', 'DROP', 'EXECUTE', 'EXPLAIN', 'GRANT', 'INSERT', 'MERGE', 'PREPARE', "
    "'REFRESH', 'RESET', 'REVOKE', 'ROLLBACK', 'SET', 'SHOW', 'START', 'TRUNCATE', 'UNLOAD', "
    "'UPDATE', 'USE', 'USING', <query>"
)


def as_hive_reads_it(sql: str) -> tuple[str, list[Token]]:
    """The statement on one line, as Athena's Hive parser reads it, and its tokens; fail like Athena
    when a `--` comment then hides all of it."""
    one_line = sql.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    tokens = tokenize(one_line)
    if not tokens:
        raise AthenaQueryError(
            "SYNTAX_ERROR",
            f"FAILED: ParseException line 1:{len(one_line)} cannot recognize input near "
            "'<EOF>' '<EOF>' '<EOF>' (Athena reads ALTER TABLE and MSCK REPAIR TABLE as one line: "
            "put comments in /* */, or leave them out)",
        )
    return one_line, tokens


def check_table_name(sql: str, keyword: Token, name_tokens: list[Token]) -> None:
    """Reject double-quoted names, and catalog-qualified names in ALTER TABLE."""
    for token in name_tokens:
        if token.kind == "quoted" and sql[token.position] == '"':
            if keyword.is_word("MSCK"):
                raise syntax_error(
                    sql, keyword.position, f"mismatched input 'MSCK'. Expecting: {_TRINO_STATEMENTS}"
                )
            raise syntax_error(
                sql,
                token.position,
                f"mismatched input '\"{token.text}\"'. ALTER TABLE is Hive DDL: quote names with "
                "backticks (`db`.`table`), not double quotes",
            )
    name_parts = [token for token in name_tokens if token.kind != "punct"]
    if keyword.is_word("ALTER") and len(name_parts) == 3:
        first = name_parts[0]
        if first.kind == "quoted":
            raise syntax_error(
                sql,
                first.position,
                "backquoted identifiers are not supported; use double quotes to quote identifiers",
            )
        raise syntax_error(
            sql,
            first.position,
            f"mismatched input '{first.text}'. ALTER TABLE is Hive DDL: name the table as db.table, "
            "without the catalog",
        )
