"""Small WSGI helpers shared by the front app and the journal's replay."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

BODY_KEY = "athena_lite.body"


def read_body(environ: WSGIEnvironment) -> bytes:
    """Read the request body once and put it back for moto, which reads it again."""
    cached = environ.get(BODY_KEY)
    if isinstance(cached, bytes):
        return cached
    stream = environ["wsgi.input"]
    if environ.get("CONTENT_LENGTH"):
        body: bytes = stream.read(int(environ["CONTENT_LENGTH"]))
    elif environ.get("wsgi.input_terminated"):  # chunked: the server ends the stream for us
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ[BODY_KEY] = body
    return body


def call_app(app: WSGIApplication, environ: WSGIEnvironment) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run one request through a WSGI app, buffered: (status line, headers, body)."""
    captured: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[..., Any]:
        captured["status"], captured["headers"] = status, headers
        return lambda _data: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if callable(close):
            close()
    return str(captured["status"]), list(captured["headers"]), body


def status_code(status: str) -> int:
    return int(status.split(" ", 1)[0])
