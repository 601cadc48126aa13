"""`dbt debug` checks, one per permission group the adapter needs: the workgroup, the query output
location, the Glue database and the data location. A failing check names the group, the resource,
the IAM action to grant (as in `athena-lite iam-policy`) and the profile field to change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import s3_paths
from dbt_athena_lite.aws.glue import GlueCatalog
from dbt_athena_lite.aws.session import AwsClients
from dbt_athena_lite.credentials import AthenaLiteCredentials
from dbt_athena_lite.iam_policy import DEFAULT_WORK_GROUP, arns_for, data_dir
from dbt_athena_lite.retry import client_error_code

# Error codes meaning "these credentials may not do that" (Athena/Glue say AccessDeniedException, S3 AccessDenied).
_ACCESS_DENIED = frozenset({"AccessDeniedException", "AccessDenied", "AllAccessDisabled"})
# How Athena fails a query whose caller may not write to the output location.
_RESULT_WRITE_DENIED = "Access denied when writing output"


class SetupProblem(DbtRuntimeError):
    """Something in AWS that the profile points at is missing or not allowed."""


@dataclass(frozen=True)
class Check:
    """One permission group's check target: what to name in a message about it."""

    group: str  # "workgroup", "output location", "Glue database", "data location"
    field: str  # the profile field that chooses the resource
    resource: str  # the resource's ARN, for the policy
    action: str  # the IAM action the check calls

    def denied(self, what: str, alternative: str = "") -> SetupProblem:
        return SetupProblem(
            f"{self.group} ({self.field}): not allowed to {what}. Grant {self.action} on {self.resource} "
            f"(`athena-lite iam-policy` prints the whole policy), or change {self.field} in the profile."
            + (f" {alternative}" if alternative else "")
        )

    def problem(self, what: str, fix: str) -> SetupProblem:
        return SetupProblem(f"{self.group} ({self.field}): {what}. {fix}")


def check_all(
    creds: AthenaLiteCredentials, clients: AwsClients, catalog: GlueCatalog, test_query: Callable[[], object]
) -> None:
    """Each permission group in the order a query needs them, then `test_query`; raises SetupProblem
    at the first gap."""
    output_location, output_field = creds.s3_staging_dir, "s3_staging_dir"
    if not creds.skip_workgroup_check:
        enforced = check_workgroup(creds, clients)
        if enforced is not None:
            output_location, output_field = enforced, "work_group"
    check_s3_directory(creds, clients, "output location", output_field, output_location)
    check_glue_database(creds, catalog)
    check_s3_directory(creds, clients, "data location", "s3_data_dir", data_dir(creds))
    if creds.s3_tmp_table_dir:
        check_s3_directory(creds, clients, "data location", "s3_tmp_table_dir", creds.s3_tmp_table_dir)
    run_test_query(creds, test_query, output_field, output_location)


def run_test_query(
    creds: AthenaLiteCredentials, test_query: Callable[[], object], output_field: str, output_location: str
) -> None:
    """Listing needs only s3:ListBucket; the test query is what shows whether results can be written."""
    try:
        test_query()
    except DbtRuntimeError as error:
        if _RESULT_WRITE_DENIED not in str(error):
            raise
        path = s3_paths.parse_s3_path(s3_paths.as_directory(output_location))
        check = Check(
            "output location",
            output_field,
            arns_for(creds).s3_objects(path.bucket, path.key),
            "s3:PutObject",
        )
        raise check.denied(f"write query results to {output_location}") from error


def check_workgroup(creds: AthenaLiteCredentials, clients: AwsClients) -> str | None:
    """Check the workgroup exists and is usable; returns the result location it enforces, if any."""
    name = creds.work_group or DEFAULT_WORK_GROUP
    check = Check("workgroup", "work_group", arns_for(creds).athena_workgroup(name), "athena:GetWorkGroup")
    try:
        workgroup = clients.client("athena").get_work_group(WorkGroup=name)["WorkGroup"]
    except ClientError as error:
        code = client_error_code(error)
        if code == "InvalidRequestException":
            raise check.problem(
                f"Athena workgroup {name!r} does not exist in {creds.region_name}",
                "Create it, or set work_group to an existing one.",
            ) from error
        if code in _ACCESS_DENIED:
            raise check.denied(f"read workgroup {name!r}", "Or set skip_workgroup_check: true.") from error
        raise
    if workgroup.get("State") == "DISABLED":
        raise check.problem(f"Athena workgroup {name!r} is disabled", "Enable it, or use another.")
    configuration = workgroup.get("Configuration", {})
    location = configuration.get("ResultConfiguration", {}).get("OutputLocation")
    if not location and not creds.s3_staging_dir:
        raise check.problem(
            f"workgroup {name!r} has no query result location", "Set s3_staging_dir in the profile."
        )
    if not (configuration.get("EnforceWorkGroupConfiguration", False) and location):
        return None
    enforced = s3_paths.as_directory(location)
    if enforced != creds.s3_staging_dir:
        # Not fatal: Athena writes results to the workgroup's location; say so, as the user may expect otherwise.
        from dbt.adapters.events.logging import AdapterLogger

        AdapterLogger("AthenaLite").warning(
            f"Workgroup {name!r} enforces its result location {location}; s3_staging_dir "
            f"{creds.s3_staging_dir} is ignored for query results."
        )
    return enforced


def check_s3_directory(
    creds: AthenaLiteCredentials, clients: AwsClients, group: str, field: str, directory: str
) -> None:
    """The bucket exists and the directory can be listed (what every table build and delete needs)."""
    path = s3_paths.parse_s3_path(s3_paths.as_directory(directory))
    check = Check(group, field, arns_for(creds).s3_bucket(path.bucket), "s3:ListBucket")
    try:
        clients.client("s3").list_objects_v2(Bucket=path.bucket, Prefix=path.key, MaxKeys=1)
    except ClientError as error:
        code = client_error_code(error)
        if code == "NoSuchBucket":
            raise check.problem(
                f"bucket {path.bucket!r} of {directory} does not exist",
                f"Create it, or point {field} at an existing bucket.",
            ) from error
        if code in _ACCESS_DENIED:
            raise check.denied(f"list {directory} (s3:prefix {path.key!r})") from error
        raise


def check_glue_database(creds: AthenaLiteCredentials, catalog: GlueCatalog) -> None:
    """The target schema's database can be read. A missing one is fine: dbt creates it."""
    arns = arns_for(creds)
    check = Check("Glue database", "schema", arns.glue_database(creds.schema), "glue:GetDatabase")
    try:
        catalog.database_exists(creds.schema)
    except ClientError as error:
        if client_error_code(error) in _ACCESS_DENIED:
            raise check.denied(
                f"read Glue database {creds.schema!r} in catalog {creds.database!r}"
            ) from error
        raise
