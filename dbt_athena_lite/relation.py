"""How Athena relations are named and rendered."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbt.adapters.base.relation import BaseRelation, EventTimeFilter
from dbt.adapters.contracts.relation import Policy

from dbt_athena_lite.incremental import timestamp_literal


@dataclass
class AthenaLiteQuotePolicy(Policy):
    database: bool = True
    schema: bool = True
    identifier: bool = True


@dataclass
class AthenaLiteHiveIncludePolicy(Policy):
    # Hive DDL (CREATE EXTERNAL TABLE, DROP TABLE, ALTER TABLE) does not accept the catalog part.
    database: bool = False
    schema: bool = True
    identifier: bool = True


@dataclass(frozen=True, eq=False, repr=False)
class AthenaLiteRelation(BaseRelation):
    quote_policy: Policy = field(default_factory=AthenaLiteQuotePolicy)
    # Athena has no table comments on the relation itself; it also needs no subquery alias for LIMIT.
    require_alias: bool = False

    def render_hive(self) -> str:
        """The relation as Hive DDL wants it: `schema`.`table`, backticks, no catalog."""
        hive = self.include(database=False).replace(quote_character="`")
        return hive.render()

    def render_pure(self) -> str:
        """Unquoted schema.table, for messages and S3 paths."""
        return ".".join(part for part in (self.schema, self.identifier) if part)

    def _render_event_time_filtered(self, event_time_filter: EventTimeFilter) -> str:
        """dbt's microbatch filter with typed bounds: Athena will not compare a timestamp with text."""
        field = event_time_filter.field_name
        bounds = []
        if event_time_filter.start:
            bounds.append(f"{field} >= {timestamp_literal(event_time_filter.start)}")
        if event_time_filter.end:
            bounds.append(f"{field} < {timestamp_literal(event_time_filter.end)}")
        return " and ".join(bounds)
