"""dbt descriptions written into a Glue table entry, as Athena shows them.

Athena's DDL puts a table comment in `Parameters.comment` (SHOW CREATE TABLE, DESCRIBE) and Glue's
console shows `Description`: both get the model description. Column comments go on the Glue columns
(partition keys included). Everything else in the entry is kept as GetTable returned it, and an
unchanged entry is not written at all, so a rerun adds no Glue table version.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite.aws.glue import GlueCatalog, table_input_from
from dbt_athena_lite.retry import client_error_code

# Glue's limits, in UTF-8 bytes (longer values are refused outright). A column comment must also be
# a single line (the API's single-line string pattern), so its line breaks become spaces.
MAX_DESCRIPTION_BYTES = 2048
MAX_COLUMN_COMMENT_BYTES = 255
_ELLIPSIS = "..."
WRITE_ATTEMPTS = 3  # reads and writes of an entry that others (an Iceberg commit) may change meanwhile


@dataclass(frozen=True)
class DocsUpdate:
    table_input: dict[str, Any] | None  # None: Glue already holds these docs
    missing_columns: list[str] = field(default_factory=list)  # documented, but not in the table
    truncated: list[str] = field(default_factory=list)  # "table" and/or column names cut to Glue's limits


def _fit(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-8 bytes (never inside a character), marked with an ellipsis."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[: limit - len(_ELLIPSIS)].decode("utf-8", errors="ignore") + _ELLIPSIS


def _single_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def docs_update(
    raw_table: Mapping[str, Any], description: str | None, columns: Mapping[str, Mapping[str, Any]]
) -> DocsUpdate:
    """The UpdateTable input that puts `description` and the column docs on `raw_table` (a GetTable result).

    `columns` is dbt's `model.columns`: name -> {"description": ..., "quote": ...}. A column marked
    `quote: true` must match exactly; others match case-insensitively, as in dbt's own check.
    """
    table = copy.deepcopy(dict(raw_table))
    truncated: list[str] = []
    if description:
        text = _fit(description, MAX_DESCRIPTION_BYTES)
        if text != description:
            truncated.append("table")
        table["Description"] = text
        table["Parameters"] = {**(table.get("Parameters") or {}), "comment": text}

    glue_columns = (table.get("StorageDescriptor") or {}).get("Columns") or []
    glue_columns = [*glue_columns, *(table.get("PartitionKeys") or [])]
    missing: list[str] = []
    for name, doc in columns.items():
        target = _find_column(glue_columns, name, quoted=bool(doc.get("quote")))
        if target is None:
            missing.append(name)
            continue
        comment = doc.get("description") or ""
        if not comment:
            continue
        single_line = _single_line(comment)
        text = _fit(single_line, MAX_COLUMN_COMMENT_BYTES)
        if text != single_line:
            truncated.append(name)
        target["Comment"] = text

    changed = table != raw_table
    return DocsUpdate(table_input_from(table) if changed else None, missing, truncated)


def _find_column(glue_columns: list[dict[str, Any]], name: str, *, quoted: bool) -> dict[str, Any] | None:
    for column in glue_columns:
        if column["Name"] == name or (not quoted and column["Name"].lower() == name.lower()):
            return column
    return None


def write(
    glue: GlueCatalog,
    schema: str,
    name: str,
    description: str | None,
    columns: Mapping[str, Mapping[str, Any]],
) -> DocsUpdate:
    """Put the docs on the Glue entry of `schema.name`: one GetTable, and an UpdateTable only if they
    change it. The update names the version it was computed from, so an entry changed meanwhile is
    read again rather than overwritten with stale fields."""
    attempt = 1
    while True:
        raw = glue.get_raw_table(schema, name)
        if raw is None:
            raise DbtRuntimeError(f"Cannot persist docs: {schema}.{name} is not in the Glue catalog")
        update = docs_update(raw, description, columns)
        if update.table_input is None:
            return update
        try:
            # Only descriptions change: an archived Glue version per docs update would crowd out real ones.
            glue.update_table(schema, update.table_input, skip_archive=True, version_id=raw.get("VersionId"))
            return update
        except ClientError as error:
            if client_error_code(error) != "ConcurrentModificationException" or attempt >= WRITE_ATTEMPTS:
                raise
            attempt += 1
