"""Model contracts on Athena: column names and types enforced for tables and views, constraints reported
as not enforced (Athena enforces none). dbt's suites on the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.adapter.constraints import fixtures
from dbt.tests.adapter.constraints.test_constraints import (
    BaseConstraintQuotedColumn,
    BaseConstraintsRollback,
    BaseConstraintsRuntimeDdlEnforcement,
    BaseIncrementalConstraintsColumnsEqual,
    BaseIncrementalConstraintsRollback,
    BaseIncrementalConstraintsRuntimeDdlEnforcement,
    BaseIncrementalContractSqlHeader,
    BaseModelConstraintsRuntimeEnforcement,
    BaseTableConstraintsColumnsEqual,
    BaseTableContractSqlHeader,
    BaseViewConstraintsColumnsEqual,
)
from dbt.tests.util import get_connection, read_file, relation_from_name, run_dbt_and_capture, write_file


def athena_yml(yml: str) -> str:
    """dbt's schema fixtures declare Postgres' `text`, which Athena does not have."""
    return yml.replace("data_type: text", "data_type: varchar")


class AthenaColumnTypes:
    """dbt's type checks with Athena's types (sql value, contract data_type, name in the error)."""

    @pytest.fixture
    def string_type(self) -> str:
        return "varchar"

    @pytest.fixture
    def int_type(self) -> str:
        return "integer"

    @pytest.fixture
    def data_types(self) -> list[list[str]]:
        return [
            ["1", "integer", "INTEGER"],
            ["cast(1 as bigint)", "bigint", "BIGINT"],
            ["'1'", "varchar", "VARCHAR"],
            ["true", "boolean", "BOOLEAN"],
            ["cast(1.5 as double)", "double", "DOUBLE"],
            ["cast('1.25' as decimal(10,2))", "decimal(10,2)", "DECIMAL"],
            ["date '2013-11-03'", "date", "DATE"],
            ["timestamp '2013-11-03 00:00:00'", "timestamp", "TIMESTAMP"],
            ["array['a','b','c']", "array(varchar)", "ARRAY"],
            ["array[1,2,3]", "array(integer)", "ARRAY"],
            ["map(array['k'], array[1])", "map(varchar, integer)", "MAP"],
        ]


class TestTableConstraintsColumnsEqual(AthenaColumnTypes, BaseTableConstraintsColumnsEqual):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model_wrong_order.sql": fixtures.my_model_wrong_order_sql,
            "my_model_wrong_name.sql": fixtures.my_model_wrong_name_sql,
            "constraints_schema.yml": athena_yml(fixtures.model_schema_yml),
        }


class TestViewConstraintsColumnsEqual(AthenaColumnTypes, BaseViewConstraintsColumnsEqual):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model_wrong_order.sql": fixtures.my_model_view_wrong_order_sql,
            "my_model_wrong_name.sql": fixtures.my_model_view_wrong_name_sql,
            "constraints_schema.yml": athena_yml(fixtures.model_schema_yml),
        }


class TestIncrementalConstraintsColumnsEqual(AthenaColumnTypes, BaseIncrementalConstraintsColumnsEqual):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model_wrong_order.sql": fixtures.my_model_incremental_wrong_order_sql,
            "my_model_wrong_name.sql": fixtures.my_model_incremental_wrong_name_sql,
            "constraints_schema.yml": athena_yml(fixtures.model_schema_yml),
        }


_NOT_ENFORCED = "Athena enforces no constraints (not_null is reported as not enforced): a null row builds"


@pytest.mark.skip(reason=_NOT_ENFORCED)
class TestTableConstraintsRollback(BaseConstraintsRollback):
    pass


@pytest.mark.skip(reason=_NOT_ENFORCED)
class TestIncrementalConstraintsRollback(BaseIncrementalConstraintsRollback):
    pass


# dbt's header sets the session time zone; Athena runs one statement per query and has no session
# settings, so a header can only be a comment there.
_CONTRACT_HEADER_MODEL = """
{{{{ config({config}) }}}}
{{% call set_sql_header(config) %}}
/* a header */
{{%- endcall %}}
select current_timezone() as column_name
"""
_CONTRACT_HEADER_YML = (
    "version: 2\nmodels:\n  - name: my_model_contract_sql_header\n"
    "    config: {contract: {enforced: true}}\n    columns: [{name: column_name, data_type: varchar}]\n"
)


class TestTableContractSqlHeader(BaseTableContractSqlHeader):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model_contract_sql_header.sql": _CONTRACT_HEADER_MODEL.format(config="materialized='table'"),
            "constraints_schema.yml": _CONTRACT_HEADER_YML,
        }


class TestIncrementalContractSqlHeader(BaseIncrementalContractSqlHeader):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model_contract_sql_header.sql": _CONTRACT_HEADER_MODEL.format(
                config="materialized='incremental', on_schema_change='append_new_columns'"
            ),
            "constraints_schema.yml": _CONTRACT_HEADER_YML,
        }


class ConstraintsReported:
    """Athena's CTAS and views carry no constraints, so there is no DDL to compare with dbt's: the model
    builds in the contract's column order, and every declared constraint is reported, by type, as not
    enforced (not_null) or not supported (the others)."""

    columns: tuple[str, ...] = ("id", "color", "date_day")
    not_enforced: tuple[str, ...] = ("not_null",)
    not_supported: tuple[str, ...] = ("primary_key", "check", "foreign_key", "unique")

    def check_constraints_reported(self, project: Any) -> None:
        schema_yml = read_file("models", "constraints_schema.yml")
        write_file(schema_yml.format(schema=project.test_schema), "models", "constraints_schema.yml")
        _, log = run_dbt_and_capture(["run", "-s", "+my_model"])
        log = " ".join(log.split())
        for kind in self.not_enforced:
            assert f"The constraint type {kind} is not enforced by athena_lite" in log
        for kind in self.not_supported:
            assert f"The constraint type {kind} is not supported by athena_lite" in log
        relation = relation_from_name(project.adapter, "my_model")
        with get_connection(project.adapter):
            columns = [column.name for column in project.adapter.get_columns_in_relation(relation)]
        assert tuple(columns) == self.columns


class TestTableConstraintsRuntimeDdlEnforcement(ConstraintsReported, BaseConstraintsRuntimeDdlEnforcement):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_model_wrong_order_depends_on_fk_sql,
            "foreign_key_model.sql": fixtures.foreign_key_model_sql,
            "constraints_schema.yml": athena_yml(fixtures.model_fk_constraint_schema_yml),
        }

    def test__constraints_ddl(self, project: Any) -> None:
        self.check_constraints_reported(project)


class TestIncrementalConstraintsRuntimeDdlEnforcement(
    ConstraintsReported, BaseIncrementalConstraintsRuntimeDdlEnforcement
):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_model_incremental_wrong_order_depends_on_fk_sql,
            "foreign_key_model.sql": fixtures.foreign_key_model_sql,
            "constraints_schema.yml": athena_yml(fixtures.model_fk_constraint_schema_yml),
        }

    def test__constraints_ddl(self, project: Any) -> None:
        self.check_constraints_reported(project)


class TestModelConstraintsRuntimeEnforcement(ConstraintsReported, BaseModelConstraintsRuntimeEnforcement):
    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_model_wrong_order_depends_on_fk_sql,
            "foreign_key_model.sql": fixtures.foreign_key_model_sql,
            "constraints_schema.yml": athena_yml(fixtures.constrained_model_schema_yml),
        }

    def test__model_constraints_ddl(self, project: Any) -> None:
        self.check_constraints_reported(project)


class TestConstraintQuotedColumn(ConstraintsReported, BaseConstraintQuotedColumn):
    columns = ("id", "from", "date_day")
    not_supported = ("check",)

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "my_model.sql": fixtures.my_model_with_quoted_column_name_sql,
            "constraints_schema.yml": athena_yml(fixtures.model_quoted_column_schema_yml),
        }

    def test__constraints_ddl(self, project: Any) -> None:
        self.check_constraints_reported(project)
