"""`dbt debug` checks that name the missing piece: the workgroup, its output location, the staging dir."""

from __future__ import annotations

from botocore.exceptions import ClientError
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import s3_paths
from dbt_athena_lite.aws.session import AwsClients
from dbt_athena_lite.credentials import AthenaLiteCredentials
from dbt_athena_lite.retry import client_error_code


class SetupProblem(DbtRuntimeError):
    """Something in AWS that the profile points at is missing or not allowed."""


def check_all(creds: AthenaLiteCredentials, clients: AwsClients) -> None:
    if not creds.skip_workgroup_check:
        check_workgroup(creds, clients)
    check_staging_dir(creds, clients)


def check_workgroup(creds: AthenaLiteCredentials, clients: AwsClients) -> None:
    name = creds.work_group or "primary"
    try:
        workgroup = clients.client("athena").get_work_group(WorkGroup=name)["WorkGroup"]
    except ClientError as error:
        code = client_error_code(error)
        if code == "InvalidRequestException":
            raise SetupProblem(
                f"work_group: Athena workgroup {name!r} does not exist in {creds.region_name}. "
                "Create it, or set work_group to an existing one."
            ) from error
        if code == "AccessDeniedException":
            raise SetupProblem(
                f"work_group: not allowed to read workgroup {name!r} (athena:GetWorkGroup). Grant it, or set "
                "skip_workgroup_check: true."
            ) from error
        raise
    if workgroup.get("State") == "DISABLED":
        raise SetupProblem(f"work_group: Athena workgroup {name!r} is disabled. Enable it, or use another.")
    configuration = workgroup.get("Configuration", {})
    enforced = configuration.get("EnforceWorkGroupConfiguration", False)
    location = configuration.get("ResultConfiguration", {}).get("OutputLocation")
    if not location and not creds.s3_staging_dir:
        raise SetupProblem(
            f"s3_staging_dir: workgroup {name!r} has no query result location. Set s3_staging_dir in the profile."
        )
    if enforced and location and s3_paths.as_directory(location) != creds.s3_staging_dir:
        # Not fatal: Athena writes results to the workgroup's location; say so, as the user may expect otherwise.
        from dbt.adapters.events.logging import AdapterLogger

        AdapterLogger("AthenaLite").warning(
            f"Workgroup {name!r} enforces its result location {location}; s3_staging_dir "
            f"{creds.s3_staging_dir} is ignored for query results."
        )


def check_staging_dir(creds: AthenaLiteCredentials, clients: AwsClients) -> None:
    path = s3_paths.parse_s3_path(creds.s3_staging_dir)
    try:
        clients.client("s3").list_objects_v2(Bucket=path.bucket, Prefix=path.key, MaxKeys=1)
    except ClientError as error:
        code = client_error_code(error)
        if code == "NoSuchBucket":
            raise SetupProblem(
                f"s3_staging_dir: bucket {path.bucket!r} does not exist. Create it, or point s3_staging_dir "
                "at an existing bucket."
            ) from error
        if code in ("AccessDenied", "AllAccessDisabled"):
            raise SetupProblem(
                f"s3_staging_dir: not allowed to list {creds.s3_staging_dir} (s3:ListBucket). Grant it on "
                f"arn:aws:s3:::{path.bucket}."
            ) from error
        raise
