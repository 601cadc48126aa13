"""dbt's basic conformance suites on the emulator."""

from __future__ import annotations

import pytest
from dbt.tests.adapter.basic.test_adapter_methods import BaseAdapterMethod
from dbt.tests.adapter.basic.test_base import BaseSimpleMaterializations
from dbt.tests.adapter.basic.test_empty import BaseEmpty
from dbt.tests.adapter.basic.test_ephemeral import BaseEphemeral
from dbt.tests.adapter.basic.test_generic_tests import BaseGenericTests
from dbt.tests.adapter.basic.test_singular_tests import BaseSingularTests
from dbt.tests.adapter.basic.test_singular_tests_ephemeral import BaseSingularTestsEphemeral
from dbt.tests.adapter.basic.test_validate_connection import BaseValidateConnection
from dbt.tests.adapter.dbt_debug.test_dbt_debug import BaseDebug
from dbt.tests.util import run_dbt


class TestDebug(BaseDebug):
    def test_ok(self, project) -> None:  # type: ignore[no-untyped-def]
        run_dbt(["debug"])
        assert "ERROR" not in self.capsys.readouterr().out


class TestPlainModels:
    """The adapter core's promise: `dbt run` of plain SQL models, refs included, through Athena's API."""

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "first.sql": "select 1 as id, 'a' as name union all select 2, 'b'",
            "second.sql": "select id * 10 as id10, name from {{ ref('first') }}",
        }

    def test_run_twice_and_query(self, project) -> None:  # type: ignore[no-untyped-def]
        for _ in range(2):  # the second run replaces the views in place
            results = run_dbt(["run"])
            assert [r.status for r in results] == ["success", "success"]
        rows = project.run_sql(
            f"select id10, name from {project.test_schema}.second order by id10", fetch="all"
        )
        assert [tuple(row) for row in rows] == [(10, "a"), (20, "b")]
        response = results[0].adapter_response
        assert response["query_id"]
        assert response["code"] == "SUCCEEDED"


class TestSimpleMaterializations(BaseSimpleMaterializations):
    pass


class TestSingularTests(BaseSingularTests):
    pass


class TestSingularTestsEphemeral(BaseSingularTestsEphemeral):
    pass


class TestEmpty(BaseEmpty):
    pass


class TestEphemeral(BaseEphemeral):
    pass


class TestGenericTests(BaseGenericTests):
    pass


class TestAdapterMethods(BaseAdapterMethod):
    pass


class TestValidateConnection(BaseValidateConnection):
    pass
