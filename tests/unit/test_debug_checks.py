"""`dbt debug`'s permission-group checks, on stubbed AWS clients: each failure names its group,
resource, IAM action and profile field; each success lets the next group be checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from dbt_common.exceptions import DbtDatabaseError

from dbt_athena_lite.aws.glue import GlueCatalog
from dbt_athena_lite.aws.session import AwsClients
from dbt_athena_lite.credentials import AthenaLiteCredentials
from dbt_athena_lite.debug_checks import SetupProblem, check_all

ROLE = "arn:aws:iam::123456789012:role/dbt"
WORKGROUP_OK = {"WorkGroup": {"Name": "etl", "State": "ENABLED", "Configuration": {}}}
LISTED: dict[str, Any] = {"KeyCount": 0}


def _creds(**overrides: object) -> AthenaLiteCredentials:
    fields: dict[str, object] = {
        "region_name": "eu-west-1",
        "database": "awsdatacatalog",
        "schema": "analytics",
        "work_group": "etl",
        "s3_staging_dir": "s3://results-bucket/athena/",
        "s3_data_dir": "s3://data-bucket/lake/",
        "assume_role_arn": ROLE,
    }
    fields.update(overrides)
    return AthenaLiteCredentials.from_dict(AthenaLiteCredentials.translate_aliases(fields))


class StubbedAws:
    """AwsClients whose athena, s3 and glue clients answer from queued responses, in call order."""

    def __init__(self, creds: AthenaLiteCredentials) -> None:
        self.test_query_error: Exception | None = None
        self.test_queries = 0
        session = boto3.Session(aws_access_key_id="k", aws_secret_access_key="s", region_name="eu-west-1")
        self.creds = creds
        self.clients = AwsClients(creds, session=session)
        self.stubs = {name: Stubber(self.clients.client(name)) for name in ("athena", "s3", "glue")}

    def ok(self, service: str, operation: str, response: dict[str, Any], **params: Any) -> StubbedAws:
        self.stubs[service].add_response(operation, response, params or None)
        return self

    def error(self, service: str, operation: str, code: str, **params: Any) -> StubbedAws:
        self.stubs[service].add_client_error(operation, code, expected_params=params or None)
        return self

    def _test_query(self) -> None:
        self.test_queries += 1
        if self.test_query_error is not None:
            raise self.test_query_error

    def run(self) -> None:
        for stub in self.stubs.values():
            stub.activate()
        check_all(self.creds, self.clients, GlueCatalog(self.clients.client("glue")), self._test_query)
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


@pytest.fixture
def aws() -> Iterator[StubbedAws]:
    yield StubbedAws(_creds())


def _list(bucket: str, prefix: str) -> dict[str, Any]:
    return {"Bucket": bucket, "Prefix": prefix, "MaxKeys": 1}


def _fails(aws: StubbedAws) -> str:
    with pytest.raises(SetupProblem) as raised:
        aws.run()
    return str(raised.value.msg)  # without dbt's 'Runtime Error' heading


def test_all_groups_pass_and_a_missing_database_is_fine(aws: StubbedAws) -> None:
    aws.ok("athena", "get_work_group", WORKGROUP_OK, WorkGroup="etl")
    aws.ok("s3", "list_objects_v2", LISTED, **_list("results-bucket", "athena/"))
    aws.error("glue", "get_database", "EntityNotFoundException", Name="analytics")
    aws.ok("s3", "list_objects_v2", LISTED, **_list("data-bucket", "lake/"))
    aws.run()  # every queued call made, no exception
    assert aws.test_queries == 1


GROUPS = ("workgroup", "output location", "Glue database", "data location")


def _passing(aws: StubbedAws, until: str | None = None) -> StubbedAws:
    """Queue successful checks for every group before `until` (all of them if None)."""
    passes = {
        "workgroup": lambda: aws.ok("athena", "get_work_group", WORKGROUP_OK),
        "output location": lambda: aws.ok("s3", "list_objects_v2", LISTED),
        "Glue database": lambda: aws.ok("glue", "get_database", {"Database": {"Name": "analytics"}}),
        "data location": lambda: aws.ok("s3", "list_objects_v2", LISTED),
    }
    for group in GROUPS[: GROUPS.index(until) if until else len(GROUPS)]:
        passes[group]()
    return aws


def test_output_location_not_writable_shows_in_the_test_query(aws: StubbedAws) -> None:
    aws.test_query_error = DbtDatabaseError(
        "Athena query q-1 failed (user error): Access denied when writing output to url: "
        "s3://results-bucket/athena/q-1.csv . Please ensure you are allowed to access the S3 bucket."
    )
    message = _fails(_passing(aws))
    assert message.startswith("output location (s3_staging_dir): not allowed to write query results")
    assert "Grant s3:PutObject on arn:aws:s3:::results-bucket/athena/*" in message


def test_other_test_query_failures_pass_through(aws: StubbedAws) -> None:
    aws.test_query_error = DbtDatabaseError("Athena query q-2 failed (system error): INTERNAL_ERROR")
    with pytest.raises(DbtDatabaseError, match="INTERNAL_ERROR"):
        _passing(aws).run()


def test_workgroup_missing(aws: StubbedAws) -> None:
    message = _fails(aws.error("athena", "get_work_group", "InvalidRequestException"))
    assert message.startswith("workgroup (work_group): Athena workgroup 'etl' does not exist")


def test_workgroup_not_allowed(aws: StubbedAws) -> None:
    message = _fails(aws.error("athena", "get_work_group", "AccessDeniedException"))
    assert "workgroup (work_group): not allowed to read workgroup 'etl'" in message
    assert "Grant athena:GetWorkGroup on arn:aws:athena:eu-west-1:123456789012:workgroup/etl" in message
    assert "skip_workgroup_check" in message


def test_output_location_bucket_missing(aws: StubbedAws) -> None:
    message = _fails(_passing(aws, "output location").error("s3", "list_objects_v2", "NoSuchBucket"))
    assert message.startswith("output location (s3_staging_dir): bucket 'results-bucket'")
    assert "Create it, or point s3_staging_dir at an existing bucket" in message


def test_output_location_not_allowed(aws: StubbedAws) -> None:
    message = _fails(_passing(aws, "output location").error("s3", "list_objects_v2", "AccessDenied"))
    assert "output location (s3_staging_dir): not allowed to list s3://results-bucket/athena/" in message
    assert "Grant s3:ListBucket on arn:aws:s3:::results-bucket" in message


def test_enforced_workgroup_location_is_the_output_location(aws: StubbedAws) -> None:
    enforced = {
        "WorkGroup": {
            "Name": "etl",
            "State": "ENABLED",
            "Configuration": {
                "EnforceWorkGroupConfiguration": True,
                "ResultConfiguration": {"OutputLocation": "s3://team-results/etl"},
            },
        }
    }
    aws.ok("athena", "get_work_group", enforced)
    message = _fails(aws.error("s3", "list_objects_v2", "AccessDenied", **_list("team-results", "etl/")))
    assert message.startswith("output location (work_group): not allowed to list s3://team-results/etl/")


def test_glue_database_not_allowed(aws: StubbedAws) -> None:
    message = _fails(_passing(aws, "Glue database").error("glue", "get_database", "AccessDeniedException"))
    assert message.startswith("Glue database (schema): not allowed to read Glue database 'analytics'")
    assert "Grant glue:GetDatabase on arn:aws:glue:eu-west-1:123456789012:database/analytics" in message


def test_data_location_not_allowed(aws: StubbedAws) -> None:
    message = _fails(
        _passing(aws, "data location").error(
            "s3", "list_objects_v2", "AccessDenied", **_list("data-bucket", "lake/")
        )
    )
    assert message.startswith("data location (s3_data_dir): not allowed to list s3://data-bucket/lake/")
    assert "Grant s3:ListBucket on arn:aws:s3:::data-bucket" in message


def test_tmp_table_dir_is_a_data_location_and_workgroup_check_can_be_skipped() -> None:
    aws = StubbedAws(_creds(skip_workgroup_check=True, s3_tmp_table_dir="s3://scratch-bucket/tmp/"))
    aws.ok("s3", "list_objects_v2", LISTED, **_list("results-bucket", "athena/"))
    aws.ok("glue", "get_database", {"Database": {"Name": "analytics"}})
    aws.ok("s3", "list_objects_v2", LISTED, **_list("data-bucket", "lake/"))
    message = _fails(aws.error("s3", "list_objects_v2", "NoSuchBucket", **_list("scratch-bucket", "tmp/")))
    assert message.startswith("data location (s3_tmp_table_dir): bucket 'scratch-bucket'")
