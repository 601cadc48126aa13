"""Bad input across the profile, model configs and SQL: each case fails with a message that names the
field (or the model) and says what to change, and changes nothing in Glue or S3.

One table of cases; the cases of a kind share one dbt project: every bad profile is a target of one
profiles.yml (dbt run --target <case>), every bad model a model of one project run once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from dbt.cli.main import dbtRunnerResult

from tests.functional.adapter import sample_builds
from tests.functional.adapter.tables_util import glue_client, s3_client
from tests.functional.conftest import BUCKET

SCHEMA = "bad_input"
PROFILE_SCHEMA = "bad_input_profile"  # never created: every profile case must fail before it is
HUGE_LITERAL = "x" * 262_200  # with the SELECT around it, just over Athena's 262,144-byte limit


@dataclass(frozen=True)
class Case:
    """A bad `profile` target (fields over a valid one) or a bad `model` (its SQL); `expected` are
    substrings of the error: the field or model, and the fix."""

    kind: str
    name: str
    expected: tuple[str, ...]
    profile: dict[str, Any] = field(default_factory=dict)
    sql: str = ""


def profile(name: str, fields: dict[str, Any], *expected: str) -> Any:
    return pytest.param(Case("profile", name, expected, profile=fields), id=f"profile-{name}")


def model(name: str, sql: str, *expected: str) -> Any:
    return pytest.param(Case("model", name, expected, sql=sql), id=f"model-{name}")


def table(config: str, sql: str = "select 1 as id, date '2024-01-01' as dt") -> str:
    return f"{{{{ config(materialized='table', {config}) }}}} {sql}"


def incremental(config: str, sql: str = "select 1 as id, date '2024-01-01' as dt") -> str:
    return f"{{{{ config(materialized='incremental', {config}) }}}} {sql}"


CASES = [
    # --- profile ---
    profile("s3a_scheme", {"s3_staging_dir": f"s3a://{BUCKET}/r/"}, "s3_staging_dir", f"'s3://{BUCKET}/r/'"),
    profile(
        "https_url",
        {"s3_data_dir": f"https://{BUCKET}.s3.amazonaws.com/data/"},
        "s3_data_dir",
        f"'s3://{BUCKET}/data/'",
    ),
    profile("gs_scheme", {"s3_tmp_table_dir": f"gs://{BUCKET}/tmp/"}, "s3_tmp_table_dir", "s3://"),
    profile("upper_schema", {"schema": "Bad_Input_Profile"}, "schema", "Write it as 'bad_input_profile'"),
    profile("unknown_region", {"region_name": "eu-west"}, "region_name", "'us-east-1'"),
    profile("zone_not_region", {"region_name": "us-east-1a"}, "region_name", "'us-east-1'"),
    profile("negative_retries", {"num_retries": -1}, "num_retries", "Use 0 to disable retries"),
    profile("negative_boto3_retries", {"num_boto3_retries": -3}, "num_boto3_retries", "Use 0"),
    profile("negative_iceberg_retries", {"num_iceberg_retries": -1}, "num_iceberg_retries", "Use 0"),
    profile("retries_word", {"num_retries": "three"}, "num_retries", "whole number"),
    profile("zero_poll_interval", {"poll_interval": 0}, "poll_interval", "Use a number of seconds"),
    profile("short_duration", {"assume_role_duration_seconds": 600}, "assume_role_duration_seconds", "900"),
    profile(
        "long_duration", {"assume_role_duration_seconds": 50000}, "assume_role_duration_seconds", "43200"
    ),
    profile("unknown_naming", {"s3_data_naming": "by_table"}, "s3_data_naming", "schema_table_unique"),
    profile("zero_threads", {"threads": 0}, "threads", "Use 1 or more"),
    profile("empty_work_group", {"work_group": "''"}, "work_group", "primary"),
    profile("endpoint_no_scheme", {"endpoint_url": "127.0.0.1:4566"}, "endpoint_url", "http://"),
    # --- model configs ---
    model("unknown_table_type", table("table_type='delta'"), "table_type", "hive, iceberg"),
    model("unknown_format", table("format='csv'"), "format", "textfile"),
    model("iceberg_format", table("table_type='iceberg', format='json'"), "format", "parquet, orc, avro"),
    model("partitioned_by_string", table("partitioned_by='dt'"), "partitioned_by", "partitioned_by=['dt']"),
    model("partitioned_by_unknown", table("partitioned_by=['day']"), "partitioned_by", "'day'", "id, dt"),
    model("iceberg_transform", table("table_type='iceberg', partitioned_by=['week(dt)']"), "partitioned_by"),
    model("bucketed_no_count", table("bucketed_by=['id']"), "bucket_count", "together"),
    model("bucket_count_zero", table("bucketed_by=['id'], bucket_count=0"), "bucket_count", "positive"),
    model("unknown_compression", table("write_compression='brotli'"), "write_compression", "snappy"),
    model("delimiter_parquet", table("field_delimiter=','"), "field_delimiter", "textfile"),
    model(
        "iceberg_location",
        table(f"table_type='iceberg', external_location='s3://{BUCKET}/fixed/iceberg_location/'"),
        "table_type",
        "Remove external_location",
    ),
    model(
        "location_https", table("external_location='https://example.com/x/'"), "external_location", "s3://"
    ),
    model("naming_unknown", table("s3_data_naming='flat'"), "s3_data_naming", "schema_table_unique"),
    model("properties_list", table("table_properties=['a']"), "table_properties", "mapping"),
    model("unknown_strategy", incremental("incremental_strategy='upsert'"), "incremental_strategy", "append"),
    model(
        "merge_on_hive",
        incremental("incremental_strategy='merge', unique_key='id'"),
        "incremental_strategy",
        "table_type='iceberg'",
    ),
    model(
        "merge_no_key",
        incremental("table_type='iceberg', incremental_strategy='merge'"),
        "unique_key",
        "Set unique_key",
    ),
    model(
        "overwrite_unpartitioned",
        incremental("incremental_strategy='insert_overwrite'"),
        "incremental_strategy",
        "partitioned_by",
    ),
    model("unknown_on_schema_change", incremental("on_schema_change='drop'"), "on_schema_change", "fail"),
    # --- SQL ---
    model("query_too_long", table("", f"select '{HUGE_LITERAL}' as x"), "262,144 bytes", "Shorten the model"),
    model("syntax_error", table("", "select (1 as id"), "SYNTAX_ERROR", "Expecting )"),
    model(
        "missing_table",
        table("", "select * from bad_input.no_such_table"),
        "TABLE_NOT_FOUND",
        "no_such_table",
    ),
]


def _profile_yaml(endpoint: str, cases: list[Case]) -> str:
    base: dict[str, Any] = {
        "type": "athena_lite",
        "endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "region_name": "us-east-1",
        "database": "awsdatacatalog",
        "schema": PROFILE_SCHEMA,
        "s3_staging_dir": f"s3://{BUCKET}/{PROFILE_SCHEMA}/results/",
        "s3_data_dir": f"s3://{BUCKET}/{PROFILE_SCHEMA}/data/",
        "threads": 1,
    }
    lines = ["bad_input:", "  target: valid", "  outputs:"]
    for name, fields in [("valid", {}), *((case.name, case.profile) for case in cases)]:
        lines.append(f"    {name}:")
        lines += [f"      {key}: {value}" for key, value in {**base, **fields}.items()]
    return "\n".join(lines) + "\n"


def _state(endpoint: str) -> dict[str, Any]:
    """What a failed run must leave unchanged: Glue databases, tables (and their versions), and the S3
    objects under the data directories (query results in the staging directory are Athena's own)."""
    glue = glue_client(endpoint)
    databases = sorted(d["Name"] for d in glue.get_databases()["DatabaseList"])
    tables = {
        database: sorted(
            (t["Name"], t.get("VersionId"), t.get("UpdateTime"))
            for t in glue.get_tables(DatabaseName=database)["TableList"]
        )
        for database in databases
        if database.startswith(SCHEMA)
    }
    pages = s3_client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=SCHEMA)
    keys = (obj["Key"] for page in pages for obj in page.get("Contents", []))
    objects = sorted(key for key in keys if key.split("/")[1] == "data")  # <schema>/data/...
    return {"databases": databases, "tables": tables, "objects": objects}


@dataclass
class Runs:
    """Per case: dbt's result and the state before and after."""

    results: dict[str, dbtRunnerResult]
    before: dict[str, dict[str, Any]]
    after: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def runs(emulator_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    cases: list[Case] = [param.values[0] for param in CASES]
    project = tmp_path_factory.mktemp("bad_input")
    (project / "dbt_project.yml").write_text(
        'name: bad_input\nversion: "1.0"\nconfig-version: 2\nprofile: bad_input\n'
    )
    models = project / "models"
    models.mkdir()
    (models / "existing.sql").write_text("{{ config(materialized='table') }} select 1 as id")
    for case in cases:
        if case.kind == "model":
            (models / f"{case.name}.sql").write_text(case.sql)
    model_profile = project / "model_profile"
    model_profile.mkdir()
    sample_builds.write_profile(model_profile, profile="bad_input", endpoint=emulator_endpoint, schema=SCHEMA)
    (project / "profiles.yml").write_text(
        _profile_yaml(emulator_endpoint, [c for c in cases if c.kind == "profile"])
    )

    # The model cases run where a table already exists, so "changes nothing" covers an existing schema.
    setup = sample_builds.invoke(project, "run", "--select", "existing", profiles_dir=model_profile)
    assert setup.success, setup.exception

    results: dict[str, dbtRunnerResult] = {}
    before: dict[str, dict[str, Any]] = {}
    after: dict[str, dict[str, Any]] = {}
    for case in cases:
        if case.kind == "profile":
            before[case.name] = _state(emulator_endpoint)
            results[case.name] = sample_builds.invoke(project, "run", "--target", case.name)
            after[case.name] = _state(emulator_endpoint)
    state = _state(emulator_endpoint)
    model_run = sample_builds.invoke(project, "run", "--exclude", "existing", profiles_dir=model_profile)
    final = _state(emulator_endpoint)
    for case in cases:
        if case.kind == "model":
            results[case.name], before[case.name], after[case.name] = model_run, state, final
    yield Runs(results, before, after)


def _message(result: dbtRunnerResult, case: Case) -> str:
    if case.kind == "profile":
        return str(result.exception)
    [node] = [item for item in result.result.results if item.node.name == case.name]
    assert str(node.status) == "error", (case.name, node.status)
    assert f" in model {case.name} (models/{case.name}.sql)" in str(node.message)  # dbt names the model
    return str(node.message)


def test_cases_cover_profile_model_and_sql() -> None:
    kinds = [param.values[0].kind for param in CASES]
    assert len(CASES) >= 30 and kinds.count("profile") >= 10 and kinds.count("model") >= 10


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_with_the_fix_and_changes_nothing(runs: Runs, case: Case) -> None:
    result = runs.results[case.name]
    assert not result.success
    message = _message(result, case)
    for expected in case.expected:
        assert expected in message, f"{expected!r} not in: {message}"
    assert runs.after[case.name] == runs.before[case.name]
