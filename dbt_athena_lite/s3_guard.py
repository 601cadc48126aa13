"""The one way dbt-athena-lite deletes S3 data: a pure decision, then a thin executor that logs.

A delete is allowed only when the prefix
- is not a bucket root,
- lies within the location of the table being deleted (never a parent of it: a prefix shorter than
  the table's own location would take sibling tables with it),
- lies within an allowed root: a data directory (the profile's `s3_data_dir`, `s3_tmp_table_dir`,
  `s3_staging_dir` + "tables/", the model's own `s3_data_dir`) or the model's declared
  `external_location`,
- is not a data directory itself and does not contain one (other tables live there).

Everything else raises `S3DeleteRefused`, naming the path, the rule and the fix. Callers check
before they change anything (`check_delete`), so a refused delete fails a model before it touches
the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dbt.adapters.events.logging import AdapterLogger
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import s3_paths

logger = AdapterLogger("AthenaLite")


class S3DeleteRefused(DbtRuntimeError):
    """A delete the guard will not run; the message names the path, the rule and the fix."""

    def __init__(self, prefix: str, rule: str, fix: str) -> None:
        super().__init__(f"Refusing to delete {prefix}: {rule}. {fix}")
        self.prefix = prefix
        self.rule = rule


@dataclass(frozen=True)
class DeleteRequest:
    """What is to be deleted and whose data it is."""

    prefix: str  # the S3 prefix to empty
    table: str  # "schema.table", for messages
    table_location: str  # the table's own location: the prefix must lie within it
    data_roots: tuple[str, ...]  # directories that hold many tables (profile and model s3_data_dir, ...)
    declared_location: str | None = None  # the model's external_location: the one table's own directory


def check_delete(request: DeleteRequest) -> str:
    """Return the normalised prefix (`s3://bucket/key/`) if the delete is allowed; raise otherwise."""
    try:
        prefix = s3_paths.as_directory(request.prefix)
    except s3_paths.InvalidS3Path as error:
        raise S3DeleteRefused(request.prefix, f"it is not an S3 path ({error})", _NOT_OURS) from None
    if s3_paths.parse_s3_path(prefix).is_bucket_root:
        raise S3DeleteRefused(
            prefix,
            f"it is the root of a bucket (table {request.table} points there)",
            "Give the table its own prefix: set external_location to a directory such as "
            f"'{prefix}{request.table.replace('.', '/')}/', or remove it to use s3_data_dir",
        )
    if not s3_paths.is_within(prefix, request.table_location):
        raise S3DeleteRefused(
            prefix,
            f"it is not within the location of table {request.table} ({request.table_location})",
            _NOT_OURS,
        )
    data_roots = [s3_paths.as_directory(root) for root in request.data_roots]
    allowed = data_roots + (
        [s3_paths.as_directory(request.declared_location)] if request.declared_location else []
    )
    if not any(s3_paths.is_within(prefix, root) for root in allowed):
        raise S3DeleteRefused(
            prefix,
            "it is outside the directories dbt writes tables to (" + ", ".join(allowed) + ")",
            "Set s3_data_dir (profile or model config) to a directory that contains it, or declare it as "
            "the model's external_location, or delete the data yourself if it is no longer needed",
        )
    swallowed = [root for root in data_roots if s3_paths.is_within(root, prefix)]
    if swallowed:
        raise S3DeleteRefused(
            prefix,
            f"it contains the data directory {swallowed[0]}, where other tables live",
            "Give the table a location of its own below that directory (s3_data_naming or external_location)",
        )
    return prefix


_NOT_OURS = (
    "dbt only deletes data below the location of the table it replaces or drops; "
    "check the table's LOCATION in Glue and the model's external_location"
)


class PrefixDeleter(Protocol):
    def delete_prefix(self, prefix: str) -> int: ...


def guarded_delete(storage: PrefixDeleter, requests: Iterable[DeleteRequest]) -> int:
    """Check every request first (all or nothing), then delete; returns the number of objects deleted."""
    prefixes = _outermost([check_delete(request) for request in requests])
    deleted = 0
    for prefix in prefixes:
        count = storage.delete_prefix(prefix)
        if count:
            logger.info(f"Deleted {count} objects under {prefix}")
        deleted += count
    return deleted


def _outermost(prefixes: Sequence[str]) -> list[str]:
    """Drop prefixes nested in another one (partitions below their table's location)."""
    unique = sorted(set(prefixes), key=len)
    kept: list[str] = []
    for prefix in unique:
        if not any(s3_paths.is_within(prefix, outer) for outer in kept):
            kept.append(prefix)
    return kept
