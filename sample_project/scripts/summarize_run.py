"""Print a short summary of the last dbt invocation from target/run_results.json."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def main(project_dir: str = ".") -> int:
    results_path = Path(project_dir) / "target" / "run_results.json"
    results = json.loads(results_path.read_text())["results"]
    by_kind: Counter[tuple[str, str]] = Counter()
    print("\nWhat was built:")
    for result in results:
        kind, _, name = result["unique_id"].partition(".")
        by_kind[(kind, result["status"])] += 1
        if kind in ("model", "seed", "snapshot"):
            response = result.get("adapter_response") or {}
            rows = response.get("rows_affected")
            scanned = response.get("data_scanned_in_bytes")
            details = ", ".join(
                part
                for part in (
                    f"{rows} rows" if rows is not None else "",
                    f"{scanned:,} bytes scanned" if scanned else "",
                )
                if part
            )
            print(f"  {kind:<8} {name.split('.')[-1]:<28} {result['status']:<8} {details}")
    print("\nTotals: " + ", ".join(f"{count} {kind} {status}" for (kind, status), count in sorted(by_kind.items())))
    failed = sum(count for (_, status), count in by_kind.items() if status in ("error", "fail"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
