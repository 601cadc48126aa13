"""The journal file, the data-dir lock, and which requests count as changes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from dbt_athena_lite.emulator.persistence.journal import INLINE_BODY_LIMIT, Journal, JournalRecord
from dbt_athena_lite.emulator.persistence.lock import DataDirInUseError, DataDirLock
from dbt_athena_lite.emulator.persistence.mutations import assigned_ids, is_mutating
from dbt_athena_lite.emulator.persistence.replay import map_ids_in_query
from dbt_athena_lite.emulator.stats import ApiCall


def _record(path: str, body: bytes = b"", blob: str | None = None) -> JournalRecord:
    return JournalRecord("PUT", path, "", {"HTTP_HOST": "h"}, at=1.5, inline_body=body, blob=blob)


def test_records_round_trip_with_inline_and_blob_bodies(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    big = b"x" * (INLINE_BODY_LIMIT + 1)
    blob = journal.store_blob(big)
    journal.sync(journal.append(_record("/b/small", b"\x00\xff")))
    journal.sync(journal.append(_record("/b/big", blob=blob)))
    journal.close()
    reopened = Journal(tmp_path)
    records = list(reopened.records())
    assert [r.path for r in records] == ["/b/small", "/b/big"]
    assert [reopened.body(r) for r in records] == [b"\x00\xff", big]
    assert records[0] == _record("/b/small", b"\x00\xff")


def test_one_sync_covers_every_line_written_before_it(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    first = journal.append(_record("/b/1"))
    second = journal.append(_record("/b/2"))
    journal.sync(second)
    journal.sync(first)  # already durable: returns without another fsync
    assert first < second == journal.path.stat().st_size
    journal.close()


def test_a_line_torn_by_a_crash_is_cut_off_on_open(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.sync(journal.append(_record("/b/kept")))
    journal.close()
    with journal.path.open("ab") as file:
        file.write(b'{"method":"PUT","pa')  # the crash came mid-write, before the fsync returned
    reopened = Journal(tmp_path)
    reopened.sync(reopened.append(_record("/b/after")))
    assert [r.path for r in reopened.records()] == ["/b/kept", "/b/after"]


def test_rewrite_replaces_the_journal_and_deletes_unnamed_blobs(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    kept_blob, dropped_blob = journal.store_blob(b"k"), journal.store_blob(b"d")
    journal.append(_record("/b/kept", blob=kept_blob))
    journal.append(_record("/b/dropped", blob=dropped_blob))
    journal.rewrite([_record("/b/kept", blob=kept_blob)])
    journal.sync(journal.append(_record("/b/new")))
    assert [r.path for r in journal.records()] == ["/b/kept", "/b/new"]
    assert sorted(p.name for p in journal.blob_dir.iterdir()) == [kept_blob]


def test_blobs_that_no_line_names_are_deleted(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    named = journal.store_blob(b"named")
    journal.store_blob(b"orphan")  # the crash came before its line was written
    journal.sync(journal.append(_record("/b/k", blob=named)))
    journal.delete_unnamed_blobs(journal.records())
    assert [p.name for p in journal.blob_dir.iterdir()] == [named]


def test_a_second_lock_on_the_directory_names_the_holder(tmp_path: Path) -> None:
    first = DataDirLock(tmp_path)
    first.acquire()
    with pytest.raises(DataDirInUseError, match=rf"data directory {tmp_path} is in use by .* \(pid \d+\)"):
        DataDirLock(tmp_path).acquire()
    first.release()
    second = DataDirLock(tmp_path)
    second.acquire()  # free again once released (the kernel also frees it when a process dies)
    second.release()


def test_a_newcomer_waits_for_an_owner_that_is_stopping(tmp_path: Path) -> None:
    owner = DataDirLock(tmp_path)
    owner.acquire()
    owner.mark_stopping()
    newcomer = DataDirLock(tmp_path)
    waiting = threading.Thread(target=newcomer.acquire)
    waiting.start()
    owner.release()
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    assert newcomer.path.read_text() == f"{os.getpid()}\n"
    newcomer.release()


def _call(service: str, action: str) -> ApiCall:
    return ApiCall(service=service, action=action, access_key_id="AKIA", region="us-east-1")


@pytest.mark.parametrize(
    ("method", "path", "query", "call", "expected"),
    [
        ("PUT", "/b/k", "", _call("s3", "PutObject"), True),
        ("DELETE", "/b/k", "", _call("s3", "DeleteObject"), True),
        ("GET", "/b/k", "", _call("s3", "GetObject"), False),
        ("HEAD", "/b", "", _call("s3", "HeadBucket"), False),
        ("POST", "/b/k", "select&select-type=2", _call("s3", "POST:object"), False),
        ("POST", "/", "", _call("glue", "CreateTable"), True),
        ("POST", "/", "", _call("glue", "BatchDeletePartition"), True),
        ("POST", "/", "", _call("glue", "GetTables"), False),
        ("POST", "/", "", _call("glue", "BatchGetPartition"), False),
        ("POST", "/", "", _call("athena", "CreateWorkGroup"), True),
        ("POST", "/", "", _call("athena", "ListWorkGroups"), False),
        ("POST", "/", "", _call("sts", "AssumeRole"), False),
        ("PUT", "/b/k", "", None, True),  # unsigned: an anonymous S3 write
        ("POST", "/", "", None, True),
        ("POST", "/moto-api/reset", "", None, True),
        ("POST", "/moto-api/seed", "a=42", None, False),
    ],
)
def test_which_requests_are_journaled(
    method: str, path: str, query: str, call: ApiCall | None, expected: bool
) -> None:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
    assert is_mutating(environ, call) is expected


@pytest.mark.parametrize(
    ("target", "expected"), [("AWSGlue.GetTables", False), ("AWSGlue.CreateTable", True)]
)
def test_unsigned_json_calls_are_judged_by_their_target(target: str, expected: bool) -> None:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "HTTP_X_AMZ_TARGET": target}
    assert is_mutating(environ, None) is expected


def test_ids_moto_assigns_are_read_from_its_answers() -> None:
    body = b"<InitiateMultipartUploadResult><UploadId>abc+/=</UploadId></InitiateMultipartUploadResult>"
    assert assigned_ids({}, body) == {"uploadId": "abc+/="}
    assert assigned_ids({"x-amz-version-id": "v1"}, b"") == {"versionId": "v1"}
    assert assigned_ids({"x-amz-version-id": "null"}, b"") == {}


def test_replay_quotes_the_new_ids_where_the_old_ones_were() -> None:
    ids = {"uploadId": {"abc+/=": "new id"}}
    assert map_ids_in_query("partNumber=1&uploadId=abc%2B%2F%3D", ids) == "partNumber=1&uploadId=new%20id"
    assert map_ids_in_query("uploadId=unknown", ids) == "uploadId=unknown"
