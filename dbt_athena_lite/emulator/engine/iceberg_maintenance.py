"""OPTIMIZE t REWRITE DATA USING BIN_PACK [WHERE ...] and VACUUM t on Iceberg tables.

OPTIMIZE rewrites the data files holding rows the WHERE selects (all files without one) into as
few files as pyiceberg's target size makes, when there are at least two of them. VACUUM expires
snapshots older than `vacuum_max_snapshot_age_seconds` (Iceberg's history.expire.*; default 5
days) but keeps `vacuum_min_snapshots_to_keep` (default 1), then deletes the data files only
the expired snapshots referenced. Orphan files that no snapshot ever referenced are left alone.
"""

from __future__ import annotations

import re
import time

from pyiceberg.table import Table
from pyiceberg.table.snapshots import Snapshot
from sqlglot import exp

from dbt_athena_lite.emulator.engine import catalog
from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryResult
from dbt_athena_lite.emulator.engine.ddl import target_name
from dbt_athena_lite.emulator.engine.errors import qualified, table_not_found
from dbt_athena_lite.emulator.engine.iceberg_catalog import commit, load_table
from dbt_athena_lite.emulator.engine.iceberg_modify import TOUCHED, rewrite_rows
from dbt_athena_lite.emulator.engine.statement import Statement
from dbt_athena_lite.emulator.engine.storage import delete_objects
from dbt_athena_lite.emulator.engine.translate import DEFAULT_CATALOG, parse

_PREFIX = r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*"
_TABLE = r"(?P<table>[\w\"`]+(?:\s*\.\s*[\w\"`]+){0,2})"
_OPTIMIZE = re.compile(
    _PREFIX
    + r"OPTIMIZE\s+"
    + _TABLE
    + r"\s+REWRITE\s+DATA\s+USING\s+BIN_PACK(?:\s+WHERE\s+(?P<where>.*?))?\s*;?\s*\Z",
    re.IGNORECASE | re.DOTALL,
)
_VACUUM = re.compile(_PREFIX + r"VACUUM\s+" + _TABLE + r"\s*;?\s*\Z", re.IGNORECASE | re.DOTALL)
_DEFAULT_MAX_AGE_MS = 5 * 24 * 3600 * 1000  # Athena's vacuum_max_snapshot_age_seconds default


def _result(substatement: str) -> QueryResult:
    return QueryResult(statement_type="DML", substatement_type=substatement)


def run_maintenance(statement: Statement, keyword: str) -> QueryResult:
    pattern = _OPTIMIZE if keyword == "OPTIMIZE" else _VACUUM
    match = pattern.match(statement.sql)
    if match is None:
        expected = (
            "OPTIMIZE <table> REWRITE DATA USING BIN_PACK [WHERE ...]"
            if keyword == "OPTIMIZE"
            else "VACUUM <table>"
        )
        raise AthenaQueryError("SYNTAX_ERROR", f"line 1:1: Expecting: {expected}")
    node = exp.to_table(match.group("table").replace("`", '"'), dialect="athena")
    database, name = target_name(statement, node)
    glue_table = catalog.get_table(statement.glue, database, name)
    if glue_table is None:
        raise table_not_found(statement.sql, node, qualified(DEFAULT_CATALOG, database, name))
    if not catalog.is_iceberg(glue_table):
        raise AthenaQueryError("NOT_SUPPORTED", f"{keyword} is supported only for Iceberg tables")
    table = load_table(statement.clients, database, name)
    if keyword == "OPTIMIZE":
        where = match.group("where")
        update = parse(
            f"UPDATE {node.sql('athena')} SET {TOUCHED} = true" + (f" WHERE {where}" if where else "")
        )
        rewrite_rows(statement, table, update, min_files=2)
        return _result("OPTIMIZE")
    _vacuum(statement, table)
    return _result("VACUUM")


def _vacuum(statement: Statement, table: Table) -> None:
    properties = table.properties
    max_age_ms = int(properties.get("history.expire.max-snapshot-age-ms", _DEFAULT_MAX_AGE_MS))
    keep = max(1, int(properties.get("history.expire.min-snapshots-to-keep", 1)))
    snapshots = sorted(table.snapshots(), key=lambda s: s.timestamp_ms)
    cutoff = int(time.time() * 1000) - max_age_ms
    current = table.current_snapshot()
    expired = [
        s
        for s in snapshots[: max(0, len(snapshots) - keep)]
        if s.timestamp_ms < cutoff and (current is None or s.snapshot_id != current.snapshot_id)
    ]
    if not expired:
        return
    retained = [s for s in snapshots if s not in expired]
    unreferenced = _data_files(table, expired) - _data_files(table, retained)
    ids = [s.snapshot_id for s in expired]
    commit(
        statement.clients,
        statement.context,
        table,
        lambda: table.maintenance.expire_snapshots().by_ids(ids).commit(),
    )
    delete_objects(statement.s3, sorted(unreferenced))


def _data_files(table: Table, snapshots: list[Snapshot]) -> set[str]:
    paths: set[str] = set()
    for snapshot in snapshots:
        for manifest in snapshot.manifests(table.io):
            for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
                paths.add(entry.data_file.file_path)
    return paths
