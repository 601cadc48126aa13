"""A small tokenizer for Athena's Hive-style catalog statements (SHOW, DESCRIBE, ALTER TABLE, MSCK).

sqlglot parses Trino DML well but not this family of statements, so they are read here: identifiers
(bare, `backticked`, "double-quoted"), string literals ('it''s' and Hive's 'it\\'s'), numbers and
punctuation. Comments are skipped because dbt puts a `/* {...} */` query comment in front of every
statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dbt_athena_lite.emulator.engine.api import AthenaQueryError

TokenKind = Literal["word", "quoted", "string", "number", "punct"]

_PUNCTUATION = "(),.=;<>:*"
# Hive string literals accept backslash escapes; these are the ones that mean something in DDL.
_BACKSLASH_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0"}


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str  # identifiers/strings unquoted and unescaped; words as written
    position: int  # offset in the statement, for error messages

    def is_word(self, *words: str) -> bool:
        """True for a bare word equal (case-insensitively) to one of `words`."""
        return self.kind == "word" and self.text.upper() in words

    def is_punct(self, char: str) -> bool:
        return self.kind == "punct" and self.text == char


def syntax_error(sql: str, position: int, detail: str) -> AthenaQueryError:
    """Athena's syntax errors name the line and column (1-based) of the offending token."""
    line = sql.count("\n", 0, position) + 1
    column = position - (sql.rfind("\n", 0, position) + 1) + 1
    return AthenaQueryError("SYNTAX_ERROR", f"line {line}:{column}: {detail}")


def tokenize(sql: str) -> list[Token]:
    """Split `sql` into tokens, skipping whitespace and comments."""
    tokens: list[Token] = []
    index = 0
    length = len(sql)
    while index < length:
        char = sql[index]
        if char.isspace():
            index += 1
        elif sql.startswith("--", index):
            newline = sql.find("\n", index)
            index = length if newline < 0 else newline + 1
        elif sql.startswith("/*", index):
            end = sql.find("*/", index + 2)
            if end < 0:
                raise syntax_error(sql, index, "unterminated comment")
            index = end + 2
        elif char == "'":
            text, index_after = _read_string(sql, index)
            tokens.append(Token("string", text, index))
            index = index_after
        elif char in '`"':
            text, index_after = _read_quoted_identifier(sql, index)
            tokens.append(Token("quoted", text, index))
            index = index_after
        elif char.isdigit():
            end = index
            while end < length and (sql[end].isdigit() or sql[end] == "."):
                end += 1
            tokens.append(Token("number", sql[index:end], index))
            index = end
        elif char.isalpha() or char == "_":
            end = index
            while end < length and (sql[end].isalnum() or sql[end] in "_$"):
                end += 1
            tokens.append(Token("word", sql[index:end], index))
            index = end
        elif char in _PUNCTUATION:
            tokens.append(Token("punct", char, index))
            index += 1
        else:
            raise syntax_error(sql, index, f"unexpected character {char!r}")
    return tokens


def _read_string(sql: str, start: int) -> tuple[str, int]:
    """Read a single-quoted literal starting at `start`; return its value and the index after it."""
    chars: list[str] = []
    index = start + 1
    while index < len(sql):
        char = sql[index]
        if char == "\\" and index + 1 < len(sql):
            following = sql[index + 1]
            chars.append(_BACKSLASH_ESCAPES.get(following, following))
            index += 2
        elif char == "'":
            if sql.startswith("''", index):  # SQL-standard doubled quote
                chars.append("'")
                index += 2
            else:
                return "".join(chars), index + 1
        else:
            chars.append(char)
            index += 1
    raise syntax_error(sql, start, "unterminated string literal")


def _read_quoted_identifier(sql: str, start: int) -> tuple[str, int]:
    """Read a `backticked` or "double-quoted" identifier (a doubled quote char stands for itself)."""
    quote = sql[start]
    chars: list[str] = []
    index = start + 1
    while index < len(sql):
        if sql[index] == quote:
            if sql.startswith(quote * 2, index):
                chars.append(quote)
                index += 2
                continue
            return "".join(chars), index + 1
        chars.append(sql[index])
        index += 1
    raise syntax_error(sql, start, "unterminated quoted identifier")
