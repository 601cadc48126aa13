"""Two writers committing to one Iceberg table at once: the loser fails with ICEBERG_COMMIT_ERROR."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from dbt_athena_lite.emulator.engine import iceberg_catalog
from dbt_athena_lite.emulator.faults import FaultSpec
from dbt_athena_lite.emulator.server import EmulatorServer, default_engine_factory
from tests.emulator.conftest import RunQuery, make_run_query
from tests.emulator.test_iceberg import BASE, Sql, ctas, database, sql

__all__ = ["database", "sql"]  # fixtures shared with test_iceberg.py


@pytest.fixture
def commit_seam() -> Iterator[None]:
    """The test sets iceberg_catalog.before_commit; it is always cleared afterwards."""
    try:
        yield
    finally:
        iceberg_catalog.before_commit = None


def hold_commits_until_two_are_ready() -> None:
    """Both statements have read the same table version when they commit: whichever commits
    second has lost the race."""
    barrier = threading.Barrier(2, timeout=20)

    def wait(_table: str) -> None:
        barrier.wait()

    iceberg_catalog.before_commit = wait


MERGE = (
    "MERGE INTO t USING (SELECT 1 AS id, 'merged' AS s) AS src ON t.id = src.id "
    "WHEN MATCHED THEN UPDATE SET s = src.s"
)
INSERT = "INSERT INTO t VALUES (4, 'd', 40.0)"


@pytest.mark.usefixtures("commit_seam")
@pytest.mark.parametrize(
    "statements", [(INSERT, INSERT), (MERGE, INSERT)], ids=["insert+insert", "merge+insert"]
)
def test_exactly_one_of_two_concurrent_commits_fails_and_a_rerun_succeeds(
    sql: Sql,
    bucket: str,
    run_query: RunQuery,
    database: str,
    statements: tuple[str, str],
) -> None:
    sql(ctas(f"s3://{bucket}/t", BASE))
    hold_commits_until_two_are_ready()
    results: dict[int, tuple[str, dict[str, Any]]] = {}

    def run(index: int) -> None:
        state, _, execution = run_query(statements[index], database)
        results[index] = (state, execution)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    states = sorted(state for state, _ in results.values())
    assert states == ["FAILED", "SUCCEEDED"]
    loser = next(index for index, (state, _) in results.items() if state == "FAILED")
    status = results[loser][1]["Status"]
    assert status["StateChangeReason"].startswith("ICEBERG_COMMIT_ERROR")
    assert status["AthenaError"]["ErrorType"] == 233

    iceberg_catalog.before_commit = None
    sql(statements[loser])  # re-running the loser reads the new version and commits
    expected_rows = 4 if statements == (MERGE, INSERT) else 5
    assert sql("SELECT count(*) FROM t") == [(str(expected_rows),)]


def test_an_injected_commit_fault_fails_the_write_and_leaves_the_table(boto3_session: Any) -> None:
    """`--faults iceberg_commit=1.0`: every Iceberg commit of a write fails as a lost race does."""
    with EmulatorServer(
        engine_factory=default_engine_factory, faults=FaultSpec(iceberg_commit=1.0)
    ) as server:
        athena = boto3_session.client("athena", endpoint_url=server.endpoint_url)
        bucket = f"faults-{uuid.uuid4().hex[:8]}"
        boto3_session.client("s3", endpoint_url=server.endpoint_url).create_bucket(Bucket=bucket)
        run_query = make_run_query(athena, f"s3://{bucket}/results/")
        assert run_query("CREATE DATABASE f")[0] == "SUCCEEDED"
        assert run_query(ctas(f"s3://{bucket}/t", BASE), "f")[0] == "SUCCEEDED"
        state, _, execution = run_query("INSERT INTO t VALUES (4, 'd', 4.0)", "f")
        assert state == "FAILED"
        assert execution["Status"]["AthenaError"]["ErrorType"] == 233
        assert run_query("SELECT count(*) FROM t", "f")[1][1:] == [("3",)]
