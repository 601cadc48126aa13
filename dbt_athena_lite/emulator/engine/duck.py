"""The DuckDB database behind one engine: extensions, S3 access through the emulator, limits.

One in-memory database per engine; each statement gets its own cursor (a separate DuckDB
connection to the same database), so concurrent statements share no mutable state and the
temporary views a statement registers are invisible to the others.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from dbt_athena_lite.emulator.engine.api import QueryCancelled, QueryContext
from dbt_athena_lite.emulator.engine.clients import INTERNAL_ACCESS_KEY_ID, INTERNAL_SECRET_ACCESS_KEY

# How often the cancellation watcher looks at running statements: a stop takes effect within this.
_CANCEL_POLL_SECONDS = 0.05


def _extension_path(package: str, name: str) -> Path:
    """The extension file shipped in a `duckdb-extension-*` wheel, for this DuckDB's version."""
    module = importlib.import_module(package)
    root = Path(str(module.__file__)).parent / "extensions" / f"v{duckdb.__version__}"
    path = root / f"{name}.duckdb_extension"
    if not path.exists():
        raise RuntimeError(
            f"{path} is missing: install {package.replace('_', '-')}=={duckdb.__version__} "
            "(the emulator never downloads extensions)"
        )
    return path


class DuckDatabase:
    """An in-memory DuckDB that reads and writes S3 objects through the emulator's S3 API."""

    def __init__(
        self,
        endpoint_url: str,
        *,
        memory_limit: str = "4GB",
        threads: int = 2,
        settings: Mapping[str, str | bool] | None = None,
    ) -> None:
        """`settings` become the defaults of every cursor (SET GLOBAL once, not SET per statement:
        each SET is a round through DuckDB's parser and costs as much as a trivial query)."""
        self._connection = duckdb.connect(
            config={
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
                "memory_limit": memory_limit,
                "threads": threads,
                # Spill files of big sorts/joins go to the system's temp folder, not the server's cwd.
                "temp_directory": str(Path(tempfile.gettempdir()) / f"athena-lite-duckdb-{os.getpid()}"),
            }
        )
        self._connection.execute(f"LOAD '{_extension_path('duckdb_extension_httpfs', 'httpfs')}'")
        # A table is planned and then scanned, each reading the Parquet footers: cache them. Written
        # files never change (names carry the query id); DuckDB revalidates by modification time.
        self._connection.execute("SET GLOBAL parquet_metadata_cache = true")
        for name, value in (settings or {}).items():
            literal = str(value).lower() if isinstance(value, bool) else "'" + value.replace("'", "''") + "'"
            self._connection.execute(f"SET GLOBAL {name} = {literal}")
        endpoint = urlsplit(endpoint_url)
        self._connection.execute(
            "CREATE SECRET athena_lite_s3 (TYPE s3, KEY_ID ?, SECRET ?, REGION 'us-east-1', "
            "ENDPOINT ?, URL_STYLE 'path', USE_SSL ?)",
            [INTERNAL_ACCESS_KEY_ID, INTERNAL_SECRET_ACCESS_KEY, endpoint.netloc, endpoint.scheme == "https"],
        )
        self._watcher = _CancellationWatcher()
        # The parent connection is shared by every worker thread: only cursor() touches it, one at a time.
        self._cursor_lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._cursor_lock:
            return self._connection.cursor()

    @contextlib.contextmanager
    def statement_cursor(self, context: QueryContext) -> Iterator[duckdb.DuckDBPyConnection]:
        """A fresh cursor for one statement, interrupted if the query is stopped meanwhile."""
        cursor = self.cursor()
        self._watcher.watch(context, cursor)
        try:
            yield cursor
        except duckdb.InterruptException as error:
            raise QueryCancelled(context.query_id) from error
        finally:
            self._watcher.forget(cursor)
            cursor.close()

    def close(self) -> None:
        self._watcher.stop()
        self._connection.close()


class _CancellationWatcher:
    """One background thread that interrupts the cursors of stopped queries.

    DuckDB blocks the worker thread inside execute(), so the check for `context.cancelled` has to
    happen elsewhere; a single poller serves every statement of the engine.
    """

    def __init__(self) -> None:
        self._running: dict[int, tuple[QueryContext, duckdb.DuckDBPyConnection]] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, context: QueryContext, cursor: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            self._running[id(cursor)] = (context, cursor)
            if self._thread is None:
                self._thread = threading.Thread(target=self._poll, name="athena-lite-cancel", daemon=True)
                self._thread.start()

    def forget(self, cursor: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            self._running.pop(id(cursor), None)

    def stop(self) -> None:
        self._stopped.set()

    def _poll(self) -> None:
        while not self._stopped.wait(_CANCEL_POLL_SECONDS):
            with self._lock:
                stopped = [cursor for context, cursor in self._running.values() if context.cancelled.is_set()]
            for cursor in stopped:
                cursor.interrupt()
