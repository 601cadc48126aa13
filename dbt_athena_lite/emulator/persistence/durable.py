"""DurableMoto: moto's WSGI app with every successful change journaled before it is answered."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbt_athena_lite.emulator.persistence.clock import moto_clock
from dbt_athena_lite.emulator.persistence.compaction import compact
from dbt_athena_lite.emulator.persistence.journal import INLINE_BODY_LIMIT, Journal, JournalRecord
from dbt_athena_lite.emulator.persistence.lock import DataDirError, DataDirLock
from dbt_athena_lite.emulator.persistence.mutations import assigned_ids, is_mutating
from dbt_athena_lite.emulator.persistence.replay import ReplayReport, replay
from dbt_athena_lite.emulator.stats import ApiCall
from dbt_athena_lite.emulator.wsgi import call_app, read_body, status_code

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

CALL_KEY = "athena_lite.call"  # the ApiCall the front app identified, if any
# Request headers not kept: how the request travelled (replay sends a plain body), who sent
# it, and credentials (a session token is a secret; the signature is useless once checked).
_UNKEPT_HEADERS = frozenset(
    {
        "HTTP_TRANSFER_ENCODING",
        "HTTP_CONNECTION",
        "HTTP_EXPECT",
        "HTTP_KEEP_ALIVE",
        "HTTP_USER_AGENT",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_AMZ_SDK_INVOCATION_ID",
        "HTTP_AMZ_SDK_REQUEST",
        "HTTP_X_AMZ_SECURITY_TOKEN",
    }
)
_UNKEPT_QUERY_PARAMETERS = ("X-Amz-Signature=", "X-Amz-Security-Token=", "Signature=")
_SIGV4_SIGNATURE = re.compile(r"Signature=[0-9a-f]+")


@dataclass(frozen=True)
class RestoreReport:
    """What opening the data directory did."""

    journaled: int  # records found
    compacted_to: int  # records kept after compaction
    replay: ReplayReport


def _kept_headers(environ: WSGIEnvironment) -> dict[str, str]:
    """The headers moto needs to replay a request: the credential scope of Authorization
    (access key, region, service: moto derives account and region from them), not its
    signature; content type and checksums; S3's x-amz-* options."""
    headers = {
        name: str(value)
        for name, value in environ.items()
        if (name.startswith("HTTP_") and name not in _UNKEPT_HEADERS) or name == "CONTENT_TYPE"
    }
    if "HTTP_AUTHORIZATION" in headers:
        headers["HTTP_AUTHORIZATION"] = _SIGV4_SIGNATURE.sub("Signature=0", headers["HTTP_AUTHORIZATION"])
    return headers


def _kept_query(query: str) -> str:
    """A presigned URL's query without its signature and session token."""
    if "Signature=" not in query and "Security-Token=" not in query:
        return query
    return "&".join(part for part in query.split("&") if not part.startswith(_UNKEPT_QUERY_PARAMETERS))


def _record_of(environ: WSGIEnvironment, body: bytes, blob: str | None) -> JournalRecord:
    raw_uri = environ.get("RAW_URI")
    return JournalRecord(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=str(environ.get("PATH_INFO", "/")),
        query=_kept_query(str(environ.get("QUERY_STRING", ""))),
        headers=_kept_headers(environ),
        at=0.0,  # set when moto applies it
        raw_uri=str(raw_uri).split("?", 1)[0] if raw_uri is not None else None,
        inline_body=b"" if blob else body,
        blob=blob,
    )


class DurableMoto:
    """Wraps moto's app: restores the data directory's journal at construction, then
    journals each mutating request that moto answers with success, fsynced before the
    answer goes back.

    Each service's changes are applied and journaled under that service's lock, so the
    journal's order is the order moto applied them; services do not depend on each other's
    state (a Glue table may name a bucket that does not exist), so they need no common
    order. The fsync happens after the lock is released and is shared (group commit)."""

    def __init__(self, directory: Path, moto_app: WSGIApplication) -> None:
        self.directory = directory
        self._moto = moto_app
        self._clock = moto_clock()
        self._lock = DataDirLock(directory)
        try:
            self._lock.acquire()
            self.journal = Journal(directory)
            self.restored = self._restore()
        except OSError as error:
            self._lock.release()
            raise DataDirError(f"cannot use data directory {directory}: {error}") from error
        except BaseException:
            self._lock.release()
            raise
        self._service_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def _restore(self) -> RestoreReport:
        records = list(self.journal.records())
        kept = compact(records, self.journal.body)
        if len(kept) < len(records):
            self.journal.rewrite(kept)
        else:
            self.journal.delete_unnamed_blobs(kept)
        report = replay(self._moto, kept, self.journal.body)
        logger.info(
            "restored %s: %d journaled requests, %d after compaction, replayed in %.2fs (%d refused)",
            self.directory,
            len(records),
            len(kept),
            report.seconds,
            report.failed,
        )
        return RestoreReport(journaled=len(records), compacted_to=len(kept), replay=report)

    def _service_lock(self, call: ApiCall | None) -> threading.Lock:
        name = call.service if call else "s3"  # unsigned writes are anonymous S3 writes
        with self._locks_lock:
            return self._service_locks.setdefault(name, threading.Lock())

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        call = environ.get(CALL_KEY)
        call = call if isinstance(call, ApiCall) else None
        if not is_mutating(environ, call):
            return self._moto(environ, start_response)
        body = read_body(environ)
        # A large body is made durable before taking the lock, so uploads overlap.
        blob = self.journal.store_blob(body) if len(body) > INLINE_BODY_LIMIT else None
        record = _record_of(environ, body, blob)
        position = None
        with self._service_lock(call):
            applied_at = time.time()
            with self._clock.pinned(applied_at):  # moto dates what it creates as replay will
                status, headers, payload = call_app(self._moto, environ)
            if 200 <= status_code(status) < 300:
                record = replace(record, at=applied_at, assigned=assigned_ids(dict(headers), payload))
                position = self.journal.append(record)
        if position is not None:
            self.journal.sync(position)
        elif blob:
            self.journal.discard_blob(blob)
        start_response(status, headers)
        return [payload]

    def stopping(self) -> None:
        """The server is shutting down: a new emulator on this directory waits for us."""
        self._lock.mark_stopping()

    def close(self) -> None:
        self.journal.close()
        self._lock.release()
