"""Peak memory of the emulator while a query aggregates a 10M-row table.

    .venv/bin/python bench/emulator_scan_memory.py [--rows 10000000]

Runs the emulator as its own process (so the figure is the emulator's alone), builds a Parquet table
of `--rows` rows with a CTAS, resets the process's peak-RSS counter (Linux: `5` into
/proc/<pid>/clear_refs), runs an aggregating scan through the Athena API and prints the peak resident
memory during the scan and the timings. Target: under 1.5 GiB. Prints figures; never fails on them.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from emulator_process import EmulatorProcess, run_query, status_kib

TARGET_BYTES = int(1.5 * 1024**3)
_OUTPUT = "s3://bench-scan/results/"


@dataclass(frozen=True)
class ScanFigures:
    rows: int
    groups: int
    ctas_seconds: float
    rss_after_ctas_bytes: int
    scan_seconds: float
    peak_scan_rss_bytes: int


def measure_scan(rows: int = 10_000_000) -> ScanFigures:
    outer = max(1, rows // 10_000)
    with EmulatorProcess() as emulator:
        emulator.client("s3").create_bucket(Bucket="bench-scan")
        athena = emulator.client("athena")
        run_query(athena, "CREATE DATABASE bench", _OUTPUT, poll_interval=0.05)
        # Athena's sequence() stops at 10,000 elements, so the rows come from a cross join.
        ctas_seconds, _ = run_query(
            athena,
            "CREATE TABLE bench.big WITH (format='PARQUET', external_location='s3://bench-scan/big/') AS "
            "SELECT a * 10000 + b AS id, (a * 10000 + b) % 97 AS grp, "
            "'label-' || CAST(b AS VARCHAR) AS label, (a + b) * 0.5e0 AS score "
            f"FROM UNNEST(sequence(0, {outer - 1})) AS x(a) CROSS JOIN UNNEST(sequence(0, 9999)) AS y(b)",
            _OUTPUT,
            poll_interval=0.05,
        )
        after_ctas = status_kib(emulator.pid, "VmRSS") * 1024
        Path(f"/proc/{emulator.pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        scan_seconds, result = run_query(
            athena,
            "SELECT grp, count(*) AS n, sum(score) AS total, max(length(label)) AS longest "
            "FROM bench.big GROUP BY grp ORDER BY grp",
            _OUTPUT,
            poll_interval=0.05,
        )
        peak = status_kib(emulator.pid, "VmHWM") * 1024
    return ScanFigures(outer * 10_000, len(result) - 1, ctas_seconds, after_ctas, scan_seconds, peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    figures = measure_scan(parser.parse_args().rows)
    print(f"rows: {figures.rows:,}; groups returned: {figures.groups}")
    print(
        f"CTAS: {figures.ctas_seconds:.1f} s; emulator RSS after it: "
        f"{figures.rss_after_ctas_bytes / 1024**2:.0f} MiB"
    )
    print(f"aggregating scan: {figures.scan_seconds:.2f} s")
    verdict = "within" if figures.peak_scan_rss_bytes < TARGET_BYTES else "OVER"
    print(
        f"peak emulator RSS during the scan: {figures.peak_scan_rss_bytes / 1024**2:.0f} MiB "
        f"({verdict} the 1.5 GiB target)"
    )


if __name__ == "__main__":
    main()
