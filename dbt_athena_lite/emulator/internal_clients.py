"""The emulator's own boto3 clients (Glue, S3, Athena workgroups), one set per region.

They call the emulator's API like any client, signed with INTERNAL_ACCESS_KEY_ID so the
API-call counts leave them out. Once the WSGI app exists they skip the socket: each request
goes straight into the app (same routing, same moto code), which saves a TCP connection and
a server thread per call, a few milliseconds on every query. Building a boto3 client costs
tens of milliseconds, so each region's set is built once.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from botocore.config import Config
from werkzeug.test import EnvironBuilder, run_wsgi_app

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

from dbt_athena_lite.emulator.engine.clients import INTERNAL_ACCESS_KEY_ID, EngineClients, make_clients


def split_s3_location(location: str) -> tuple[str, str]:
    """("bucket", "key/of/object") from "s3://bucket/key/of/object"."""
    if not location.startswith("s3://"):
        raise ValueError(f"not an s3:// location: {location!r}")
    bucket, _, key = location[len("s3://") :].partition("/")
    return bucket, key


class _RawBody(io.BytesIO):
    """A response body as botocore reads one from urllib3 (`stream()` and `read()`)."""

    def stream(self, amt: int = 65536, decode_content: bool = True) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


class InProcessTransport:
    """A botocore `before-send` handler that answers a request by calling the WSGI app."""

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app

    def __call__(self, request: AWSPreparedRequest, **_kwargs: Any) -> AWSResponse:
        url = urlsplit(request.url)
        body = request.body
        data: bytes | str = b""
        if isinstance(body, bytes | str):
            data = body
        elif body is not None and not isinstance(body, bytearray):
            data = body.read()  # a file-like body (uploads)
        elif body is not None:
            data = bytes(body)
        builder = EnvironBuilder(
            method=request.method,
            base_url=f"{url.scheme}://{url.netloc}",
            path=url.path or "/",  # percent-encoded, as on the wire; decoded into PATH_INFO
            query_string=url.query,
            headers=[(name, _text(value)) for name, value in request.headers.items()],
            data=data,
        )
        try:
            app_iter, status, headers = run_wsgi_app(self._app, builder.get_environ(), buffered=True)
            payload = b"".join(app_iter)
        finally:
            builder.close()
        response_headers = HTTPHeaders()  # case-insensitive, as botocore's parsers expect
        for name, value in headers.items():
            response_headers[name] = value
        return AWSResponse(request.url, int(status.split(" ", 1)[0]), response_headers, _RawBody(payload))


class InternalClients:
    """Per-region internal clients bound to the emulator's endpoint."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._lock = threading.Lock()
        self._engine_clients: dict[str, EngineClients] = {}
        self._athena: dict[str, Any] = {}
        self._transport: Callable[..., AWSResponse] | None = None

    def send_in_process(self, app: WSGIApplication) -> None:
        """From now on, clients built here call `app` directly instead of the socket."""
        self._transport = InProcessTransport(app)

    def _bind(self, client: Any) -> Any:
        if self._transport is not None:
            client.meta.events.register("before-send", self._transport)
        return client

    def for_region(self, region: str) -> EngineClients:
        with self._lock:
            if region not in self._engine_clients:
                clients = make_clients(self.endpoint_url, region)
                self._bind(clients.glue)
                self._bind(clients.s3)
                self._engine_clients[region] = clients
            return self._engine_clients[region]

    def athena(self, region: str) -> Any:
        """For workgroup look-ups, which moto answers behind the same endpoint."""
        with self._lock:
            if region not in self._athena:
                session = boto3.session.Session(
                    aws_access_key_id=INTERNAL_ACCESS_KEY_ID,
                    aws_secret_access_key="athena-lite-internal",  # any key is accepted locally
                    region_name=region,
                )
                self._athena[region] = self._bind(
                    session.client(
                        "athena",
                        endpoint_url=self.endpoint_url,
                        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
                    )
                )
            return self._athena[region]

    def write(self, location: str, body: bytes, region: str) -> None:
        """ResultStore: put a query's result file."""
        bucket, key = split_s3_location(location)
        self.for_region(region).s3.put_object(Bucket=bucket, Key=key, Body=body)

    def read(self, location: str, region: str) -> bytes:
        """ResultStore: a query's result file."""
        bucket, key = split_s3_location(location)
        body: bytes = self.for_region(region).s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        return body
