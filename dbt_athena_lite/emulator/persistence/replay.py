"""Replaying journaled requests through a fresh moto app, in order, before serving.

Each record becomes the WSGI request it was (same method, path, query, headers, body), so
moto's own request handling rebuilds the state, region and account included. Two things
differ from the first time, and are put right here:
- ids moto makes up (multipart UploadIds, VersionIds) are new: later requests quoting the
  old id are rewritten to the new one;
- the clock: moto stamps objects and Glue tables with "now"; during replay its clock reads
  the time of the original request (see clock.py), so LastModified and CreateTime survive.
"""

from __future__ import annotations

import io
import logging
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from dbt_athena_lite.emulator.persistence.clock import moto_clock
from dbt_athena_lite.emulator.persistence.journal import JournalRecord
from dbt_athena_lite.emulator.persistence.mutations import assigned_ids
from dbt_athena_lite.emulator.wsgi import call_app, status_code

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplayReport:
    records: int
    failed: int
    seconds: float


def map_ids_in_query(query: str, ids: dict[str, dict[str, str]]) -> str:
    """`query` with uploadId / versionId values replaced by the ids of this replay."""
    if not ids or not query:
        return query
    parts = []
    for part in query.split("&"):
        name, sep, value = part.partition("=")
        new = ids.get(unquote(name), {}).get(unquote(value))
        parts.append(f"{name}={quote(new, safe='')}" if sep and new else part)
    return "&".join(parts)


def request_environ(record: JournalRecord, body: bytes, query: str) -> WSGIEnvironment:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": record.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": record.path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        **record.headers,
    }
    if record.raw_uri is not None:
        path = record.raw_uri.split("?", 1)[0]
        environ["RAW_URI"] = f"{path}?{query}" if query else path
    return environ  # type: ignore[return-value]


def replay(
    app: WSGIApplication, records: Iterable[JournalRecord], body_of: Callable[[JournalRecord], bytes]
) -> ReplayReport:
    """Apply `records` to `app` in order. A record moto refuses now is logged and skipped:
    the rest of the state is still worth having."""
    started = time.perf_counter()
    clock = moto_clock()
    ids: dict[str, dict[str, str]] = {}
    count = failed = 0
    for record in records:
        count += 1
        with clock.pinned(record.at):
            query = map_ids_in_query(record.query, ids)
            status_line, header_list, body = call_app(app, request_environ(record, body_of(record), query))
        status, headers = status_code(status_line), dict(header_list)
        if not 200 <= status < 300:
            failed += 1
            logger.warning(
                "replay: %s %s?%s answered %d: %s",
                record.method,
                record.path,
                query,
                status,
                body[:300].decode(errors="replace"),
            )
            continue
        new_ids = assigned_ids(headers, body)
        for name, old in record.assigned.items():
            if name in new_ids:
                ids.setdefault(name, {})[old] = new_ids[name]
    return ReplayReport(records=count, failed=failed, seconds=time.perf_counter() - started)
