"""The Glue encoding of Athena views (TableType VIRTUAL_VIEW).

Athena stores the view definition as base64 JSON in ViewOriginalText, wrapped as
`/* Presto View: <base64> */`; ViewExpandedText is the constant `/* Presto View */`. Other tools
(dbt-athena, awswrangler, the console) write the same shape, so views round-trip between them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_PREFIX = "/* Presto View: "
_SUFFIX = " */"
EXPANDED_TEXT = "/* Presto View */"


@dataclass(frozen=True)
class PrestoView:
    original_sql: str
    catalog: str
    schema: str
    columns: Sequence[tuple[str, str]]  # (name, Athena type)
    owner: str | None = None
    run_as_invoker: bool = False


def encode(view: PrestoView) -> str:
    payload: dict[str, Any] = {
        "originalSql": view.original_sql,
        "catalog": view.catalog,
        "schema": view.schema,
        "columns": [{"name": name, "type": athena_type} for name, athena_type in view.columns],
        "owner": view.owner,
        "runAsInvoker": view.run_as_invoker,
    }
    if view.owner is None:
        del payload["owner"]
    data = json.dumps(payload, separators=(",", ":")).encode()
    return _PREFIX + base64.b64encode(data).decode() + _SUFFIX


def decode(original_text: str, *, default_catalog: str, default_schema: str) -> PrestoView:
    """Read a view definition; a plain-SQL ViewOriginalText (a Hive view) is taken as its query."""
    text = original_text.strip()
    if not (text.startswith(_PREFIX) and text.endswith(_SUFFIX)):
        return PrestoView(text, default_catalog, default_schema, ())
    payload = json.loads(base64.b64decode(text[len(_PREFIX) : -len(_SUFFIX)].strip()))
    return PrestoView(
        original_sql=payload["originalSql"],
        catalog=payload.get("catalog") or default_catalog,
        schema=payload.get("schema") or default_schema,
        columns=[(c["name"], c["type"]) for c in payload.get("columns", ())],
        owner=payload.get("owner"),
        run_as_invoker=bool(payload.get("runAsInvoker", False)),
    )


def view_table_input(name: str, view: PrestoView, glue_columns: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The Glue TableInput Athena writes for `CREATE VIEW`."""
    return {
        "Name": name,
        "TableType": "VIRTUAL_VIEW",
        "Parameters": {"presto_view": "true", "comment": "Presto View"},
        "ViewOriginalText": encode(view),
        "ViewExpandedText": EXPANDED_TEXT,
        "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [{"Name": column, "Type": glue_type} for column, glue_type in glue_columns],
            "SerdeInfo": {},
            "Location": "",
        },
    }
