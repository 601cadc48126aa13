"""`kill -9` of `dbt build` mid-run: every relation built before keeps its previous rows or has all
its new ones, and the next run succeeds and leaves no temporary table and no unread S3 object.

One build of run 1, then one killed run per kill point, each followed by a run that completes: the
killed run writes version n + 1, the completing one too, so the next kill point starts from a known
state. Queries take at least 0.1 s (`--query-latency`), so a kill on a StartQueryExecution lands
while that query runs; a kill on a Glue call lands right after it, between two steps of a swap.
"""

from __future__ import annotations

from pathlib import Path

from tests.crash.lake import BUCKET, MODELS, Lake, dbt_build, finish, write_project
from tests.emulator_process import emulator_process

# (emulator action, how many calls of it the killed run has made). With one thread, a run starts 7
# queries: merge_amounts' staging CTAS and MERGE, overwrite_amounts' column query and staging CTAS,
# the table's CTAS, the seed's CSV table and CTAS; Glue calls follow each.
KILL_POINTS = (
    ("athena:StartQueryExecution", 2),  # during the MERGE
    ("glue:BatchUpdatePartition", 1),  # insert_overwrite: partitions adopted, replaced data not deleted
    ("glue:UpdateTable", 3),  # the table model swapped in, its old data not yet deleted
    ("athena:StartQueryExecution", 7),  # during the seed's CTAS
)


def test_every_relation_survives_a_killed_build_whole(tmp_path: Path) -> None:
    with emulator_process(None, "--query-latency", "0.1") as (_emulator, endpoint):
        lake = Lake(endpoint)
        lake.client("s3").create_bucket(Bucket=BUCKET)
        write_project(tmp_path, endpoint)
        finish(dbt_build(tmp_path, 1))
        version = 1
        for action, count in KILL_POINTS:
            lake.reset_stats()
            killed = dbt_build(tmp_path, version + 1)
            assert lake.kill_when(killed, action, count), f"the run ended before {count} x {action}"
            lake.wait_idle()
            found = lake.assert_each_relation_from_one_run(version, version + 1)
            print(f"killed at {count} x {action}: relations of run {found}")

            version += 1
            finish(dbt_build(tmp_path, version))
            assert lake.assert_each_relation_from_one_run(version) == dict.fromkeys(MODELS, version)
            lake.assert_clean()
