"""Durable state for the emulator (`--data-dir DIR`): a write-ahead journal of requests.

Why a journal of requests rather than a dump of moto's objects: moto's models are internal
and change between releases, while its HTTP API is the contract we already depend on. Every
request that changes state (S3 writes, Glue and Athena workgroup changes) and that moto
answered with success is appended to `DIR/journal.jsonl` and fsynced before the client
gets the answer; on start the journal is compacted (requests whose effect a later request
undid are dropped) and replayed through a fresh moto app before the server answers
anything. Reads are never journaled; query executions (Athena's history) are not kept,
their result files are (they are S3 objects).

- journal.py: the file format, group-committed appends, blobs for large bodies
- mutations.py: which requests change state
- compaction.py: dropping superseded requests
- replay.py: applying a journal to moto
- lock.py: one emulator per directory
- durable.py: DurableMoto, the WSGI wrapper that ties them together
"""

from __future__ import annotations

from dbt_athena_lite.emulator.persistence.durable import CALL_KEY, DurableMoto, RestoreReport
from dbt_athena_lite.emulator.persistence.lock import DataDirError, DataDirInUseError

__all__ = ["CALL_KEY", "DataDirError", "DataDirInUseError", "DurableMoto", "RestoreReport"]
