"""The emulator's HTTP front: one WSGI app on one port for Athena, Glue, S3, STS and IAM.

Athena's query and catalog actions are answered here (they run real SQL through the
engine); every other request (S3, Glue, STS, IAM, Athena workgroups) goes unchanged to
moto's WSGI app. Every client call is counted for `/_emulator/stats`.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from dbt_athena_lite.emulator.athena_api import AthenaApi
from dbt_athena_lite.emulator.engine.api import SqlEngine
from dbt_athena_lite.emulator.faults import FaultInjector, FaultSpec
from dbt_athena_lite.emulator.internal_clients import InternalClients
from dbt_athena_lite.emulator.persistence import CALL_KEY, DurableMoto
from dbt_athena_lite.emulator.query_service import QueryService
from dbt_athena_lite.emulator.s3_listings import ListingExclusion, key_access
from dbt_athena_lite.emulator.stats import ApiCallCounter, identify_call
from dbt_athena_lite.emulator.wsgi import read_body

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EngineFactory = Callable[[str], SqlEngine]
DEFAULT_REGION = "us-east-1"
_ATHENA_TARGET_PREFIX = "AmazonAthena."
_LOOPBACK_FOR_WILDCARD = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def default_engine_factory(endpoint_url: str) -> SqlEngine:
    """The real SQL engine; imported on first use so the server starts in well under a second."""
    from dbt_athena_lite.emulator.engine.engine import AthenaSqlEngine

    engine: SqlEngine = AthenaSqlEngine(endpoint_url)
    return engine


def _moto_app() -> WSGIApplication:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    class MemoizedDispatcher(DomainDispatcherApplication):
        """moto's dispatcher, remembering which backend serves a host: moto lists its
        package directory on every request to decide, about 2 ms per call."""

        def __init__(self) -> None:
            super().__init__(create_backend_app)
            self._backend_by_host: dict[str | None, Any] = {}

        def get_backend_for_host(self, host: str | None) -> Any:
            # Called under self.lock (see DomainDispatcherApplication.get_application).
            if host not in self._backend_by_host:
                self._backend_by_host[host] = super().get_backend_for_host(host)
            return self._backend_by_host[host]

    app: WSGIApplication = MemoizedDispatcher()
    return app


def _may_change_work_groups(athena_action: str, path: str) -> bool:
    """CreateWorkGroup, UpdateWorkGroup, DeleteWorkGroup, or a moto reset."""
    if path.startswith("/moto-api"):
        return True
    return "WorkGroup" in athena_action and not athena_action.startswith(("Get", "List"))


class EmulatorApp:
    """The WSGI application. Build it with `create_app`, or let EmulatorServer do it."""

    def __init__(
        self,
        endpoint_url: str,
        engine_factory: EngineFactory,
        workers: int = 8,
        *,
        data_dir: Path | None = None,
        faults: FaultSpec | None = None,
        query_latency: float = 0.0,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.stats = ApiCallCounter()
        self.clients = InternalClients(endpoint_url)
        self.clients.send_in_process(self)
        self._engine_factory = engine_factory
        self._engine: SqlEngine | None = None
        self._engine_lock = threading.Lock()
        self._warmup: threading.Thread | None = None
        self._warmup_lock = threading.Lock()
        self.faults = FaultInjector(faults or FaultSpec())
        self.queries = QueryService(self.engine, self.clients, workers=workers, min_latency=query_latency)
        self.athena = AthenaApi(
            self.queries, self.clients, should_fail_iceberg_commit=self.faults.should_fail_iceberg_commit
        )
        # With a data dir, the journal is replayed here, before the server answers anything.
        self.durable = DurableMoto(data_dir, _moto_app()) if data_dir is not None else None
        self._moto: WSGIApplication = self.durable or _moto_app()
        self._last_request = time.monotonic()
        self._key_listings = ListingExclusion()

    def idle_seconds(self) -> float:
        """Seconds since the last API request (a running query keeps its client polling, so it counts;
        /_emulator/ admin requests such as health checks do not)."""
        return time.monotonic() - self._last_request

    def warm_up(self) -> None:
        """Build the engine on a background thread (once), so the first query does not pay
        for importing DuckDB and sqlglot. Started by the first request the server answers:
        startup itself stays fast, and a client that waits for health gets the warm-up
        going at once. A failure is left for the first query to retry and report."""
        with self._warmup_lock:
            if self._warmup is not None:
                return
            self._warmup = threading.Thread(
                target=self._build_engine_quietly, name="athena-lite-warmup", daemon=True
            )
            self._warmup.start()

    def _build_engine_quietly(self) -> None:
        try:
            self.engine()
        except Exception:
            logger.warning("engine warm-up failed; the first query will retry", exc_info=True)

    def engine(self) -> SqlEngine:
        """The engine, built on the first query (it needs the endpoint to be serving)."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    self._engine = self._engine_factory(self.endpoint_url)
        return self._engine

    def close(self) -> None:
        self.queries.shutdown()
        if self.durable is not None:
            # No query writes any more: free the data dir now, so a restart need not wait
            # for the warm-up below.
            self.durable.close()
        if self._warmup is not None:
            # An interpreter that exits while a thread is still importing DuckDB aborts.
            self._warmup.join(timeout=60)
        close = getattr(self._engine, "close", None)
        if callable(close):
            close()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._warmup is None:
            self.warm_up()
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/_emulator/"):
            return self._admin(environ, start_response, path)  # health checks don't keep it alive
        self._last_request = time.monotonic()
        call = identify_call(environ, lambda: read_body(environ))
        if call is not None:
            self.stats.record(call)
            environ[CALL_KEY] = call  # type: ignore[typeddict-unknown-key]
            fault = self.faults.fault_for(call)
            if fault is not None:
                return _respond(start_response, *fault)
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        action = target[len(_ATHENA_TARGET_PREFIX) :] if target.startswith(_ATHENA_TARGET_PREFIX) else ""
        if action and self.athena.handles(action):
            region = (call.region if call else None) or DEFAULT_REGION
            status, headers, payload = self.athena.handle(action, read_body(environ), region)
            return _respond(start_response, status, headers, payload)
        with self._key_listings.hold(key_access(call)):
            response = self._moto(environ, start_response)
        if _may_change_work_groups(action, path):
            self.athena.forget_work_groups()  # after moto has applied the change
        return response

    def _admin(self, environ: WSGIEnvironment, start_response: StartResponse, path: str) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        body: dict[str, Any]
        if path == "/_emulator/health" and method == "GET":
            status, body = 200, {"status": "ok"}
        elif path == "/_emulator/stats" and method == "GET":
            status, body = 200, self.stats.snapshot()
        elif path == "/_emulator/stats/reset" and method == "POST":
            self.stats.reset()
            status, body = 200, {"status": "reset"}
        else:
            status, body = 404, {"message": f"no emulator endpoint {method} {path}"}
        payload = json.dumps(body).encode("utf-8")
        return _respond(start_response, status, [("Content-Type", "application/json")], payload)


def _respond(
    start_response: StartResponse, status: int, headers: list[tuple[str, str]], payload: bytes
) -> list[bytes]:
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [*headers, ("Content-Length", str(len(payload))), ("x-amzn-RequestId", str(uuid.uuid4()))],
    )
    return [payload]


def create_app(
    endpoint_url: str,
    engine_factory: EngineFactory = default_engine_factory,
    workers: int = 8,
    **options: Any,
) -> EmulatorApp:
    """The WSGI app for an emulator reachable at `endpoint_url` (its engine calls back there);
    `options` are EmulatorApp's keyword arguments (data_dir, faults, query_latency)."""
    return EmulatorApp(endpoint_url, engine_factory, workers, **options)


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: a dbt run makes thousands."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def _unbound_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    return _respond(start_response, 503, [("Content-Type", "text/plain")], b"starting")


class EmulatorServer:
    """A threaded HTTP server bound to `host` (127.0.0.1 unless told otherwise); port 0
    picks a free port, readable from `.port` once constructed."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        engine_factory: EngineFactory = default_engine_factory,
        workers: int = 8,
        data_dir: Path | str | None = None,
        faults: FaultSpec | None = None,
        query_latency: float = 0.0,
    ) -> None:
        """`data_dir`: keep state there across restarts (DataDirInUseError if another
        emulator holds it); `faults`: inject errors at these rates; `query_latency`: seconds
        every query stays QUEUED/RUNNING at least.

        moto keeps its state in module globals, so emulators in one process share it: a
        data dir restores correctly only into a process that has no other emulator (the CLI)."""
        # Bind first, ourselves: the app needs the real port for its endpoint URL, and
        # werkzeug answers a bind failure with sys.exit(1), which a library must not do.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family) as listening:
            self._server: BaseWSGIServer = make_server(
                host,
                port,
                _unbound_app,
                threaded=True,
                request_handler=_QuietRequestHandler,
                fd=listening.fileno(),  # werkzeug serves a duplicate of this socket
            )
        self.host = host
        self.port = int(self._server.server_address[1])
        try:
            self.app = create_app(
                self.endpoint_url,
                engine_factory,
                workers,
                data_dir=Path(data_dir) if data_dir is not None else None,
                faults=faults,
                query_latency=query_latency,
            )
        except BaseException:
            self._server.server_close()
            raise
        self._server.app = self.app
        self._thread: threading.Thread | None = None
        self._serving = False

    @property
    def endpoint_url(self) -> str:
        """Where clients (and the engine) reach the server; loopback when bound to all addresses."""
        host = _LOOPBACK_FOR_WILDCARD.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve on the calling thread until stop() (from another thread)."""
        self._serving = True
        self._server.serve_forever(poll_interval=0.1)

    def start(self) -> EmulatorServer:
        """Serve on a daemon thread and return at once (the socket already listens)."""
        self._serving = True  # before the thread runs, so an immediate stop() still shuts it down
        self._thread = threading.Thread(target=self.serve_forever, name="athena-lite-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.app.durable is not None:
            self.app.durable.stopping()
        if self._serving:  # shutdown() waits for a serve_forever loop, so only when one runs
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server.server_close()
        self.app.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
