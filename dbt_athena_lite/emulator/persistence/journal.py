"""The journal: mutating requests that succeeded, in the order moto applied them.

`journal.jsonl` holds one JSON object per request (method, path, query, headers, body);
bodies over INLINE_BODY_LIMIT live in `blobs/<id>`, written and fsynced before the line that
names them. Appends are group-committed: `append` writes the line, `sync` fsyncs, and one
fsync covers every line written before it, so concurrent requests share the cost. A line
torn by a crash (never acknowledged: its fsync had not returned) is cut off on open.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOURNAL_FILE = "journal.jsonl"
BLOB_DIR = "blobs"
INLINE_BODY_LIMIT = 64 * 1024  # larger bodies (S3 uploads) go to their own file


@dataclass(frozen=True)
class JournalRecord:
    """One applied request. `headers` are WSGI environ keys (HTTP_*, CONTENT_TYPE);
    `assigned` are ids moto chose in its response (uploadId, versionId), which replay maps
    to the ids the new moto chooses."""

    method: str
    path: str  # PATH_INFO (decoded)
    query: str  # QUERY_STRING (as sent)
    headers: Mapping[str, str]
    at: float  # epoch seconds when applied: replay dates objects and tables with it
    raw_uri: str | None = None  # RAW_URI: moto reads S3 keys with special characters from it
    inline_body: bytes = b""
    blob: str | None = None
    assigned: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": dict(self.headers),
            "at": self.at,
        }
        if self.raw_uri is not None:
            data["raw_uri"] = self.raw_uri
        if self.inline_body:
            data["body"] = base64.b64encode(self.inline_body).decode("ascii")
        if self.blob:
            data["blob"] = self.blob
        if self.assigned:
            data["assigned"] = dict(self.assigned)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> JournalRecord:
        data = json.loads(line)
        return cls(
            method=data["method"],
            path=data["path"],
            query=data["query"],
            headers=data["headers"],
            at=float(data["at"]),
            raw_uri=data.get("raw_uri"),
            inline_body=base64.b64decode(data.get("body", "")),
            blob=data.get("blob"),
            assigned=data.get("assigned", {}),
        )


def _fsync_directory(path: Path) -> None:
    """A new or renamed file survives a crash only once its directory entry is synced."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Journal:
    """Append-only journal in `directory` (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / JOURNAL_FILE
        self.blob_dir = directory / BLOB_DIR
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        self._cut_torn_tail()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        _fsync_directory(directory)
        self._write_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._written = os.fstat(self._fd).st_size
        self._synced = self._written

    # ------------------------------------------------------------ reading

    def records(self) -> Iterator[JournalRecord]:
        if not self.path.exists():
            return
        with self.path.open("r", encoding="utf-8") as lines:
            for line in lines:
                yield JournalRecord.from_json(line)

    def body(self, record: JournalRecord) -> bytes:
        if record.blob is None:
            return record.inline_body
        return (self.blob_dir / record.blob).read_bytes()

    def _cut_torn_tail(self) -> None:
        """Drop a last line a crash left half-written (it was never acknowledged)."""
        if not self.path.exists():
            return
        good = 0
        with self.path.open("rb") as journal:
            for line in journal:
                if not line.endswith(b"\n"):
                    break
                try:
                    json.loads(line)
                except ValueError:
                    break
                good += len(line)
        if good != self.path.stat().st_size:
            os.truncate(self.path, good)

    # ------------------------------------------------------------ writing

    def store_blob(self, body: bytes) -> str:
        """Write a large body to its own file, durably; its name goes in the record."""
        name = uuid.uuid4().hex
        fd = os.open(self.blob_dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            _write_all(fd, body)
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_directory(self.blob_dir)
        return name

    def discard_blob(self, name: str) -> None:
        (self.blob_dir / name).unlink(missing_ok=True)

    def append(self, record: JournalRecord) -> int:
        """Write the record (not yet durable); returns the position to pass to `sync`."""
        line = (record.to_json() + "\n").encode("utf-8")
        with self._write_lock:
            _write_all(self._fd, line)
            self._written += len(line)
            return self._written

    def sync(self, position: int) -> None:
        """Return once everything up to `position` is on disk (one fsync may cover many)."""
        with self._sync_lock:
            if self._synced >= position:
                return
            target = self._written
            os.fsync(self._fd)
            self._synced = target

    def rewrite(self, records: Iterable[JournalRecord]) -> None:
        """Replace the journal with `records` atomically (compaction), then delete the blobs
        no record names any more. Not concurrent with appends: called before serving."""
        temporary = self.path.with_suffix(".tmp")
        kept_blobs: set[str] = set()  # collected while writing: `records` may be an iterator
        with temporary.open("w", encoding="utf-8") as out:
            for record in records:
                out.write(record.to_json() + "\n")
                if record.blob:
                    kept_blobs.add(record.blob)
            out.flush()
            os.fsync(out.fileno())
        with self._write_lock, self._sync_lock:
            os.replace(temporary, self.path)
            _fsync_directory(self.directory)
            os.close(self._fd)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            self._written = self._synced = os.fstat(self._fd).st_size
        self._delete_blobs_except(kept_blobs)

    def delete_unnamed_blobs(self, records: Iterable[JournalRecord]) -> None:
        """Delete blobs no record names: a crash between a blob and its line leaves one.
        Not concurrent with appends: called before serving."""
        self._delete_blobs_except({record.blob for record in records if record.blob})

    def _delete_blobs_except(self, names: set[str]) -> None:
        for blob in self.blob_dir.iterdir():
            if blob.name not in names:
                blob.unlink(missing_ok=True)

    def close(self) -> None:
        with self._write_lock:
            if self._fd >= 0:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = -1
