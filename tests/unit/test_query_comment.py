"""Query comments become one `-- /* */` line, and are left off the statements Athena rejects them on."""

from __future__ import annotations

import pytest

from dbt_athena_lite.query_comment import add_query_comment

COMMENT = '{"app": "dbt",\n "node_id": "model.p.m"}'


@pytest.mark.parametrize(
    "sql",
    ["select 1", "create table t as select 1", "create external table t (a int) location 's3://b/t/'"],
)
def test_comment_is_one_leading_line(sql: str) -> None:
    commented = add_query_comment(sql, COMMENT, append=False)
    assert commented == '-- /* {"app": "dbt", "node_id": "model.p.m"} */\n' + sql


@pytest.mark.parametrize(
    "sql",
    [
        "alter table t add partition (p='1')",
        "  ALTER TABLE t SET TBLPROPERTIES ('k'='v')",
        "msck repair table t",
        "vacuum t",
        "optimize t rewrite data using bin_pack",
    ],
)
def test_statements_athena_rejects_comments_on_get_none(sql: str) -> None:
    assert add_query_comment(sql, COMMENT, append=False) == sql


def test_appended_comment_keeps_the_terminator_outside_the_line_comment() -> None:
    commented = add_query_comment("select 1;", "c", append=True)
    assert commented == "select 1\n-- /* c */\n;"
    assert add_query_comment("select 1", "c", append=True) == "select 1\n-- /* c */"


@pytest.mark.parametrize("comment", [None, ""])
def test_no_comment_leaves_sql_unchanged(comment: str | None) -> None:
    assert add_query_comment("select 1", comment, append=False) == "select 1"
