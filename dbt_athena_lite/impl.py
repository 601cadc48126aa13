"""The adapter facade dbt talks to: thin methods that delegate to the catalog and connection layers."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from dbt.adapters.base.column import Column as BaseColumn
from dbt.adapters.base.impl import ConstraintSupport
from dbt.adapters.base.meta import available
from dbt.adapters.base.relation import AdapterTrackingRelationInfo, BaseRelation
from dbt.adapters.sql.impl import SQLAdapter
from dbt_common.contracts.constraints import ConstraintType
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import workgroup_checks
from dbt_athena_lite.__version__ import version
from dbt_athena_lite.aws.glue import GlueCatalog, GlueTable
from dbt_athena_lite.connections import AthenaLiteConnectionManager, aws_clients
from dbt_athena_lite.credentials import AthenaLiteCredentials
from dbt_athena_lite.relation import AthenaLiteRelation

if TYPE_CHECKING:
    import agate
    from dbt.adapters.contracts.relation import RelationConfig

DEFAULT_CATALOG = "awsdatacatalog"


class AthenaLiteAdapter(SQLAdapter):
    ConnectionManager = AthenaLiteConnectionManager
    Relation = AthenaLiteRelation

    # Athena enforces no constraints; dbt reports them as not enforced instead of failing.
    CONSTRAINT_SUPPORT = {  # noqa: RUF012 (dbt declares it a plain class attribute)
        ConstraintType.check: ConstraintSupport.NOT_SUPPORTED,
        ConstraintType.not_null: ConstraintSupport.NOT_ENFORCED,
        ConstraintType.unique: ConstraintSupport.NOT_SUPPORTED,
        ConstraintType.primary_key: ConstraintSupport.NOT_SUPPORTED,
        ConstraintType.foreign_key: ConstraintSupport.NOT_SUPPORTED,
    }

    @classmethod
    def get_adapter_run_info(cls, config: RelationConfig) -> AdapterTrackingRelationInfo:
        # dbt derives the module name from the class name ("AthenaLite" -> "athenalite"); ours is the type.
        return AdapterTrackingRelationInfo(  # type: ignore[abstract]
            adapter_name=cls.type(),
            base_adapter_version=import_module("dbt.adapters.__about__").version,
            adapter_version=version,
            model_adapter_details=cls._get_adapter_specific_run_info(config),
        )

    @classmethod
    def date_function(cls) -> str:
        return "now()"

    @classmethod
    def is_cancelable(cls) -> bool:
        return True

    # --- seed column types (agate -> Athena) ---------------------------------------------------

    @classmethod
    def convert_text_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "varchar"

    @classmethod
    def convert_number_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        import agate

        decimals = agate_table.aggregate(agate.MaxPrecision(col_idx))
        return "double" if decimals else "bigint"

    @classmethod
    def convert_integer_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "bigint"

    @classmethod
    def convert_boolean_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "boolean"

    @classmethod
    def convert_datetime_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "timestamp"

    @classmethod
    def convert_date_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "date"

    @classmethod
    def convert_time_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "varchar"  # Athena tables have no TIME type

    # --- catalog, through Glue -----------------------------------------------------------------

    @property
    def _credentials(self) -> AthenaLiteCredentials:
        creds: AthenaLiteCredentials = self.config.credentials
        return creds

    def _catalog(self, database: str | None) -> GlueCatalog:
        """The Glue catalog behind an Athena catalog name (a registered cross-account Glue catalog too)."""
        clients = aws_clients(self._credentials)
        # dbt sometimes passes the catalog already quoted ('"awsdatacatalog"').
        name = (database or self._credentials.database).strip('"`').lower()
        if name == DEFAULT_CATALOG:
            return GlueCatalog(clients.client("glue"))
        catalog = clients.client("athena").get_data_catalog(Name=name)["DataCatalog"]
        if catalog.get("Type") != "GLUE":
            raise DbtRuntimeError(
                f"Athena catalog {name!r} is of type {catalog.get('Type')}; dbt-athena-lite builds models "
                "in Glue catalogs only. Set `database` to a Glue catalog (e.g. awsdatacatalog)."
            )
        return GlueCatalog(clients.client("glue"), catalog_id=catalog.get("Parameters", {}).get("catalog-id"))

    def list_schemas(self, database: str) -> list[str]:
        return self._catalog(database).list_databases()

    def check_schema_exists(self, database: str, schema: str) -> bool:
        return self._catalog(database).database_exists(schema)

    def create_schema(self, relation: BaseRelation) -> None:
        assert relation.schema is not None
        self._catalog(relation.database).create_database(relation.schema)

    def drop_schema(self, relation: BaseRelation) -> None:
        assert relation.schema is not None
        catalog = self._catalog(relation.database)
        for table in catalog.list_tables(relation.schema):
            self.drop_relation(self._relation_from(relation.database, table))
        catalog.delete_database(relation.schema)
        self.cache.drop_schema(relation.database, relation.schema)

    def list_relations_without_caching(self, schema_relation: BaseRelation) -> list[BaseRelation]:
        assert schema_relation.schema is not None
        tables = self._catalog(schema_relation.database).list_tables(schema_relation.schema)
        return [self._relation_from(schema_relation.database, table) for table in tables]

    def get_columns_in_relation(self, relation: BaseRelation) -> list[BaseColumn]:
        assert relation.schema is not None and relation.identifier is not None
        table = self._catalog(relation.database).get_table(relation.schema, relation.identifier)
        if table is None:
            return []
        return [self.Column(column.name, column.data_type) for column in table.columns]

    def drop_relation(self, relation: BaseRelation) -> None:
        assert relation.schema is not None and relation.identifier is not None
        self._catalog(relation.database).delete_table(relation.schema, relation.identifier)
        self.cache_dropped(relation)

    def rename_relation(self, from_relation: BaseRelation, to_relation: BaseRelation) -> None:
        assert from_relation.schema and from_relation.identifier
        assert to_relation.schema and to_relation.identifier
        self._catalog(from_relation.database).rename_table(
            from_relation.schema, from_relation.identifier, to_relation.schema, to_relation.identifier
        )
        self.cache_renamed(from_relation, to_relation)

    def _relation_from(self, database: str | None, table: GlueTable) -> BaseRelation:
        return self.Relation.create(
            database=database or self._credentials.database,
            schema=table.database,
            identifier=table.name,
            type=table.kind,  # type: ignore[arg-type]
        )

    # --- dbt debug -----------------------------------------------------------------------------

    def debug_query(self) -> None:
        """Check the workgroup and the staging location before the test query, naming what is missing."""
        clients = aws_clients(self._credentials)
        workgroup_checks.check_all(self._credentials, clients)
        self.execute("select 1 as id")

    @available.parse_none
    def glue_table_type(self, relation: BaseRelation) -> str | None:
        """'hive', 'iceberg', or None if the relation does not exist (for materializations)."""
        assert relation.schema is not None and relation.identifier is not None
        table = self._catalog(relation.database).get_table(relation.schema, relation.identifier)
        return None if table is None else table.table_type

    def valid_incremental_strategies(self) -> list[str]:
        return ["append"]

    @classmethod
    def quote(cls, identifier: str) -> str:
        return f'"{identifier}"'

    def timestamp_add_sql(self, add_to: str, number: int = 1, interval: str = "hour") -> str:
        return f"date_add('{interval}', {number}, {add_to})"

    def string_add_sql(self, add_to: str, value: str, location: str = "append") -> str:
        if location == "append":
            return f"{add_to} || '{value}'"
        if location == "prepend":
            return f"'{value}' || {add_to}"
        raise DbtRuntimeError(f'Got an unexpected location value of "{location}"')
