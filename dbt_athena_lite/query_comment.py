"""dbt query comments in a form Athena accepts on every statement it accepts comments on.

Athena's Hive DDL engine does not always accept a leading `/* ... */` block, so the comment becomes
one `-- /* ... */` line; ALTER, MSCK, VACUUM and OPTIMIZE reject comments entirely and get none.
"""

from __future__ import annotations

import re

from dbt.adapters.base.query_headers import MacroQueryStringSetter, _QueryComment
from dbt.adapters.contracts.connection import AdapterRequiredConfig

_NO_COMMENT_STATEMENTS = re.compile(r"^\s*(alter|msck|vacuum|optimize)\b", re.IGNORECASE)


def add_query_comment(sql: str, comment: str | None, *, append: bool) -> str:
    """`sql` with `comment` as a single `-- /* ... */` line, or unchanged where Athena rejects one."""
    if not comment or _NO_COMMENT_STATEMENTS.match(sql):
        return sql
    line = "-- /* " + " ".join(comment.split()) + " */"
    if append:
        body = sql.rstrip()
        # A trailing `--` comment must not swallow the statement's terminator.
        return f"{body[:-1]}\n{line}\n;" if body.endswith(";") else f"{body}\n{line}"
    return f"{line}\n{sql}"


class _AthenaQueryComment(_QueryComment):
    def add(self, sql: str) -> str:
        return add_query_comment(sql, self.query_comment, append=self.append)


class AthenaQueryStringSetter(MacroQueryStringSetter):
    def __init__(self, config: AdapterRequiredConfig, query_header_context: dict[str, object]) -> None:
        super().__init__(config, query_header_context)
        self.comment = _AthenaQueryComment(None)
        self.reset()  # type: ignore[no-untyped-call]
