"""`--empty`, `dbt show` and ephemeral models: dbt's suites on the emulator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from dbt.tests.adapter.dbt_show.test_dbt_show import (
    BaseShowDoesNotHandleDoubleLimit,
    BaseShowLimit,
    BaseShowSqlHeader,
)
from dbt.tests.adapter.empty import _models
from dbt.tests.adapter.empty.test_empty import (
    BaseTestEmpty,
    BaseTestEmptyInlineSourceRef,
    BaseTestEmptySeedFlag,
    MetadataWithEmptyFlag,
)
from dbt.tests.adapter.ephemeral.test_ephemeral import (
    BaseEphemeralErrorHandling,
    BaseEphemeralMulti,
    BaseEphemeralNested,
)
from dbt.tests.util import check_relations_equal, run_dbt


class TestEmpty(BaseTestEmpty):
    pass


class TestEmptyInlineSourceRef(BaseTestEmptyInlineSourceRef):
    pass


@pytest.mark.skip(reason="`dbt seed --empty` arrives after dbt-core 1.11, which these tests run on")
class TestEmptySeedFlag(BaseTestEmptySeedFlag):
    pass


class TestMetadataWithEmptyFlag(MetadataWithEmptyFlag):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "schema.yml": _models.SCHEMA,
            "control.sql": _models.CONTROL,
            "get_columns_in_relation.sql": _models.GET_COLUMNS_IN_RELATION,
            "alter_relation_comment.sql": _models.ALTER_RELATION_COMMENT,
            "alter_column_comment.sql": _models.ALTER_COLUMN_COMMENT,
            "truncate_relation.sql": _models.TRUNCATE_RELATION,
            "alter_column_type.sql": _models.ALTER_COLUMN_TYPE,
        }

    @pytest.mark.parametrize(
        "model",
        [
            "control",
            "get_columns_in_relation",
            "alter_relation_comment",
            "alter_column_comment",
            "truncate_relation",
            "alter_column_type",
            "alter_relation_add_remove_columns",
        ],
    )
    def test_run(self, project: Any, model: str) -> None:
        run_dbt(["run", "--empty", "--select", model])


class TestShowLimit(BaseShowLimit):
    pass


class TestShowSqlHeader(BaseShowSqlHeader):
    pass


class TestShowDoesNotHandleDoubleLimit(BaseShowDoesNotHandleDoubleLimit):
    # Athena (Trino) words the parse error its own way: "mismatched input 'limit'".
    DATABASE_ERROR_MESSAGE = "mismatched input 'limit'"


def _run_sql(model: str) -> str:
    """The SQL dbt ran for `model`, digits (the unique schema's) and whitespace removed."""
    text = Path("target/run/test/models", f"{model}.sql").read_text()
    return "".join(re.sub(r"\d+", "", text).split())


def _shape(sql: str) -> str:
    return "".join(sql.split())


class TestEphemeralMulti(BaseEphemeralMulti):
    """dbt's check of the CTEs an ephemeral graph compiles to, in Athena's view DDL."""

    def test_ephemeral_multi(self, project: Any) -> None:
        run_dbt(["seed"])
        assert len(run_dbt(["run"])) == 3
        for model in ("dependent", "double_dependent", "super_dependent"):
            check_relations_equal(project.adapter, ["seed", model])
        schema = "test_test_empty_show_ephemeral"
        assert _run_sql("double_dependent") == _shape(
            f'create or replace view "awsdatacatalog"."{schema}"."double_dependent" as '
            f"with __dbt__cte__base as (select * from {schema}.seed"
            "),  __dbt__cte__base_copy as (select * from __dbt__cte__base"
            ")-- base_copy just pulls from base. Make sure the listed"
            "-- graph of CTEs all share the same dbt_cte__base cte"
            "select * from __dbt__cte__base where gender = 'Male'"
            "union all"
            "select * from __dbt__cte__base_copy where gender = 'Female'"
        )


class TestEphemeralNested(BaseEphemeralNested):
    def test_ephemeral_nested(self, project: Any) -> None:
        assert len(run_dbt(["run"])) == 2
        schema = "test_test_empty_show_ephemeral"
        assert _run_sql("root_view") == _shape(
            f'create or replace view "awsdatacatalog"."{schema}"."root_view" as '
            "with __dbt__cte__ephemeral_level_two as ("
            f'select * from "awsdatacatalog"."{schema}"."source_table"'
            "),  __dbt__cte__ephemeral as (select * from __dbt__cte__ephemeral_level_two"
            ")select * from __dbt__cte__ephemeral"
        )


class TestEphemeralErrorHandling(BaseEphemeralErrorHandling):
    pass
