"""`dbt docs generate` from Glue, and descriptions persisted to Glue: dbt's suites on the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dbt.tests.adapter.basic import expected_catalog
from dbt.tests.adapter.basic.test_docs_generate import BaseDocsGenerate, BaseDocsGenReferences
from dbt.tests.adapter.basic.test_get_catalog_for_single_relation import BaseGetCatalogForSingleRelation
from dbt.tests.adapter.persist_docs.test_persist_docs import (
    BasePersistDocs,
    BasePersistDocsAllColumnsMissing,
    BasePersistDocsColumnMissing,
    BasePersistDocsCommentOnQuotedColumn,
    BasePersistDocsQuotedColumnCaseSensitive,
    BasePersistDocsQuotedDescriptionNotAppliedOnMismatch,
)
from dbt.tests.util import run_dbt
from dbt_common.contracts.metadata import CatalogTable, ColumnMetadata, StatsItem, TableMetadata

# What Athena reports for dbt's fixtures: Glue has no owner for tables Athena creates, and the
# types are Athena's names (a seed's integers are bigint).
ATHENA_TYPES: dict[str, Any] = {
    "role": None,
    "id_type": "bigint",
    "text_type": "varchar",
    "time_type": "timestamp",
    "view_type": "view",
    "table_type": "table",
    "model_stats": expected_catalog.no_stats(),
}


class TestDocsGenerate(BaseDocsGenerate):
    @pytest.fixture(scope="class")
    def expected_catalog(self, project: Any) -> dict[str, Any]:
        return expected_catalog.base_expected_catalog(project, **ATHENA_TYPES)


class TestDocsGenReferences(BaseDocsGenReferences):
    @pytest.fixture(scope="class")
    def expected_catalog(self, project: Any) -> dict[str, Any]:
        return expected_catalog.expected_references_catalog(project, bigint_type="bigint", **ATHENA_TYPES)


class TestDocsGenerateSelection:
    """`dbt docs generate --select` reads only the selected relations from Glue (GetTable each)."""

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"picked.sql": "select 1 as id", "other.sql": "select 2 as id"}

    def test_only_the_selection_is_in_the_catalog(self, project: Any) -> None:
        run_dbt(["run"])
        catalog = run_dbt(["docs", "generate", "--select", "picked"])
        assert set(catalog.nodes) == {"model.test.picked"}
        assert catalog.nodes["model.test.picked"].columns["id"].type == "integer"


def _entry(project: Any, name: str, kind: str) -> CatalogTable:
    """dbt's seed (id, first_name, email, ip_address, updated_at) as Athena types it."""
    types = {"id": "bigint", "first_name": "varchar", "email": "varchar", "ip_address": "varchar"}
    types["updated_at"] = "timestamp"
    return CatalogTable(
        metadata=TableMetadata(type=kind, schema=project.test_schema, name=name, database=project.database),
        columns={
            column: ColumnMetadata(type=column_type, index=index, name=column)
            for index, (column, column_type) in enumerate(types.items(), start=1)
        },
        stats={"has_stats": StatsItem(**expected_catalog.no_stats()["has_stats"])},
    )


class TestGetCatalogForSingleRelation(BaseGetCatalogForSingleRelation):
    @pytest.fixture(scope="class")
    def expected_catalog_my_seed(self, project: Any) -> CatalogTable:
        return _entry(project, "my_seed", "table")

    @pytest.fixture(scope="class")
    def expected_catalog_my_view_model(self, project: Any) -> CatalogTable:
        return _entry(project, "my_view_model", "view")


class TestPersistDocs(BasePersistDocs):
    """dbt's checks, except where Glue's API differs from COMMENT ON: a column comment is one line of at
    most 255 bytes (line breaks become spaces, a longer text is cut with "..."). Relation comments
    are kept whole, line breaks included."""

    def test_has_comments_pglike(self, project: Any) -> None:
        run_dbt(["docs", "generate"])
        with open("target/catalog.json") as handle:
            nodes = json.load(handle)["nodes"]
        table, view = nodes["model.test.table_model"], nodes["model.test.view_model"]
        assert table["metadata"]["comment"].startswith("Table model description")
        assert view["metadata"]["comment"].startswith("View model description")
        self._assert_common_comments(table["metadata"]["comment"], view["metadata"]["comment"])
        for node in (table, view):
            id_comment = node["columns"]["id"]["comment"]
            assert id_comment.startswith("id Column description")
            assert "\n" not in id_comment
            for piece in (
                '"with double quotes"',
                "'''abc123'''",
                "$lbl$ labeled $lbl$",
                "/* comment */",
                "-- ",
            ):
                assert piece in id_comment
        name_comment = table["columns"]["name"]["comment"]
        assert name_comment.startswith("Some stuff here and then a call to")
        assert name_comment.endswith("...") and len(name_comment.encode()) <= 255
        no_docs = nodes["model.test.no_docs_model"]
        assert no_docs["metadata"]["comment"] is None
        assert no_docs["columns"]["id"]["comment"] is None


class TestPersistDocsColumnMissing(BasePersistDocsColumnMissing):
    pass


class TestPersistDocsAllColumnsMissing(BasePersistDocsAllColumnsMissing):
    pass


class TestPersistDocsQuotedColumnCaseSensitive(BasePersistDocsQuotedColumnCaseSensitive):
    pass


@pytest.mark.skip(
    reason='Athena stores every column name in lower case: the quoted "MyCol" is created as mycol, so the '
    "documented mycol exists and there is no case mismatch to warn about"
)
class TestPersistDocsQuotedDescriptionNotAppliedOnMismatch(
    BasePersistDocsQuotedDescriptionNotAppliedOnMismatch
):
    pass


class TestPersistDocsCommentOnQuotedColumn(BasePersistDocsCommentOnQuotedColumn):
    pass


class TestPersistDocsOnSeedsAndIdempotence:
    """Seeds get their descriptions too, and a rerun with the same docs writes no new Glue version."""

    @pytest.fixture(scope="class")
    def seeds(self) -> dict[str, str]:
        return {
            "people.csv": "id,name\n1,ann\n",
            "schema.yml": "version: 2\nseeds:\n  - name: people\n    description: The people\n"
            "    columns:\n      - name: id\n        description: The key\n",
        }

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {"seeds": {"+persist_docs": {"relation": True, "columns": True}}}

    def test_seed_docs_in_the_catalog(self, project: Any) -> None:
        run_dbt(["seed"])
        run_dbt(["docs", "generate"])
        with open("target/catalog.json") as handle:
            node = json.load(handle)["nodes"]["seed.test.people"]
        assert node["metadata"]["comment"] == "The people"
        assert node["columns"]["id"]["comment"] == "The key"
        assert node["columns"]["name"]["comment"] is None


class TestPersistDocsOnIceberg:
    """Docs on an Iceberg table's Glue entry leave the table readable (its metadata_location kept)."""

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {
            "ice.sql": "{{ config(materialized='table', table_type='iceberg') }} select 1 as id, 'a' as name",
            "schema.yml": "version: 2\nmodels:\n  - name: ice\n    description: Iceberg docs\n"
            "    columns:\n      - name: id\n        description: The key\n",
        }

    @pytest.fixture(scope="class")
    def project_config_update(self) -> dict[str, Any]:
        return {"models": {"+persist_docs": {"relation": True, "columns": True}}}

    def test_docs_and_data(self, project: Any) -> None:
        for _ in range(2):  # the rebuild swaps a new Iceberg table in; its docs are written again
            run_dbt(["run"])
            rows = project.run_sql(f"select id, name from {project.test_schema}.ice", fetch="all")
            assert [tuple(row) for row in rows] == [(1, "a")]
        catalog = run_dbt(["docs", "generate"])
        node = catalog.nodes["model.test.ice"]
        assert node.metadata.comment == "Iceberg docs"
        assert node.columns["id"].comment == "The key"
