"""The adapter facade dbt talks to: thin methods that delegate to the catalog and connection layers."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, Any

from dbt.adapters.base.column import Column as BaseColumn
from dbt.adapters.base.impl import ConstraintSupport
from dbt.adapters.base.meta import available
from dbt.adapters.base.relation import AdapterTrackingRelationInfo, BaseRelation, InformationSchema
from dbt.adapters.capability import Capability, CapabilityDict, CapabilitySupport, Support
from dbt.adapters.sql.impl import SQLAdapter
from dbt_common.contracts.constraints import ConstraintType
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import (
    debug_checks,
    docs_catalog,
    incremental,
    local_mode,
    partitions,
    persist_docs,
    seeds,
)
from dbt_athena_lite.__version__ import version
from dbt_athena_lite.aws.glue import GlueCatalog, GlueTable
from dbt_athena_lite.aws.glue_tables import GlueTableStore
from dbt_athena_lite.aws.s3 import S3Objects
from dbt_athena_lite.config_checks import TableConfig, config_mapping
from dbt_athena_lite.connections import AthenaLiteConnectionManager, aws_clients, logger
from dbt_athena_lite.credentials import AthenaLiteCredentials
from dbt_athena_lite.incremental import IncrementalConfig, IncrementalPlan
from dbt_athena_lite.incremental_runs import IncrementalRuns
from dbt_athena_lite.relation import AthenaLiteRelation
from dbt_athena_lite.table_builds import (
    Profile,
    TableBuilds,
    TablePlan,
    check_config,
    new_table_location,
    scope_for,
)

if TYPE_CHECKING:
    import agate
    from dbt.adapters.contracts.relation import RelationConfig
    from dbt_common.contracts.metadata import CatalogTable

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

    def __init__(self, config: Any, mp_context: Any) -> None:
        super().__init__(config, mp_context)
        self._glue_catalog_ids: dict[str, str | None] = {}
        creds: AthenaLiteCredentials = config.credentials
        if creds.emulator:
            # Fix the state folder to the project now: later code only sees the credentials.
            project_root = getattr(config, "project_root", None)
            creds.emulator_dir = str(local_mode.state_dir(creds, project_root))
        self._staging_tables = threading.local()  # incremental staging tables of this thread's model

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
        # Every catalog call comes through here: look a registered catalog up once per run, not per call.
        if name not in self._glue_catalog_ids:
            catalog = clients.client("athena").get_data_catalog(Name=name)["DataCatalog"]
            if catalog.get("Type") != "GLUE":
                raise DbtRuntimeError(
                    f"Athena catalog {name!r} is of type {catalog.get('Type')}; dbt-athena-lite builds models "
                    "in Glue catalogs only. Set `database` to a Glue catalog (e.g. awsdatacatalog)."
                )
            self._glue_catalog_ids[name] = catalog.get("Parameters", {}).get("catalog-id")
        return GlueCatalog(clients.client("glue"), catalog_id=self._glue_catalog_ids[name])

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
        """The Glue entry, and for tables their data through the S3 guard (as Athena's DROP of Iceberg)."""
        assert relation.schema is not None and relation.identifier is not None
        self._table_builds(relation.database).drop(relation.schema, relation.identifier)
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

    # --- tables: locations, S3 guard, swaps ---------------------------------------------------
    # Methods that touch Glue, S3 or Athena are parse_none: dbt renders models while parsing, and a
    # model that calls e.g. truncate_relation must not truncate anything then.

    def _table_profile(self) -> Profile:
        creds = self._credentials
        return Profile(creds.s3_staging_dir, creds.s3_data_dir, creds.s3_tmp_table_dir, creds.s3_data_naming)

    def _table_builds(self, database: str | None) -> TableBuilds:
        s3 = S3Objects(aws_clients(self._credentials).client("s3"))
        return TableBuilds(GlueTableStore.of(self._catalog(database)), s3, self._table_profile())

    @available.parse_none
    def plan_table_build(
        self, relation: BaseRelation, model_config: Any, other_locations: dict[str, str]
    ) -> TablePlan:
        """Validate the model's config, decide where the build goes, and check its deletes up front."""
        assert relation.schema is not None and relation.identifier is not None
        builds = self._table_builds(relation.database)
        return builds.plan(
            relation.database,
            relation.schema,
            relation.identifier,
            config_mapping(model_config),
            other_locations,
            known_names=self._cached_names(relation.database, relation.schema),
        )

    def _cached_names(self, database: str | None, schema: str) -> set[str] | None:
        """The relation names dbt's cache holds for a schema it listed this run, else None (then
        only Glue can say whether a name exists)."""
        if (database, schema) not in self.cache:
            return None
        return {r.identifier.lower() for r in self.cache.get_relations(database, schema) if r.identifier}

    @available
    def check_table_config(self, model_config: Any) -> TableConfig:
        return check_config(self._table_profile(), config_mapping(model_config))

    @available
    def new_table_location(self, relation: BaseRelation, model_config: Any, temporary: bool = False) -> str:
        """Where a table created by CTAS outside the table materialization (e.g. a temporary one) goes."""
        assert relation.schema is not None and relation.identifier is not None
        profile = self._table_profile()
        config = check_config(profile, config_mapping(model_config))
        return new_table_location(profile, config, relation.schema, relation.identifier, temporary=temporary)

    @available.parse_none
    def run_table_build(self, plan: TablePlan, statements: list[str], allow_batching: bool = True) -> Any:
        """Run a build's statements. On failure the build is discarded and the error raised, except
        HIVE_TOO_MANY_OPEN_PARTITIONS with `allow_batching`: then None, to rebuild in batches."""
        response = None
        try:
            for sql in statements:
                response, _ = self.execute(sql)
        except BaseException as error:
            self._table_builds(plan.database).discard(plan)
            if allow_batching and partitions.TOO_MANY_PARTITIONS in str(error):
                logger.info(f"{plan.table} writes too many partitions for one query: building it in batches")
                return None
            raise
        return response

    @available.parse_none
    def fetch_partition_values(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query as Athena returns them (no type inference: filters must match them exactly)."""
        _, cursor = self.connections.add_query(sql)
        return [tuple(row) for row in cursor.fetchall()]

    @available
    def partition_batch_filters(
        self, plan: TablePlan, rows: list[tuple[Any, ...]], column_types: dict[str, str]
    ) -> list[str]:
        keys = partitions.batch_keys(plan.config, column_types)
        return partitions.batch_filters(keys, rows, partitions.batch_size(plan.config))

    @available
    def partition_batch_expressions(self, plan: TablePlan) -> list[str]:
        return [key.as_text for key in partitions.batch_keys(plan.config)]

    @available
    def columns_partitions_last(self, columns: list[str], partitioned_by: list[str]) -> list[str] | None:
        return partitions.columns_partitions_last(columns, partitioned_by)

    @available.parse_none
    def finish_table_build(self, plan: TablePlan) -> None:
        self._table_builds(plan.database).finish(plan)

    @available.parse_none
    def empty_hive_table(self, relation: BaseRelation) -> None:
        assert relation.schema is not None and relation.identifier is not None
        self._table_builds(relation.database).empty(relation.schema, relation.identifier)

    # --- incremental ---------------------------------------------------------------------------
    # The staging table of an incremental run is registered per thread and dropped by
    # post_model_hook, which dbt runs after every model (and batch) also when it fails.

    def valid_incremental_strategies(self) -> list[str]:
        return ["append", "insert_overwrite", "merge", "microbatch"]

    def pre_model_hook(self, config: Mapping[str, Any]) -> Any:
        staged: list[TablePlan] = []
        self._staging_tables.plans = staged
        return staged

    def post_model_hook(self, config: Mapping[str, Any], context: Any) -> None:
        for plan in context or []:
            try:
                self._incremental_runs(plan.database).drop_staging(plan)
            except Exception as error:  # never hide the model's own error behind a cleanup's
                logger.warning(f"Could not drop staging table {plan.table}: {error}")
        self._staging_tables.plans = []

    def _incremental_runs(self, database: str | None) -> IncrementalRuns:
        s3 = S3Objects(aws_clients(self._credentials).client("s3"))
        return IncrementalRuns(GlueTableStore.of(self._catalog(database)), s3)

    @available.parse_none
    def plan_incremental(self, relation: BaseRelation, model_config: Any) -> IncrementalPlan:
        """Validate the model's table and incremental configs; plan (and register) its staging table."""
        assert relation.schema is not None and relation.identifier is not None
        raw = config_mapping(model_config)
        profile = self._table_profile()
        target = check_config(profile, raw)
        config = incremental.incremental_config(raw, target)
        runs = self._incremental_runs(relation.database)
        adopt_into = (
            runs.adoption_location(relation.schema, relation.identifier)
            if config.replaces_partitions
            else None
        )
        plan = IncrementalPlan(
            config=config,
            target=target,
            staging=incremental.staging_plan(
                profile,
                relation.database,
                relation.schema,
                relation.identifier,
                target,
                adopt_into=adopt_into,
            ),
        )
        known = self._cached_names(relation.database, relation.schema)
        if known is None or plan.staging.identifier.lower() in known:
            runs.drop_staging(plan.staging)  # an interrupted run's
        getattr(self._staging_tables, "plans", []).append(plan.staging)
        return plan

    @available
    def check_incremental_config(self, model_config: Any) -> IncrementalConfig:
        raw = config_mapping(model_config)
        return incremental.incremental_config(raw, check_config(self._table_profile(), raw))

    @available.parse_none
    def staging_partition_count(self, plan: IncrementalPlan) -> int:
        return self._incremental_runs(plan.staging.database).partition_count(plan.staging)

    @available.parse_none
    def needs_partition_batches(self, plan: IncrementalPlan) -> bool:
        """Whether the Hive staging rows go into the target in batches (decided before the first
        INSERT: a failed Hive INSERT may leave files behind, so it is never retried in batches)."""
        if plan.target.force_batch:
            return True
        if plan.target.is_iceberg or not plan.target.partitioned_by:
            return False
        count = self._incremental_runs(plan.staging.database).partition_count(plan.staging)
        return count > partitions.batch_size(plan.target)

    @available
    def merge_update_columns(self, config: IncrementalConfig, columns: list[str]) -> list[str]:
        return incremental.merge_update_columns(config, columns)

    @available.parse_none
    def data_columns(self, relation: BaseRelation) -> list[BaseColumn]:
        """The relation's columns without its partition keys (what Hive's REPLACE COLUMNS lists)."""
        assert relation.schema is not None and relation.identifier is not None
        table = self._catalog(relation.database).get_table(relation.schema, relation.identifier)
        columns = table.columns if table else ()
        return [self.Column(c.name, c.data_type) for c in columns if not c.is_partition_key]

    @available.parse_none
    def adopt_partitions(self, plan: IncrementalPlan, relation: BaseRelation) -> int:
        """insert_overwrite: point the target's partitions at the staging table's data."""
        assert relation.schema is not None and relation.identifier is not None
        scope = scope_for(self._table_profile(), plan.target)
        runs = self._incremental_runs(relation.database)
        return runs.adopt_partitions(plan.staging, relation.schema, relation.identifier, scope)

    @available.parse_none
    def run_incremental_statements(self, statements: list[str], allow_batching: bool = False) -> Any:
        """Run the statements that write into the target. With `allow_batching` (Iceberg, where a
        failed statement commits nothing), HIVE/ICEBERG_TOO_MANY_OPEN_PARTITIONS returns None, to
        run them again in partition batches."""
        response = None
        try:
            for sql in statements:
                response, _ = self.execute(sql)
        except DbtRuntimeError as error:
            if allow_batching and partitions.TOO_MANY_PARTITIONS in str(error):
                logger.info(
                    "The incremental statements write too many partitions at once: running in batches"
                )
                return None
            raise
        return response

    @available
    def timestamp_literal(self, value: datetime | str) -> str:
        """An Athena timestamp literal for a microbatch boundary (a datetime, or its ISO text)."""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return incremental.timestamp_literal(value)

    @available
    def ddl_type(self, data_type: str) -> str:
        return incremental.ddl_type(data_type)

    # --- dbt debug -----------------------------------------------------------------------------

    def debug_query(self) -> None:
        """Check each permission group (workgroup, output location, Glue database, data location), then
        run a test query, naming the group that is missing."""
        creds = self._credentials
        debug_checks.check_all(
            creds, aws_clients(creds), self._catalog(creds.database), lambda: self.execute("select 1 as id")
        )

    @available.parse_none
    def glue_table_type(self, relation: BaseRelation) -> str | None:
        """'hive', 'iceberg', or None if the relation does not exist (for materializations)."""
        assert relation.schema is not None and relation.identifier is not None
        table = self._catalog(relation.database).get_table(relation.schema, relation.identifier)
        return None if table is None else table.table_type

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

    # --- seeds, docs and catalog ---------------------------------------------------------------

    # Selected relations are looked up one by one in Glue instead of listing whole schemas.
    _capabilities = CapabilityDict(
        {Capability.SchemaMetadataByRelations: CapabilitySupport(support=Support.Full)}
    )

    def _get_one_catalog(
        self,
        information_schema: InformationSchema,
        schemas: set[str],
        used_schemas: frozenset[tuple[str, str]],
    ) -> agate.Table:
        glue = self._catalog(information_schema.database)
        table = docs_catalog.schemas_catalog(glue, str(information_schema.database), schemas)
        return self._catalog_filter_table(table, used_schemas)

    def _get_one_catalog_by_relations(
        self,
        information_schema: InformationSchema,
        relations: list[BaseRelation],
        used_schemas: frozenset[tuple[str, str]],
    ) -> agate.Table:
        glue = self._catalog(information_schema.database)
        names = [(r.schema, r.identifier) for r in relations if r.schema and r.identifier]
        table = docs_catalog.relations_catalog(glue, str(information_schema.database), names)
        return self._catalog_filter_table(table, used_schemas)

    def get_catalog_for_single_relation(self, relation: BaseRelation) -> CatalogTable | None:
        assert relation.schema is not None and relation.identifier is not None
        raw = self._catalog(relation.database).get_raw_table(relation.schema, relation.identifier)
        return None if raw is None else docs_catalog.catalog_entry(str(relation.database), raw)

    # parse_none: dbt renders macros while parsing too, and these write to AWS.
    @available.parse_none
    def persist_docs_to_glue(
        self, relation: BaseRelation, description: str | None, columns: dict[str, dict[str, Any]]
    ) -> list[str]:
        """Write the relation's and columns' descriptions to Glue; returns documented columns it lacks."""
        assert relation.schema is not None and relation.identifier is not None
        glue = self._catalog(relation.database)
        update = persist_docs.write(glue, relation.schema, relation.identifier, description, columns)
        for name in update.truncated:
            logger.warning(f"{relation}: the description of {name} was cut to what Glue accepts")
        return update.missing_columns

    @available.parse_none
    def upload_seed_csv(
        self, location: str, agate_table: agate.Table, seed: str, upload_args: dict[str, Any] | None = None
    ) -> None:
        """Upload seed `seed` as CSV below `location`; `upload_args` (the seed's `seed_s3_upload_args`
        config) go to PutObject, else the profile's."""
        creds = self._credentials
        body = seeds.agate_csv_bytes(seed, agate_table)
        args = upload_args if upload_args is not None else creds.seed_s3_upload_args
        seeds.upload(aws_clients(creds).client("s3"), location, body, args, seed=seed)
