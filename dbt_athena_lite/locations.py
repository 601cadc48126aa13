"""Where a table's data lives in S3: pure functions of the profile, the model config and the relation.

Root: `s3_tmp_table_dir` for temporary relations if set, else `s3_data_dir`, else
`s3_staging_dir + "tables/"`. The naming convention appends parts under the root; the `*unique`
namings end in a fresh UUID, so every build writes to a new prefix. `external_location` replaces
all of this for non-temporary relations (a temporary relation never goes to the user's fixed path).
A model's `s3_data_dir` / `s3_data_naming` config overrides the profile's, as in dbt-athena.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from dbt_athena_lite import s3_paths

NAMINGS = ("unique", "table", "table_unique", "schema_table", "schema_table_unique")
DEFAULT_NAMING = "schema_table_unique"

# The namings whose every build gets a new prefix: a rebuild can sit beside the old data.
UNIQUE_NAMINGS = frozenset({"unique", "table_unique", "schema_table_unique"})


@dataclass(frozen=True)
class DataRoots:
    """The S3 directories dbt writes tables under (profile values, model overrides applied)."""

    s3_staging_dir: str
    s3_data_dir: str | None = None
    s3_tmp_table_dir: str | None = None

    @property
    def default_root(self) -> str:
        """Where tables go when no data directory is set: Athena's own CTAS default."""
        return s3_paths.join(self.s3_staging_dir, "tables") + "/"

    def root(self, *, temporary: bool) -> str:
        if temporary and self.s3_tmp_table_dir:
            return self.s3_tmp_table_dir
        return self.s3_data_dir or self.default_root

    def all(self) -> tuple[str, ...]:
        """Every root a table dbt builds may live under (for the S3 delete guard)."""
        found = [self.s3_data_dir, self.s3_tmp_table_dir, self.default_root]
        return tuple(dict.fromkeys(s3_paths.as_directory(r) for r in found if r))


def naming_parts(naming: str, schema: str, table: str, unique_id: str) -> tuple[str, ...]:
    """The path segments a naming convention puts under the root."""
    parts = {
        "unique": (unique_id,),
        "table": (table,),
        "table_unique": (table, unique_id),
        "schema_table": (schema, table),
        "schema_table_unique": (schema, table, unique_id),
    }
    if naming not in parts:
        raise ValueError(f"s3_data_naming {naming!r} is not one of: {', '.join(NAMINGS)}")
    return parts[naming]


def table_location(
    roots: DataRoots,
    *,
    schema: str,
    table: str,
    naming: str = DEFAULT_NAMING,
    external_location: str | None = None,
    temporary: bool = False,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> str:
    """The S3 location (no trailing slash) for a table dbt is about to create."""
    if external_location and not temporary:
        return s3_paths.as_directory(external_location).rstrip("/")
    return s3_paths.join(roots.root(temporary=temporary), *naming_parts(naming, schema, table, new_id()))


def is_fixed(naming: str, external_location: str | None) -> bool:
    """True when every build of the table lands on the same prefix (so a rebuild must move data)."""
    return bool(external_location) or naming not in UNIQUE_NAMINGS
