"""dbt-athena-lite against the reference adapter (dbt-athena 1.11.1), side by side, on one emulator.

    .venv/bin/python bench/compare_adapters.py --sizes 10,50,200 --repeats 3,2,1 --latency 0.5 --threads 4

For each project size N: the same generated project (bench/project_gen.py) is run by both adapters,
alternating which goes first, each run in a fresh schema: `dbt run` on the empty schema, then an
incremental re-run with new input. Around each run the emulator's API call counts are reset and read.
Row counts per model must match between adapters. Then `dbt docs generate` for a project whose sources
name 20 tables of a Glue catalog of 200 and of 2,000 tables in 20 schemas, and the emulator's own
figures (start-up, round trip, CTAS, scan memory). Writes bench/RESULTS.md and bench/results.png
(`make bench`). Prints figures; never fails on timing; exits 1 if the adapters' row counts differ.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt_runs import BENCH_DIR, Adapter, DbtRun, adapters, row_counts, run_dbt
from emulator_ctas import CtasFigures, measure_ctas
from emulator_latency import LatencyFigures, measure_latency
from emulator_process import EmulatorProcess
from emulator_scan_memory import ScanFigures, measure_scan
from project_gen import write_docs_project, write_profiles, write_run_project

BUCKET = "athena-bench"
DOCS_SCHEMAS = 20
DOCS_REFERENCED = 20


@dataclass
class SizeResult:
    n: int
    runs: list[DbtRun] = field(default_factory=list)  # first runs and re-runs, both adapters
    counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # (adapter, phase)

    def of(self, adapter: str, phase: str) -> list[DbtRun]:
        return [run for run in self.runs if run.adapter == adapter and run.command.startswith(phase)]


@dataclass
class DocsResult:
    catalog_tables: int
    runs: list[DbtRun] = field(default_factory=list)


@dataclass
class EmulatorFigures:
    latency: LatencyFigures
    ctas: CtasFigures
    scan: ScanFigures


@dataclass
class Bench:
    args: argparse.Namespace
    sizes: list[SizeResult] = field(default_factory=list)
    docs: list[DocsResult] = field(default_factory=list)
    emulator: EmulatorFigures | None = None
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    started: float = field(default_factory=time.time)
    seconds: float = 0.0


def _alternate(pair: tuple[Adapter, Adapter], repeat: int) -> tuple[Adapter, Adapter]:
    return pair if repeat % 2 == 0 else (pair[1], pair[0])


def bench_size(
    n: int,
    repeats: int,
    pair: tuple[Adapter, Adapter],
    emulator: EmulatorProcess,
    *,
    work: Path,
    threads: int,
) -> SizeResult:
    result = SizeResult(n)
    project = work / f"project_n{n}"
    models = write_run_project(project, n)
    for repeat in range(repeats):
        for adapter in _alternate(pair, repeat):
            schema = f"bench_{adapter.name}_n{n}_r{repeat}"
            profiles = work / f"profiles_{adapter.name}_n{n}_r{repeat}"
            write_profiles(profiles, emulator.endpoint, bucket=BUCKET, threads=threads, schema=schema)
            for phase, batch in (("first", 1), ("rerun", 2)):
                run = run_dbt(
                    adapter, emulator, project=project, profiles=profiles,
                    run_dir=work / "runs" / f"{schema}_{phase}",
                    arguments=["run", "--vars", f"{{batch: {batch}}}"],
                )  # fmt: skip
                run.command = f"{phase} run"
                result.runs.append(run)
                print(
                    f"  N={n} #{repeat} {adapter.label:18} {phase:5}: {run.seconds:6.1f} s, "
                    f"{run.total_calls:5} calls, failed: {', '.join(run.failed()) or 'none'}",
                    flush=True,
                )
                if repeat == 0:
                    built = [m.name for m in models if run.statuses.get(m.name) == "success"]
                    result.counts[(adapter.name, phase)] = row_counts(
                        emulator, schema, built, f"s3://{BUCKET}/counts/"
                    )
    return result


def create_catalog(
    emulator: EmulatorProcess, tables: int, schemas: int, prefix: str
) -> list[tuple[str, str]]:
    """`tables` Glue tables spread over `schemas` databases, straight through Glue's API."""
    glue: Any = emulator.client("glue", max_pool_connections=16)
    names = [f"{prefix}_{s:02d}" for s in range(schemas)]
    for name in names:
        glue.create_database(DatabaseInput={"Name": name})
    per_schema = tables // schemas
    columns = [{"Name": f"c{c}", "Type": "bigint" if c % 2 else "string"} for c in range(8)]

    def create(index: int) -> tuple[str, str]:
        schema, table = names[index // per_schema], f"t_{index % per_schema:04d}"
        glue.create_table(
            DatabaseName=schema,
            TableInput={
                "Name": table,
                "TableType": "EXTERNAL_TABLE",
                "Parameters": {"classification": "parquet"},
                "StorageDescriptor": {
                    "Columns": columns,
                    "Location": f"s3://{BUCKET}/catalog/{schema}/{table}/",
                    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                    "SerdeInfo": {
                        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
                    },
                },
            },
        )
        return schema, table

    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(create, range(per_schema * schemas)))
    return created


def bench_docs(
    tables: int, pair: tuple[Adapter, Adapter], emulator: EmulatorProcess, *, work: Path, threads: int
) -> DocsResult:
    result = DocsResult(tables)
    created = create_catalog(emulator, tables, DOCS_SCHEMAS, f"cat{tables}")
    step = len(created) // DOCS_REFERENCED
    referenced = created[::step][:DOCS_REFERENCED]  # one table in each schema
    project = work / f"docs_{tables}"
    write_docs_project(project, referenced)
    for adapter in pair:
        schema = f"bench_docs_{adapter.name}"
        profiles = work / f"profiles_docs_{adapter.name}"
        write_profiles(profiles, emulator.endpoint, bucket=BUCKET, threads=threads, schema=schema)
        run = run_dbt(
            adapter, emulator, project=project, profiles=profiles,
            run_dir=work / "runs" / f"docs_{tables}_{adapter.name}", arguments=["docs", "generate"],
        )  # fmt: skip
        result.runs.append(run)
        print(
            f"  docs generate, {tables} tables: {adapter.label:18} {run.seconds:6.1f} s, "
            f"{run.total_calls:5} calls (exit {run.returncode})",
            flush=True,
        )
    return result


def _parse_list(text: str, cast: Callable[[str], Any]) -> list[Any]:
    return [cast(part) for part in text.split(",") if part]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10,50,200", help="project sizes N, comma-separated")
    parser.add_argument("--repeats", default="3,2,1", help="runs per adapter for each size (one value: all)")
    parser.add_argument("--latency", type=float, default=0.5, help="emulator --query-latency, seconds")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--docs-tables", default="200,2000", help="Glue catalog sizes for docs generate")
    parser.add_argument("--scan-rows", type=int, default=10_000_000)
    parser.add_argument("--ctas-rows", type=int, default=1_000_000)
    parser.add_argument("--skip-emulator-figures", action="store_true")
    parser.add_argument("--output", type=Path, default=BENCH_DIR, help="where RESULTS.md and results.png go")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects and dbt logs")
    args = parser.parse_args()
    sizes = _parse_list(args.sizes, int)
    repeats = _parse_list(args.repeats, int)
    repeats = repeats * len(sizes) if len(repeats) == 1 else repeats
    if len(repeats) != len(sizes):
        parser.error("--repeats needs one value, or one per size")

    from report import write_plot, write_results

    bench = Bench(args, load_before=os.getloadavg())
    work = Path(tempfile.mkdtemp(prefix="athena-bench-"))
    print(f"working in {work}", flush=True)
    try:
        with EmulatorProcess(["--query-latency", str(args.latency)]) as emulator:
            emulator.client("s3").create_bucket(Bucket=BUCKET)
            pair = adapters(emulator.endpoint)
            for n, repeat in zip(sizes, repeats, strict=True):
                print(f"N={n}, {repeat} run(s) per adapter, latency {args.latency} s", flush=True)
                bench.sizes.append(bench_size(n, repeat, pair, emulator, work=work, threads=args.threads))
            for tables in _parse_list(args.docs_tables, int):
                bench.docs.append(bench_docs(tables, pair, emulator, work=work, threads=args.threads))
        if not args.skip_emulator_figures:
            print("emulator figures (no latency)", flush=True)
            bench.emulator = EmulatorFigures(
                measure_latency(starts=5, queries=100),
                measure_ctas(rows=args.ctas_rows, repeat=3),
                measure_scan(rows=args.scan_rows),
            )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    bench.load_after = os.getloadavg()
    bench.seconds = time.time() - bench.started
    args.output.mkdir(parents=True, exist_ok=True)
    write_plot(bench, args.output / "results.png")
    mismatches = write_results(bench, args.output / "RESULTS.md", platform.platform(), sys.argv[1:])
    print(
        f"wrote {args.output / 'RESULTS.md'} and {args.output / 'results.png'} in {bench.seconds / 60:.1f} min"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
