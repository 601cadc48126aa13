"""One statement being executed: its text, tree, context, clients and DuckDB cursor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import QueryCancelled, QueryContext
from dbt_athena_lite.emulator.engine.clients import EngineClients
from dbt_athena_lite.emulator.engine.translate import Translator


@dataclass
class Statement:
    sql: str
    tree: exp.Expression
    context: QueryContext
    clients: EngineClients
    cursor: duckdb.DuckDBPyConnection
    translator: Translator

    @property
    def glue(self) -> Any:
        return self.clients.glue

    @property
    def s3(self) -> Any:
        return self.clients.s3

    def check_cancelled(self) -> None:
        """Called between steps: a stopped query ends before its next Glue/S3 change."""
        if self.context.cancelled.is_set():
            raise QueryCancelled(self.context.query_id)
