"""Shared fixtures for contract tests against a running emulator.

- `emulator` (session): the emulator in-process on 127.0.0.1, free port, with the real SQL
  engine once `dbt_athena_lite.emulator.engine.engine` exists; `.endpoint_url`, `.port`,
  `.stats()`, `.reset_stats()`, `.server`.
- `aws_env`, `boto3_session`: dummy credentials in us-east-1 (any are accepted).
- `athena`, `glue`, `s3`: clients at `emulator`; `bucket`: a fresh bucket per test.
- `run_query(sql, database=None) -> (state, rows, QueryExecution)`: start, poll every 10 ms,
  fetch every page (rows as tuples of VarCharValue, the SELECT header row included).
- `select_emulator`, `select_clients`, `select_engine_factory`: a second emulator whose
  engine is `SelectOnDuckDb` below, a small real engine (statements run on an in-memory
  DuckDB), for lifecycle and rendering tests that must not depend on the SQL engine.

Every test under tests/emulator joins the xdist group "emulator": run with
`pytest -n 2 --dist loadgroup` so the session emulators start once, in one worker.
"""

from __future__ import annotations

import importlib.util
import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import duckdb
import pytest

from dbt_athena_lite.emulator.engine.api import (
    AthenaQueryError,
    QueryCancelled,
    QueryContext,
    QueryResult,
    ResultColumn,
    SqlEngine,
)
from dbt_athena_lite.emulator.server import EmulatorServer, default_engine_factory

REGION = "us-east-1"
FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")
RunQuery = Callable[..., tuple[str, list[tuple[str | None, ...]], dict[str, Any]]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep every test here in one xdist group, so the session emulators start once."""
    for item in items:
        if "tests/emulator/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.xdist_group("emulator"))


# ---------------------------------------------------------------- a small real engine

# DuckDB type names (prefixes) -> Athena's result type names.
_DUCKDB_TO_ATHENA = {
    "BOOLEAN": "boolean",
    "TINYINT": "tinyint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "decimal(38,0)",
    "FLOAT": "real",
    "DOUBLE": "double",
    "VARCHAR": "varchar",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamp(3) with time zone",
    "TIMESTAMP": "timestamp(3)",
    "TIME": "time(3)",
    "BLOB": "varbinary",
    "JSON": "json",
}


def athena_type_of(duck_type: Any) -> str:
    """The Athena spelling of a DuckDB result type (arrays, maps, structs included)."""
    type_id = duck_type.id
    if type_id == "list":
        return f"array({athena_type_of(duck_type.child)})"
    if type_id == "map":
        return f"map({athena_type_of(duck_type.key)},{athena_type_of(duck_type.value)})"
    if type_id == "struct":
        fields = ", ".join(f"{name} {athena_type_of(child)}" for name, child in duck_type.children)
        return f"row({fields})"
    if type_id == "decimal":
        precision, scale = (value for _, value in duck_type.children)
        return f"decimal({precision},{scale})"
    return _DUCKDB_TO_ATHENA.get(str(duck_type).upper(), "varchar")


class SelectOnDuckDb:
    """Runs each statement on a shared in-memory DuckDB. SELECT/WITH/VALUES are DML with a
    header row; SHOW/DESCRIBE are UTILITY without one; CREATE TABLE ... AS reports an
    UpdateCount; other statements are DDL.
    StopQueryExecution interrupts DuckDB, so a cancelled long query really stops."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._database = duckdb.connect()
        self._lock = threading.Lock()
        self.statements_run: list[str] = []

    def execute(self, sql: str, context: QueryContext) -> QueryResult:
        with self._lock:
            connection = self._database.cursor()
            self.statements_run.append(sql)
        done = threading.Event()

        def interrupt_when_cancelled() -> None:
            while not done.wait(0.005):
                if context.cancelled.is_set():
                    connection.interrupt()
                    return

        watcher = threading.Thread(target=interrupt_when_cancelled, daemon=True)
        watcher.start()
        try:
            return self._run(connection, sql)
        except duckdb.InterruptException:
            raise QueryCancelled(context.query_id) from None
        except duckdb.ParserException as error:
            raise AthenaQueryError("SYNTAX_ERROR", str(error)) from None
        except duckdb.CatalogException as error:
            raise AthenaQueryError("TABLE_NOT_FOUND", str(error)) from None
        finally:
            done.set()
            connection.close()

    @staticmethod
    def _run(connection: duckdb.DuckDBPyConnection, sql: str) -> QueryResult:
        keyword = sql.lstrip().split(None, 1)[0].upper()
        if keyword == "CREATE" and " AS " in sql.upper():
            connection.execute(sql)
            table = sql.split()[2]
            count = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
            return QueryResult(
                statement_type="DDL",
                columns=[ResultColumn("rows", "bigint")],
                update_count=int(count[0]) if count else 0,
                substatement_type="CREATE_TABLE_AS_SELECT",
            )
        relation = connection.execute(sql)
        is_query = keyword in ("SELECT", "WITH", "VALUES")
        if not is_query and keyword not in ("SHOW", "DESCRIBE"):
            return QueryResult(statement_type="DDL", substatement_type=f"{keyword}_TABLE")
        columns = [
            ResultColumn(name, athena_type_of(type_code))
            for name, type_code, *_ in relation.description or []
        ]
        rows = relation.fetchall()
        # SHOW / DESCRIBE are UTILITY statements: results without a header row.
        return QueryResult(
            statement_type="DML" if is_query else "UTILITY",
            columns=columns,
            rows=rows,
            has_header_row=is_query,
            substatement_type="SELECT" if is_query else keyword,
        )


# ---------------------------------------------------------------- running emulators


@dataclass
class RunningEmulator:
    """A started emulator: where it listens and its API-call counts (read over HTTP)."""

    server: EmulatorServer

    @property
    def endpoint_url(self) -> str:
        return self.server.endpoint_url

    @property
    def port(self) -> int:
        return self.server.port

    def stats(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.endpoint_url}/_emulator/stats", timeout=5) as response:
            counts: dict[str, int] = json.load(response)
        return counts

    def reset_stats(self) -> None:
        request = urllib.request.Request(f"{self.endpoint_url}/_emulator/stats/reset", method="POST")
        with urllib.request.urlopen(request, timeout=5):
            pass


def real_engine_available() -> bool:
    return importlib.util.find_spec("dbt_athena_lite.emulator.engine.engine") is not None


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    """The emulator with the real SQL engine (SelectOnDuckDb until that engine exists)."""
    factory: Callable[[str], SqlEngine] = (
        default_engine_factory if real_engine_available() else SelectOnDuckDb
    )
    server = EmulatorServer("127.0.0.1", 0, engine_factory=factory).start()
    yield RunningEmulator(server)
    server.stop()


@pytest.fixture(scope="session")
def select_engine_factory() -> Callable[[str], SqlEngine]:
    """The SelectOnDuckDb engine factory, for tests that start an emulator of their own."""
    return SelectOnDuckDb


@pytest.fixture(scope="session")
def select_emulator() -> Iterator[RunningEmulator]:
    """An emulator whose engine is SelectOnDuckDb, for lifecycle and rendering tests."""
    server = EmulatorServer("127.0.0.1", 0, engine_factory=SelectOnDuckDb, workers=4).start()
    yield RunningEmulator(server)
    server.stop()


# ---------------------------------------------------------------- clients


@pytest.fixture(scope="session")
def aws_env() -> dict[str, str]:
    """Dummy credentials: the emulator accepts any."""
    return {
        "aws_access_key_id": "AKIAEMULATORTEST",
        "aws_secret_access_key": "emulator-test-secret",
        "region_name": REGION,
    }


@pytest.fixture(scope="session")
def boto3_session(aws_env: dict[str, str]) -> boto3.session.Session:
    return boto3.session.Session(**aws_env)


@pytest.fixture(scope="session")
def athena(boto3_session: boto3.session.Session, emulator: RunningEmulator) -> Any:
    return boto3_session.client("athena", endpoint_url=emulator.endpoint_url)


@pytest.fixture(scope="session")
def glue(boto3_session: boto3.session.Session, emulator: RunningEmulator) -> Any:
    return boto3_session.client("glue", endpoint_url=emulator.endpoint_url)


@pytest.fixture(scope="session")
def s3(boto3_session: boto3.session.Session, emulator: RunningEmulator) -> Any:
    return boto3_session.client("s3", endpoint_url=emulator.endpoint_url)


@pytest.fixture
def bucket(s3: Any) -> str:
    """A fresh bucket on the `emulator`."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def wait_for_query(athena_client: Any, query_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """Poll GetQueryExecution every 10 ms until the query finishes; its QueryExecution."""
    deadline = time.monotonic() + timeout
    while True:
        execution: dict[str, Any] = athena_client.get_query_execution(QueryExecutionId=query_id)[
            "QueryExecution"
        ]
        if execution["Status"]["State"] in FINISHED:
            return execution
        if time.monotonic() > deadline:
            raise TimeoutError(f"query {query_id} still {execution['Status']['State']} after {timeout}s")
        time.sleep(0.01)


def fetch_all_rows(athena_client: Any, query_id: str) -> list[tuple[str | None, ...]]:
    """Every GetQueryResults page's rows (header included) as tuples of VarCharValue."""
    rows: list[tuple[str | None, ...]] = []
    kwargs: dict[str, Any] = {"QueryExecutionId": query_id}
    while True:
        page = athena_client.get_query_results(**kwargs)
        rows.extend(tuple(d.get("VarCharValue") for d in r["Data"]) for r in page["ResultSet"]["Rows"])
        if not page.get("NextToken"):
            return rows
        kwargs["NextToken"] = page["NextToken"]


def make_run_query(athena_client: Any, output_location: str) -> RunQuery:
    def run_query(
        sql: str, database: str | None = None
    ) -> tuple[str, list[tuple[str | None, ...]], dict[str, Any]]:
        request: dict[str, Any] = {
            "QueryString": sql,
            "ResultConfiguration": {"OutputLocation": output_location},
        }
        if database:
            request["QueryExecutionContext"] = {"Database": database}
        query_id = athena_client.start_query_execution(**request)["QueryExecutionId"]
        execution = wait_for_query(athena_client, query_id)
        state = execution["Status"]["State"]
        rows = fetch_all_rows(athena_client, query_id) if state == "SUCCEEDED" else []
        return state, rows, execution

    return run_query


@pytest.fixture(scope="session")
def results_bucket(boto3_session: boto3.session.Session, emulator: RunningEmulator) -> str:
    name = f"athena-results-{uuid.uuid4().hex[:8]}"
    boto3_session.client("s3", endpoint_url=emulator.endpoint_url).create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="session")
def run_query(athena: Any, results_bucket: str) -> RunQuery:
    """`run_query(sql, database=None) -> (state, rows, QueryExecution)` on `emulator`:
    starts, polls every 10 ms, fetches all pages (the header row included for SELECT)."""
    return make_run_query(athena, f"s3://{results_bucket}/results/")


@dataclass
class EmulatorClients:
    """boto3 clients bound to one emulator, with a results bucket and `run_query`."""

    emulator: RunningEmulator
    athena: Any
    glue: Any
    s3: Any
    results_bucket: str
    run_query: RunQuery

    @property
    def output_location(self) -> str:
        return f"s3://{self.results_bucket}/results/"


@pytest.fixture(scope="session")
def select_clients(boto3_session: boto3.session.Session, select_emulator: RunningEmulator) -> EmulatorClients:
    """Clients of `select_emulator` (the SelectOnDuckDb engine)."""
    endpoint = select_emulator.endpoint_url
    athena_client = boto3_session.client("athena", endpoint_url=endpoint)
    s3_client = boto3_session.client("s3", endpoint_url=endpoint)
    name = f"select-results-{uuid.uuid4().hex[:8]}"
    s3_client.create_bucket(Bucket=name)
    return EmulatorClients(
        emulator=select_emulator,
        athena=athena_client,
        glue=boto3_session.client("glue", endpoint_url=endpoint),
        s3=s3_client,
        results_bucket=name,
        run_query=make_run_query(athena_client, f"s3://{name}/results/"),
    )
