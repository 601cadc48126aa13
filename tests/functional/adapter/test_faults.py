"""`dbt build` of sample_project on an emulator that throttles, fails internally and loses Iceberg commits
builds exactly what a fault-free build does: the adapter's retries absorb every injected fault."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dbt_athena_lite.emulator.faults import FaultSpec
from dbt_athena_lite.emulator.server import EmulatorServer
from tests.functional.adapter import sample_builds

# The rates. A fixed seed fixes the sequence of injected faults; with 28 the first two Iceberg
# commits both fail, so one query may need two re-runs.
FAULTS = FaultSpec(throttle=0.2, internal=0.05, iceberg_commit=0.2, seed=28)
CLEAN_SCHEMA = "jaffle_clean"
FAULTY_SCHEMA = "jaffle_faulty"


@pytest.fixture(scope="module")
def faulty_server() -> Iterator[EmulatorServer]:
    # Same process as the session emulator, so the same moto state (bucket, Glue): only the client
    # calls this server answers are faulted, and the builds use separate schemas.
    with EmulatorServer("127.0.0.1", 0, faults=FAULTS) as server:
        yield server


# The reference needs the models, seeds and snapshot, not the data tests.
CLEAN_BUILD = ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
# Iceberg commits (MERGE, INSERT) only happen when the incrementals run incrementally: run them again.
INCREMENTAL_RERUN = ("run", "--select", "config.materialized:incremental")


@pytest.fixture(scope="module")
def builds(
    emulator_endpoint: str, faulty_server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, str]]:
    """Node statuses of sample_project built on the clean emulator, and on the faulty one followed by an
    incremental re-run. The seeds do not change, so the re-run leaves every table as the build did
    (the incrementals re-process their last days with the same result)."""
    runs = (
        (CLEAN_SCHEMA, emulator_endpoint, (CLEAN_BUILD,)),
        (FAULTY_SCHEMA, faulty_server.endpoint_url, (("build",), INCREMENTAL_RERUN)),
    )
    statuses: dict[str, dict[str, str]] = {}
    for schema, endpoint, invocations in runs:
        project = sample_builds.copy_sample_project(
            tmp_path_factory.mktemp(schema) / "sample_project", endpoint=endpoint, schema=schema
        )
        for args in invocations:
            result = sample_builds.invoke(project, *args)
            statuses.setdefault(schema, {}).update(sample_builds.statuses(result))
            assert result.success, (schema, args, sample_builds.statuses(result), result.exception)
    return statuses


def test_build_on_faults_succeeds_like_a_clean_build(builds: dict[str, dict[str, str]]) -> None:
    faulty = builds[FAULTY_SCHEMA]
    assert set(faulty.values()) <= {"success", "pass"}
    assert {"customers", "order_status_history", "orders_snapshot", "assert_no_negative_payments"} <= set(
        faulty
    )


def test_every_table_holds_what_the_clean_build_wrote(
    builds: dict[str, dict[str, str]], emulator_endpoint: str
) -> None:
    clean = sample_builds.glue_tables(emulator_endpoint, CLEAN_SCHEMA)
    faulty = sample_builds.glue_tables(emulator_endpoint, FAULTY_SCHEMA)
    assert faulty == clean  # same tables and views, same columns, no leftover temporary tables
    assert len(clean) >= 12

    cursor = sample_builds.connect(emulator_endpoint, CLEAN_SCHEMA).cursor()
    for table, columns in sorted(clean.items()):
        compared = sample_builds.compared_columns(columns)
        expected = sample_builds.contents(cursor, CLEAN_SCHEMA, table, compared)
        actual = sample_builds.contents(cursor, FAULTY_SCHEMA, table, compared)
        assert expected, f"{table} is empty in the clean build"
        assert actual == expected, f"{table} differs after the faulty build"


def test_faults_fired_and_the_adapter_retried(
    builds: dict[str, dict[str, str]], faulty_server: EmulatorServer
) -> None:
    fired = faulty_server.app.faults.fired()
    assert {kind: fired.get(kind, 0) > 0 for kind in ("throttle", "internal", "iceberg_commit")} == {
        "throttle": True,
        "internal": True,
        "iceberg_commit": True,
    }, fired

    executions = list(faulty_server.app.queries.newest_first("primary"))
    starts = faulty_server.app.stats.snapshot()["athena:StartQueryExecution"]
    # A throttled or 500-ed start creates no query: every extra StartQueryExecution is a re-submission.
    assert starts > len(executions)

    # A query that lost its Iceberg commit was re-run as a new query, which succeeded.
    lost = [e for e in executions if e.failure is not None and e.failure.error_name == "ICEBERG_COMMIT_ERROR"]
    succeeded = {e.query for e in executions if e.state == "SUCCEEDED"}
    assert lost and all(e.query in succeeded for e in lost)
    # Only commit conflicts were re-run: no other query failed.
    assert [e for e in executions if e.state == "FAILED" and e not in lost] == []
    print(
        f"\nfaults injected: {fired}; StartQueryExecution calls: {starts}; queries: {len(executions)}; "
        f"Iceberg re-runs: {len(lost)}"
    )
