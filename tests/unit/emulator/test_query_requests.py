"""StartQueryExecution's request handling without a server: parameters and statement types."""

from __future__ import annotations

import pytest

from dbt_athena_lite.emulator.parameters import ParameterCountError, substitute_parameters
from dbt_athena_lite.emulator.query_service import guess_statement_type


@pytest.mark.parametrize(
    ("sql", "parameters", "expected"),
    [
        ("SELECT ? + ?", ["1", "2"], "SELECT 1 + 2"),
        ("SELECT * FROM t WHERE s = ? AND x = '?'", ["'a'"], "SELECT * FROM t WHERE s = 'a' AND x = '?'"),
        ('SELECT "col?" FROM t -- why?\nWHERE a = ?', ["3"], 'SELECT "col?" FROM t -- why?\nWHERE a = 3'),
        ("SELECT /* ? */ 'it''s ?', ?", ["DATE '2024-01-02'"], "SELECT /* ? */ 'it''s ?', DATE '2024-01-02'"),
    ],
)
def test_execution_parameters_fill_placeholders_outside_literals(
    sql: str, parameters: list[str], expected: str
) -> None:
    assert substitute_parameters(sql, parameters) == expected


def test_parameter_count_mismatch_is_reported() -> None:
    with pytest.raises(ParameterCountError, match="expected 2 but found 1"):
        substitute_parameters("SELECT ?, ?", ["1"])


@pytest.mark.parametrize(
    ("sql", "statement_type"),
    [
        ('/* {"app": "dbt", "node_id": "model.x"} */\ncreate table t as select 1', "DDL"),
        ("-- why\n  SHOW TABLES", "UTILITY"),
        ("DESCRIBE t", "UTILITY"),
        ("(SELECT 1) UNION ALL (SELECT 2)", "DML"),
        ("insert into t values (1)", "DML"),
        ("MSCK REPAIR TABLE t", "DDL"),
    ],
)
def test_statement_type_is_known_before_the_engine_runs(sql: str, statement_type: str) -> None:
    assert guess_statement_type(sql) == statement_type
