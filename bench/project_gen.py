"""Deterministic dbt projects for the adapter comparison: the same files serve both adapters.

`write_run_project(root, n)` writes N models that cycle through ten kinds (a source view, Hive
tables plain and partitioned, Iceberg tables plain and partitioned, Hive insert_overwrite and append
incrementals, an Iceberg merge incremental, a view and a join table downstream). Input data comes from
SQL (`sequence()`), scaled by the `batch` var: the first run uses batch 1, the incremental re-run
batch 2, so the re-run has new ids and new `day` partitions to process.

`write_docs_project(root, sources)` writes a project whose only nodes are sources, for
`dbt docs generate` against a large Glue catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROJECT_NAME = "athena_bench"
PROFILE_NAME = "athena_bench"
ROWS_PER_BATCH = 100

_SOURCE_VIEW = """{{{{ config(materialized='view') }}}}
select
  x as id,
  x % 7 as grp,
  'item-' || cast(x as varchar) as label,
  x * 0.5e0 as amount,
  date_add('day', x / 20, date '2024-01-01') as day
from unnest(sequence(1, {rows} * {{{{ var('batch', 1) }}}})) as t(x)
"""

# Each kind's body; `{src}` is the group's source view, `{table}`/`{iceberg}` its plain tables.
_KINDS: tuple[tuple[str, str], ...] = (
    ("view", _SOURCE_VIEW),
    (
        "hive_table",
        "{{{{ config(materialized='table', format='parquet') }}}}\nselect * from {{{{ ref('{src}') }}}}\n",
    ),
    (
        "hive_partitioned",
        "{{{{ config(materialized='table', format='parquet', partitioned_by=['day']) }}}}\n"
        "select id, grp, label, amount, day from {{{{ ref('{src}') }}}}\n",
    ),
    (
        "iceberg_table",
        "{{{{ config(materialized='table', table_type='iceberg') }}}}\nselect * from {{{{ ref('{src}') }}}}\n",
    ),
    (
        "hive_insert_overwrite",
        "{{{{ config(materialized='incremental', incremental_strategy='insert_overwrite',\n"
        "    format='parquet', partitioned_by=['day']) }}}}\n"
        "select id, grp, label, amount, day from {{{{ ref('{src}') }}}}\n"
        "{{% if is_incremental() %}}\nwhere day >= (select max(day) from {{{{ this }}}})\n{{% endif %}}\n",
    ),
    (
        "iceberg_merge",
        "{{{{ config(materialized='incremental', table_type='iceberg', incremental_strategy='merge',\n"
        "    unique_key='id') }}}}\n"
        "select id, grp, label, amount, day from {{{{ ref('{src}') }}}}\n"
        "{{% if is_incremental() %}}\nwhere day >= (select max(day) from {{{{ this }}}})\n{{% endif %}}\n",
    ),
    (
        "hive_append",
        "{{{{ config(materialized='incremental', incremental_strategy='append', format='parquet') }}}}\n"
        "select id, grp, label, amount, day from {{{{ ref('{src}') }}}}\n"
        "{{% if is_incremental() %}}\nwhere id > (select max(id) from {{{{ this }}}})\n{{% endif %}}\n",
    ),
    (
        "view_downstream",
        "{{{{ config(materialized='view') }}}}\n"
        "select grp, count(*) as items, sum(amount) as amount from {{{{ ref('{table}') }}}} group by grp\n",
    ),
    (
        "iceberg_partitioned",
        "{{{{ config(materialized='table', table_type='iceberg', partitioned_by=['day']) }}}}\n"
        "select id, grp, label, amount, day from {{{{ ref('{src}') }}}}\n",
    ),
    (
        "join_table",
        "{{{{ config(materialized='table', format='parquet') }}}}\n"
        "select h.id, h.grp, i.label, h.amount + i.amount as amount\n"
        "from {{{{ ref('{table}') }}}} h join {{{{ ref('{iceberg}') }}}} i on h.id = i.id\n",
    ),
)
KINDS = tuple(kind for kind, _ in _KINDS)


@dataclass(frozen=True)
class Model:
    name: str
    kind: str
    is_view: bool


def _name(index: int) -> str:
    return f"m{index:03d}_{KINDS[index % len(KINDS)]}"


def models_for(n: int) -> list[Model]:
    return [
        Model(_name(i), KINDS[i % len(KINDS)], KINDS[i % len(KINDS)].startswith("view")) for i in range(n)
    ]


def _project_yml(name: str) -> str:
    return (
        f"name: {name}\nversion: '1.0'\nconfig-version: 2\nprofile: {PROFILE_NAME}\nmodel-paths: ['models']\n"
    )


def write_run_project(root: Path, n: int) -> list[Model]:
    """N models in `root`; a model of a group beyond the first kinds refers back to its group's
    source view (index 10k) and plain tables (10k+1, 10k+3), present for every N >= 4."""
    models_dir = root / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    (root / "dbt_project.yml").write_text(_project_yml(PROJECT_NAME))
    models = models_for(n)
    for index, model in enumerate(models):
        group = index - index % len(KINDS)
        body = _KINDS[index % len(KINDS)][1]
        sql = body.format(
            rows=ROWS_PER_BATCH,
            src=_name(group),
            table=_name(group + 1),
            iceberg=_name(group + 3),
        )
        (models_dir / f"{model.name}.sql").write_text(sql)
    return models


def write_docs_project(root: Path, sources: Sequence[tuple[str, str]]) -> None:
    """A project whose nodes are the given (schema, table) sources only."""
    models_dir = root / "models"
    models_dir.mkdir(parents=True, exist_ok=True)
    (root / "dbt_project.yml").write_text(_project_yml(PROJECT_NAME + "_docs"))
    by_schema: dict[str, list[str]] = {}
    for schema, table in sources:
        by_schema.setdefault(schema, []).append(table)
    lines = ["version: 2", "sources:"]
    for schema, tables in sorted(by_schema.items()):
        lines += [f"  - name: {schema}", f"    schema: {schema}", "    tables:"]
        lines += [f"      - name: {table}" for table in tables]
    (models_dir / "sources.yml").write_text("\n".join(lines) + "\n")


def write_profiles(directory: Path, endpoint: str, *, bucket: str, threads: int, schema: str) -> None:
    """profiles.yml with targets `lite` (ours) and `reference` (dbt-athena), the same field values.
    The reference adapter reaches the emulator through AWS_ENDPOINT_URL (set by the runner); ours
    takes `endpoint_url`. Polling stays at each adapter's default."""
    common = (
        "      region_name: us-east-1\n"
        "      database: awsdatacatalog\n"
        f"      s3_staging_dir: s3://{bucket}/staging/\n"
        f"      s3_data_dir: s3://{bucket}/data/\n"
        f"      threads: {threads}\n"
        "      aws_access_key_id: bench\n"
        "      aws_secret_access_key: bench\n"
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "profiles.yml").write_text(
        f"{PROFILE_NAME}:\n  target: lite\n  outputs:\n"
        f"    lite:\n      type: athena_lite\n      schema: {schema}\n      endpoint_url: {endpoint}\n"
        + common
        + f"    reference:\n      type: athena\n      schema: {schema}\n"
        + common
    )
