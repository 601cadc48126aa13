"""pyiceberg's Glue catalog bound to the emulator's own Glue and S3 APIs, and Iceberg commits.

Commits: pyiceberg's GlueCatalog protects a commit with Glue's optimistic `VersionId`, which
moto's Glue ignores. So every commit the engine makes runs under a per-table lock, and fails with
Athena's ICEBERG_COMMIT_ERROR when the table's `metadata_location` moved since the statement read
it: a concurrent writer won, exactly the case Athena reports (and dbt re-runs) as error type 233.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from pyiceberg.catalog.glue import GlueCatalog
from pyiceberg.exceptions import (
    CommitFailedException,
    NoSuchPropertyException,
    NoSuchTableError,
    TableAlreadyExistsError,
)
from pyiceberg.io import FileIO
from pyiceberg.table import Table
from pyiceberg.typedef import EMPTY_DICT, Properties

from dbt_athena_lite.emulator.engine.api import AthenaQueryError, QueryContext, check_iceberg_commit
from dbt_athena_lite.emulator.engine.clients import EngineClients
from dbt_athena_lite.emulator.engine.iceberg_io import S3ClientFileIO

CATALOG_NAME = "awsdatacatalog"
# What pyiceberg raises when a table being created already exists (found at commit, or by Glue).
ALREADY_EXISTS = (TableAlreadyExistsError, CommitFailedException)
T = TypeVar("T")


class EmulatorGlueCatalog(GlueCatalog):
    """GlueCatalog whose files go through the engine's S3 client (see iceberg_io)."""

    def __init__(self, clients: EngineClients) -> None:
        super().__init__(CATALOG_NAME, client=clients.glue)
        self._s3 = clients.s3

    def _load_file_io(self, properties: Properties = EMPTY_DICT, location: str | None = None) -> FileIO:
        return S3ClientFileIO(self._s3)


def iceberg_catalog(clients: EngineClients) -> EmulatorGlueCatalog:
    """A catalog per call: cheap (no I/O), and pyiceberg's catalogs keep no per-thread state."""
    return EmulatorGlueCatalog(clients)


def load_table(clients: EngineClients, database: str, name: str) -> Table:
    try:
        return iceberg_catalog(clients).load_table((database, name))
    except NoSuchTableError as error:
        raise AthenaQueryError(
            "TABLE_NOT_FOUND", f"Table '{CATALOG_NAME}.{database}.{name}' does not exist"
        ) from error
    except (NoSuchPropertyException, FileNotFoundError, ValueError) as error:
        # A Glue entry marked ICEBERG whose metadata file is missing or unreadable.
        raise AthenaQueryError(
            "ICEBERG_INVALID_METADATA",
            f"Invalid Iceberg metadata for table {database}.{name}: {error}",
            category=1,
        ) from error


_locks: dict[tuple[str, str, str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def _table_lock(clients: EngineClients, database: str, name: str) -> threading.Lock:
    key = (clients.endpoint_url, clients.region, database, name)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


# Test seam: called with "db.table" after a statement has computed its change and before it commits
# (tests make two writers meet here, so that their commits really race).
before_commit: Callable[[str], None] | None = None


def commit(
    clients: EngineClients,
    context: QueryContext,
    table: Table,
    apply: Callable[[], T],
) -> T:
    """Run `apply` (which commits a change to `table`) unless another commit got there first.

    `table` is the version the statement read; a different `metadata_location` in Glue now means
    a concurrent commit: the statement fails with ICEBERG_COMMIT_ERROR and changes nothing.
    """
    database, name = table.name()[-2:]
    qualified = f"{database}.{name}"
    if before_commit is not None:
        before_commit(qualified)
    with _table_lock(clients, database, name):
        check_iceberg_commit(context, qualified)
        current = _current_metadata_location(clients, database, name)
        if current != table.metadata_location:
            raise commit_error(qualified, "the table was changed by another query since this one read it")
        try:
            return apply()
        except CommitFailedException as error:
            raise commit_error(qualified, str(error)) from error


def commit_error(table: str, reason: str) -> AthenaQueryError:
    return AthenaQueryError(
        "ICEBERG_COMMIT_ERROR", f"Failed to commit Iceberg update to table: {table}: {reason}"
    )


def _current_metadata_location(clients: EngineClients, database: str, name: str) -> str | None:
    try:
        glue_table: dict[str, Any] = clients.glue.get_table(DatabaseName=database, Name=name)["Table"]
    except clients.glue.exceptions.EntityNotFoundException:
        return None
    location = glue_table.get("Parameters", {}).get("metadata_location")
    return str(location) if location is not None else None
