"""The table materialization's steps that touch Glue and S3: plan, discard a failed build, finish
(swap), drop and empty tables. SQL runs in the macros; every S3 delete goes through `s3_guard`.

A build never writes where the current table reads:
- first build (no table yet): CTAS straight to the target (under the temporary name if a view has
  the name, which then gives way to the table in two Glue calls). A fixed location that already holds
  objects is refused rather than emptied: they belong to no table dbt knows, so only the user can
  say they are disposable (Athena itself refuses with HIVE_PATH_ALREADY_EXISTS).
- rebuild: CTAS to `<name>__dbt_tmp` at a new location, then `finish` swaps it in (see table_swap).
Every delete a rebuild will need is checked by the guard in `plan`, before any query runs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import locations, pending_deletes, s3_paths, table_swap
from dbt_athena_lite.aws.glue import table_input_from
from dbt_athena_lite.aws.glue_tables import GlueTableStore
from dbt_athena_lite.aws.s3 import S3Objects
from dbt_athena_lite.config_checks import ModelConfigError, TableConfig, table_config
from dbt_athena_lite.s3_guard import DeleteRequest, S3DeleteRefused, check_delete, guarded_delete
from dbt_athena_lite.table_swap import StoredTable, read_stored

logger = AdapterLogger("AthenaLite")

TMP_SUFFIX = "__dbt_tmp"
# Set on tables dbt built at a model's external_location: a later drop (which has no model config)
# may then delete that data too. Its value must equal the table's location to count.
BUILT_AT_PARAMETER = "dbt_athena_lite.external_location"
_BUILD_NAMING = "schema_table_unique"  # where a fixed-location table is built before it moves


@dataclass(frozen=True)
class Profile:
    """The profile values table builds depend on."""

    s3_staging_dir: str
    s3_data_dir: str | None = None
    s3_tmp_table_dir: str | None = None
    s3_data_naming: str = locations.DEFAULT_NAMING


@dataclass(frozen=True)
class GuardScope:
    """What a table's deletes may touch: data directories, plus the model's declared external_location."""

    data_roots: tuple[str, ...]
    declared_location: str | None = None

    def request(self, prefix: str, table: str, table_location: str) -> DeleteRequest:
        return DeleteRequest(prefix, table, table_location, self.data_roots, self.declared_location)


@dataclass(frozen=True)
class TablePlan:
    database: str | None  # the Athena catalog (Glue catalog) the table is in
    schema: str
    identifier: str
    build_identifier: str  # the target itself on a first build, else `<identifier>__dbt_tmp`
    build_location: str
    final_location: str | None  # a fixed location the data moves to after the swap
    swap: bool
    config: TableConfig
    scope: GuardScope = field(repr=False)
    replaces_view: bool = False  # a view of the same name gives way once the table is built
    # A rebuild's target as `plan` read it, so `finish` swaps without reading it again: Glue still
    # refuses the swap if the entry changed since (its VersionId).
    current: StoredTable | None = field(default=None, repr=False, compare=False)

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.identifier}"


def roots_for(profile: Profile, config: TableConfig) -> locations.DataRoots:
    return locations.DataRoots(
        s3_staging_dir=profile.s3_staging_dir,
        s3_data_dir=config.s3_data_dir or profile.s3_data_dir,
        s3_tmp_table_dir=profile.s3_tmp_table_dir,
    )


def scope_for(profile: Profile, config: TableConfig | None = None) -> GuardScope:
    base = roots_for(profile, config or TableConfig()).all()
    profile_roots = roots_for(profile, TableConfig()).all()
    return GuardScope(
        data_roots=tuple(dict.fromkeys(base + profile_roots)),
        declared_location=config.external_location if config else None,
    )


def check_config(
    profile: Profile, raw: Mapping[str, Any], other_locations: Mapping[str, str] | None = None
) -> TableConfig:
    protected = (*scope_for(profile).data_roots, profile.s3_staging_dir)
    if raw.get("s3_data_dir"):
        protected += (str(raw["s3_data_dir"]),)
    return table_config(
        raw, profile_naming=profile.s3_data_naming, protected_roots=protected, other_locations=other_locations
    )


def new_table_location(
    profile: Profile, config: TableConfig, schema: str, identifier: str, *, temporary: bool
) -> str:
    return locations.table_location(
        roots_for(profile, config),
        schema=schema,
        table=identifier,
        naming=config.s3_data_naming,
        external_location=config.external_location,
        temporary=temporary,
    )


class TableBuilds:
    def __init__(self, store: GlueTableStore, s3: S3Objects, profile: Profile) -> None:
        self._store = store
        self._s3 = s3
        self._profile = profile

    # --- plan ----------------------------------------------------------------------------------

    def plan(
        self,
        database: str | None,
        schema: str,
        identifier: str,
        raw_config: Mapping[str, Any],
        other_locations: Mapping[str, str] | None = None,
        *,
        known_names: Collection[str] | None = None,
    ) -> TablePlan:
        """`known_names`: every relation name in the schema, when dbt's relation cache has listed it
        this run; a name not among them needs no GetTable to know it does not exist."""
        config = check_config(self._profile, raw_config, other_locations)
        if config.external_location:
            self._check_location_is_free(schema, identifier, config.external_location)
        scope = scope_for(self._profile, config)
        existing = self._read_if_present(schema, identifier, known_names)
        leftover = self._read_if_present(schema, identifier + TMP_SUFFIX, known_names)
        if leftover is not None:
            self._drop_leftover(schema, leftover, scope, existing.raw if existing else None)
        plan = TablePlan(
            database=database,
            schema=schema,
            identifier=identifier,
            build_identifier=identifier,
            build_location=new_table_location(self._profile, config, schema, identifier, temporary=False),
            final_location=None,
            swap=False,
            config=config,
            scope=scope,
        )
        if existing is None:
            self._check_first_location(plan)
            return plan
        if existing.raw.get("TableType") == "VIRTUAL_VIEW":
            # Built under the temporary name, so the view stays until the table is complete.
            self._check_first_location(plan)
            return replace(plan, build_identifier=identifier + TMP_SUFFIX, replaces_view=True)
        for request in self._old_data_requests(schema, existing, scope):
            check_delete(request)
        rebuild = replace(plan, build_identifier=identifier + TMP_SUFFIX, swap=True, current=existing)
        return self._fixed_location_plan(rebuild) if config.fixed_location else rebuild

    def _check_location_is_free(self, schema: str, identifier: str, location: str) -> None:
        """An external_location must not contain, or lie within, the data of another table of the
        schema (one dbt does not build, too): a rebuild or drop of the model would delete it."""
        for raw in self._store.list_raw_tables(schema):
            other = table_swap.storage_location(raw)
            if raw["Name"] in (identifier, identifier + TMP_SUFFIX) or not other:
                continue
            if s3_paths.overlaps(location, [other]):
                relation = "lies within" if s3_paths.is_within(location, other) else "contains"
                raise ModelConfigError(
                    "external_location",
                    f"{location!r} {relation} the data of table {schema}.{raw['Name']} ({other}), which "
                    "rebuilding or dropping this model would delete",
                    "Point external_location at a directory of its own, outside every other table's",
                )

    def _check_first_location(self, plan: TablePlan) -> None:
        """A fixed location must be empty: objects there belong to no table dbt knows."""
        location = plan.build_location
        if plan.config.fixed_location and self._s3.has_objects(location):
            raise DbtRuntimeError(
                f"Table {plan.table} would be created at {location}, which already holds objects that "
                "belong to no table (HIVE_PATH_ALREADY_EXISTS). dbt does not delete data it cannot tell "
                "is its own: delete them if they are no longer needed "
                f"(aws s3 rm --recursive {s3_paths.as_directory(location)}), or build the table elsewhere "
                "(external_location, or an s3_data_naming ending in _unique)"
            )

    def _fixed_location_plan(self, plan: TablePlan) -> TablePlan:
        """Build at a fresh temporary location; the data moves to the fixed one after the swap."""
        final = plan.build_location
        staging = locations.table_location(
            roots_for(self._profile, plan.config),
            schema=plan.schema,
            table=plan.build_identifier,
            naming=_BUILD_NAMING,
            temporary=True,
        )
        if s3_paths.overlaps(staging, [final]):
            raise DbtRuntimeError(
                f"Table {plan.table} is rebuilt at {staging} before it moves to {final}, but one contains "
                f"the other. Set s3_tmp_table_dir in the profile to a directory outside {final}, or give "
                "the table a location that is not a parent of the data directory"
            )
        check_delete(plan.scope.request(final, plan.table, final))
        return replace(plan, build_location=staging, final_location=final)

    def _read_if_present(
        self, schema: str, name: str, known_names: Collection[str] | None
    ) -> StoredTable | None:
        if known_names is not None and name.lower() not in known_names:
            return None
        return read_stored(self._store, schema, name)

    @staticmethod
    def _old_data_requests(
        schema: str, table: StoredTable, scope: GuardScope, keep: str | None = None
    ) -> list[DeleteRequest]:
        """Deletes of a table's data (location and partitions), except what lies within `keep`, and of
        what an interrupted run noted (pending_deletes) that the table does not read."""
        current, noted = _old_data(schema, table, scope, keep)
        return current + noted

    def _drop_leftover(
        self, schema: str, leftover: StoredTable, scope: GuardScope, target: dict[str, Any] | None
    ) -> None:
        """Remove a `__dbt_tmp` table an interrupted run left behind (never data the target reads)."""
        name = leftover.raw["Name"]
        protected = table_swap.data_locations(target, []) if target else []
        requests = [
            r
            for r in self._old_data_requests(schema, leftover, scope)
            if not s3_paths.overlaps(r.prefix, protected)
        ]
        logger.info(f"Removing {schema}.{name}, left behind by an interrupted run")
        for request in requests:
            check_delete(request)
        self._store.delete_table(schema, name)
        guarded_delete(self._s3, requests)

    # --- after the build -----------------------------------------------------------------------

    def discard(self, plan: TablePlan) -> None:
        """Undo a failed build: its Glue entry (if the CTAS got that far) and whatever it wrote."""
        raw = self._store.get_raw_table(plan.schema, plan.build_identifier)
        # Only an entry at this build's location is this build's (not one another run created meanwhile).
        if raw is not None and _same_directory(table_swap.storage_location(raw), plan.build_location):
            self._store.delete_table(plan.schema, plan.build_identifier)
        request = plan.scope.request(
            plan.build_location, f"{plan.schema}.{plan.build_identifier}", plan.build_location
        )
        guarded_delete(self._s3, [request])

    def finish(self, plan: TablePlan) -> None:
        """Swap the built table in (rebuilds only) and delete the data the old table read."""
        if plan.config.external_location:
            self._record_external_location(plan.schema, plan.build_identifier, plan.config.external_location)
        if plan.replaces_view:
            # Glue cannot turn a view entry into a table: the view goes, the table takes its name.
            self._store.delete_table(plan.schema, plan.identifier)
            self._store.rename_table(plan.schema, plan.build_identifier, plan.schema, plan.identifier)
        if not plan.swap:
            return
        old = plan.current or read_stored(self._store, plan.schema, plan.identifier)
        assert old is not None
        requests, noted = _old_data(plan.schema, old, plan.scope, keep=plan.build_location)
        # What an interrupted run noted goes first: the table reads none of it, and the swap below
        # replaces the note with this run's own deletes.
        guarded_delete(self._s3, noted)
        # A fixed-location table moves on from its build location too: note that delete as well.
        pending = [r.prefix for r in requests] + ([plan.build_location] if plan.final_location else [])
        table_swap.swap_storage(
            self._store, plan.schema, plan.identifier, plan.build_identifier, pending=pending, current=old
        )
        if plan.final_location is None:
            guarded_delete(self._s3, requests)
        else:
            self._move_to_final(plan, requests)
        # The note stays once its deletes ran: the next rebuild finds its prefixes empty (one listing
        # each) instead of every rebuild spending a GetTable and an UpdateTable to clear it.
        pruned = self._store.prune_versions(plan.schema, plan.identifier, plan.config.versions_to_keep)
        logger.debug(f"Pruned {pruned} Glue versions of {plan.table}")

    def _record_external_location(self, schema: str, name: str, location: str) -> None:
        raw = self._store.get_raw_table(schema, name)
        assert raw is not None
        parameters = {**(raw.get("Parameters") or {}), BUILT_AT_PARAMETER: s3_paths.as_directory(location)}
        # A marker, not a new definition of the table: no archived Glue version for it.
        self._store.update_table(schema, table_input_from(raw, Parameters=parameters), skip_archive=True)

    def _move_to_final(self, plan: TablePlan, old_requests: Sequence[DeleteRequest]) -> None:
        assert plan.final_location is not None
        final = plan.final_location
        # The table reads the build location now: the fixed location can be emptied and refilled.
        clear = plan.scope.request(final, plan.table, final)
        guarded_delete(self._s3, [*old_requests, clear])
        copied = self._s3.copy_prefix(plan.build_location, final)
        logger.debug(f"Copied {copied} objects of {plan.table} to {final}")
        table_swap.relocate(self._store, plan.schema, plan.identifier, plan.build_location, final)
        guarded_delete(self._s3, [plan.scope.request(plan.build_location, plan.table, plan.build_location)])

    # --- drop and truncate ---------------------------------------------------------------------

    def drop(self, schema: str, name: str) -> None:
        """Remove a table's Glue entry and its data. Data the guard refuses stays, with a warning: the
        entry is dbt's to remove, but data outside the data directories is the user's unless dbt
        recorded building it there (BUILT_AT_PARAMETER)."""
        stored = read_stored(self._store, schema, name)
        if stored is None:
            return
        allowed, refused = _split(self._old_data_requests(schema, stored, scope_for(self._profile)))
        self._store.delete_table(schema, name)
        for error in refused:
            logger.warning(f"Kept the data of dropped table {schema}.{name}: {error}")
        guarded_delete(self._s3, allowed)

    def empty(self, schema: str, name: str) -> None:
        """Delete a Hive table's data and partition entries; the table stays, empty."""
        stored = read_stored(self._store, schema, name)
        if stored is None:
            raise DbtRuntimeError(f"Cannot truncate {schema}.{name}: it is not in the Glue catalog")
        requests = self._old_data_requests(schema, stored, scope_for(self._profile))
        for request in requests:
            check_delete(request)
        self._store.delete_partitions(schema, name, [list(p["Values"]) for p in stored.partitions])
        guarded_delete(self._s3, requests)


def _same_directory(location: str | None, other: str) -> bool:
    return location is not None and s3_paths.as_directory(location) == s3_paths.as_directory(other)


def _with_recorded_location(scope: GuardScope, raw: dict[str, Any]) -> GuardScope:
    """The scope, plus the table's own location if dbt recorded building it at a declared one."""
    recorded = (raw.get("Parameters") or {}).get(BUILT_AT_PARAMETER)
    location = table_swap.storage_location(raw)
    if scope.declared_location or not recorded or not location:
        return scope
    if not _same_directory(location, recorded):
        return scope
    return GuardScope(scope.data_roots, declared_location=recorded)


def _split(requests: Iterable[DeleteRequest]) -> tuple[list[DeleteRequest], list[S3DeleteRefused]]:
    allowed: list[DeleteRequest] = []
    refused: list[S3DeleteRefused] = []
    for request in requests:
        try:
            check_delete(request)
        except S3DeleteRefused as error:
            refused.append(error)
        else:
            allowed.append(request)
    return allowed, refused


def _old_data(
    schema: str, table: StoredTable, scope: GuardScope, keep: str | None = None
) -> tuple[list[DeleteRequest], list[DeleteRequest]]:
    """The deletes of a table's data (location and partitions) except what lies within `keep`; and,
    apart, those of the prefixes an interrupted swap noted and the table does not read."""
    raw = table.raw
    table_location = table_swap.storage_location(raw)
    if table_location is None:
        return [], []
    scope = _with_recorded_location(scope, raw)
    found = table_swap.data_locations(raw, table.partitions)
    name = f"{schema}.{raw['Name']}"
    current = [
        scope.request(location, name, table_location)
        for location in found
        if keep is None or not s3_paths.is_within(location, keep)
    ]
    read = [*found, *([keep] if keep else [])]
    noted = pending_deletes.leftover_requests(raw, read, lambda prefix: scope.request(prefix, name, prefix))
    return current, noted
