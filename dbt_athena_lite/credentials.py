"""The `athena_lite` profile: typed fields, coercion of `env_var()` strings, validation with clear errors.

Field names are the community adapter's (dbt-athena), so a profile moves over by changing `type:`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import botocore.loaders
from dbt.adapters.contracts.connection import Credentials
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import s3_paths
from dbt_athena_lite.retry import DEFAULT_ICEBERG_RETRIES

S3_DATA_NAMINGS = ("unique", "table", "table_unique", "schema_table", "schema_table_unique")
ASSUME_ROLE_DURATION_RANGE = (900, 43200)  # STS limits for AssumeRole, in seconds
# Athena's pattern for a workgroup name (CreateWorkGroup's Name).
WORK_GROUP_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")
DEFAULT_SESSION_NAME = "dbt-athena-lite"

# Never shown by `dbt debug`, written to logs, or included in repr().
SECRET_FIELDS = frozenset({"aws_secret_access_key", "aws_session_token", "assume_role_external_id"})


class ProfileError(DbtRuntimeError):
    """A profile value that cannot work; the message names the field, the value and the fix."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        super().__init__(f"{field}: {problem}. {fix}")
        self.field = field

    def __str__(self, prefix: str = "! ") -> str:
        # dbt wraps this in "Credentials in profile ... invalid: <message>"; no generic prefix needed.
        return str(self.msg)


@dataclass
class AthenaLiteCredentials(Credentials):
    # --- where queries run and write ---
    # S3 directory where Athena writes query results (required unless the workgroup enforces one).
    s3_staging_dir: str = ""
    # AWS region of the Athena workgroup and Glue catalog, e.g. "eu-west-1".
    region_name: str = ""
    # Athena workgroup; None uses "primary".
    work_group: str | None = None
    # Skip the workgroup lookup in `dbt debug` (for principals without athena:GetWorkGroup).
    skip_workgroup_check: bool = False
    # Root for table data; None means "<s3_staging_dir>tables/".
    s3_data_dir: str | None = None
    # How table locations are derived under the root; see S3_DATA_NAMINGS.
    s3_data_naming: str = "schema_table_unique"
    # Root for temporary tables dbt builds and drops (swap tables, incremental staging); None: s3_data_dir.
    s3_tmp_table_dir: str | None = None
    # Endpoint for every AWS service (athena, glue, s3, sts, lakeformation), e.g. a local emulator.
    # Unset: AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> are honoured, else AWS's public endpoints.
    endpoint_url: str | None = None

    # --- local development ---
    # Run against a local emulator (started on demand, state kept in emulator_dir): no AWS account needed.
    emulator: bool = False
    # Folder for the emulator's state; relative paths are inside the dbt project. Default: .athena_local
    emulator_dir: str | None = None

    # --- authentication (unset: the default chain: env vars, ~/.aws, SSO cache, instance role) ---
    # A profile from ~/.aws/config (SSO profiles included).
    aws_profile_name: str | None = None
    # Static keys; mutually exclusive with aws_profile_name.
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None
    # A role assumed on top of the above; its credentials are refreshed before they expire.
    assume_role_arn: str | None = None
    assume_role_external_id: str | None = None
    assume_role_session_name: str = DEFAULT_SESSION_NAME
    assume_role_source_identity: str | None = None
    assume_role_duration_seconds: int = 3600

    # --- behaviour ---
    # Re-submissions of a query Athena throttled or failed internally (exponential backoff + jitter).
    num_retries: int = 5
    # botocore's own per-request retries; None keeps botocore's default.
    num_boto3_retries: int | None = None
    # Whole-query re-runs after ICEBERG_COMMIT_ERROR (a concurrent Iceberg commit won); see retry.py.
    num_iceberg_retries: int = DEFAULT_ICEBERG_RETRIES
    # Longest wait between two status checks of a running query, in seconds (polling starts faster).
    # A failed query is reported at most this long after Athena marks it FAILED: within 1 s by
    # default; a larger value saves GetQueryExecution calls and delays every result by up to that.
    poll_interval: float = 1.0
    # Extra arguments for the S3 upload of seed files, e.g. {"ACL": "bucket-owner-full-control"}.
    seed_s3_upload_args: dict[str, Any] | None = None

    _ALIASES: ClassVar[dict[str, str]] = {"catalog": "database"}

    @property
    def type(self) -> str:
        return "athena_lite"

    @property
    def unique_field(self) -> str:
        return self.s3_staging_dir

    def _connection_keys(self) -> tuple[str, ...]:
        return (
            "s3_staging_dir",
            "work_group",
            "region_name",
            "database",
            "schema",
            "s3_data_dir",
            "s3_data_naming",
            "s3_tmp_table_dir",
            "endpoint_url",
            "emulator",
            "emulator_dir",
            "auth_method",
            "aws_profile_name",
            "aws_access_key_id",
            "assume_role_arn",
            "assume_role_session_name",
            "assume_role_source_identity",
            "num_retries",
            "num_boto3_retries",
            "num_iceberg_retries",
            "poll_interval",
        )

    @property
    def auth_method(self) -> str:
        """How credentials are obtained, in words, for `dbt debug` and error messages."""
        base = (
            "access keys"
            if self.aws_access_key_id
            else f"profile {self.aws_profile_name}"
            if self.aws_profile_name
            else "default credential chain"
        )
        return f"{base} + assume role" if self.assume_role_arn else base

    def connection_info(self, *, with_aliases: bool = False) -> typing.Iterable[tuple[str, Any]]:
        # `auth_method` is derived, so it is not in to_dict(); add it where it belongs in the order.
        values = dict(super().connection_info(with_aliases=with_aliases))
        values["auth_method"] = self.auth_method
        ordered = [key for key in self._connection_keys() if key in values]
        # Aliases (`catalog`) come last, as in dbt: `target.catalog` is built from with_aliases=True.
        ordered += [key for key in values if key not in ordered]
        for key in ordered:
            yield key, values[key]

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={'***' if f.name in SECRET_FIELDS and getattr(self, f.name) else getattr(self, f.name)!r}"
            for f in dataclasses.fields(self)
        )
        return f"{type(self).__name__}({shown})"

    @classmethod
    def translate_aliases(cls, kwargs: dict[str, Any], recurse: bool = False) -> dict[str, Any]:
        # dbt calls this before schema validation: the one place to turn env_var() strings into values.
        return _coerce_scalars(super().translate_aliases(kwargs, recurse), _scalar_field_types(cls))

    def __post_init__(self) -> None:
        validate(self)


def validate(creds: AthenaLiteCredentials) -> None:
    """Check a loaded profile; normalise directory paths in place. Raises ProfileError."""
    if not creds.region_name:
        raise ProfileError("region_name", "is required", "Set it to the AWS region of your workgroup")
    if not _is_known_region(creds.region_name):
        raise ProfileError(
            "region_name",
            f"{creds.region_name!r} is not an AWS region name",
            "Use a region code such as 'us-east-1' or 'eu-west-1'",
        )
    for name in ("database", "schema"):
        value = getattr(creds, name)
        if value != value.lower():
            raise ProfileError(
                name,
                f"{value!r} has upper-case letters, but Athena stores every name in lower case",
                f"Write it as {value.lower()!r}",
            )
    if not creds.s3_staging_dir:
        raise ProfileError(
            "s3_staging_dir",
            "is required",
            "Set it to an S3 directory for query results, e.g. 's3://bucket/athena/'",
        )
    for name in ("s3_staging_dir", "s3_data_dir", "s3_tmp_table_dir"):
        value = getattr(creds, name)
        if value is None:
            continue
        try:
            setattr(creds, name, s3_paths.as_directory(value))
        except s3_paths.InvalidS3Path as e:
            raise ProfileError(name, str(e), "Athena paths have the form 's3://bucket/prefix/'") from None
    if creds.work_group is not None and not WORK_GROUP_NAME.match(creds.work_group):
        raise ProfileError(
            "work_group",
            f"{creds.work_group!r} is not an Athena workgroup name",
            "Use the name of an existing workgroup (letters, digits, '.', '_', '-'), "
            "or remove work_group to use 'primary'",
        )
    if creds.s3_data_naming not in S3_DATA_NAMINGS:
        raise ProfileError(
            "s3_data_naming",
            f"{creds.s3_data_naming!r} is not a naming convention",
            f"Use one of: {', '.join(S3_DATA_NAMINGS)}",
        )
    low, high = ASSUME_ROLE_DURATION_RANGE
    if not low <= creds.assume_role_duration_seconds <= high:
        raise ProfileError(
            "assume_role_duration_seconds",
            f"{creds.assume_role_duration_seconds} is outside what STS allows",
            f"Use a value from {low} to {high} (and no more than the role's maximum session duration)",
        )
    for name in ("num_retries", "num_boto3_retries", "num_iceberg_retries"):
        value = getattr(creds, name)
        if value is not None and value < 0:
            raise ProfileError(name, f"{value} is negative", "Use 0 to disable retries, or a positive count")
    if creds.poll_interval <= 0:
        raise ProfileError(
            "poll_interval", f"{creds.poll_interval} is not positive", "Use a number of seconds such as 1.0"
        )
    _validate_auth(creds)
    if creds.emulator and creds.endpoint_url:
        raise ProfileError(
            "endpoint_url",
            "is set together with emulator: true, which starts its own local endpoint",
            "Remove endpoint_url to use the embedded emulator, or set emulator: false to use endpoint_url",
        )
    if creds.endpoint_url is not None and not re.match(r"^https?://[^\s/]+", creds.endpoint_url):
        raise ProfileError(
            "endpoint_url",
            f"{creds.endpoint_url!r} is not an http(s) URL",
            "Use e.g. 'http://127.0.0.1:4566', or remove it to use AWS",
        )


def validate_threads(threads: int) -> None:
    """`threads` sits beside the credentials in a target, but dbt keeps it from them: the connection
    manager checks it (dbt itself would fail later with a thread pool's ValueError)."""
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ProfileError(
            "threads", f"{threads!r} is not a positive number of threads", "Use 1 or more, e.g. threads: 4"
        )


def _validate_auth(creds: AthenaLiteCredentials) -> None:
    if creds.aws_access_key_id and creds.aws_profile_name:
        raise ProfileError(
            "aws_profile_name",
            "is set together with aws_access_key_id, so it is unclear which credentials to use",
            "Keep one: the named profile, or the access keys",
        )
    if bool(creds.aws_access_key_id) != bool(creds.aws_secret_access_key):
        missing = "aws_secret_access_key" if creds.aws_access_key_id else "aws_access_key_id"
        raise ProfileError(
            missing, "is missing while its pair is set", "Set both access key fields, or neither"
        )
    if creds.aws_session_token and not creds.aws_access_key_id:
        raise ProfileError(
            "aws_session_token",
            "is set without access keys",
            "Set aws_access_key_id and aws_secret_access_key too",
        )
    role_only = ("assume_role_external_id", "assume_role_source_identity")
    for name in role_only:
        if getattr(creds, name) and not creds.assume_role_arn:
            raise ProfileError(name, "is set but assume_role_arn is not", "Set assume_role_arn, or remove it")
    if creds.assume_role_arn and not re.match(r"^arn:aws[\w-]*:iam::\d{12}:role/.+$", creds.assume_role_arn):
        raise ProfileError(
            "assume_role_arn",
            f"{creds.assume_role_arn!r} is not an IAM role ARN",
            "Use the form 'arn:aws:iam::123456789012:role/RoleName'",
        )


@cache
def _region_patterns() -> tuple[re.Pattern[str], ...]:
    # botocore ships every partition's region pattern: no hand-kept list to go stale.
    loader = botocore.loaders.create_loader()
    partitions = loader.load_data("partitions")["partitions"]
    return tuple(re.compile(p["regionRegex"]) for p in partitions)


def _is_known_region(region: str) -> bool:
    return any(pattern.match(region) for pattern in _region_patterns())


# --- env_var() coercion -------------------------------------------------------------------------

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


@cache
def _scalar_field_types(cls: type) -> Mapping[str, type]:
    """Field name -> int / float / bool / dict for fields whose profile value may arrive as a string."""
    hints = typing.get_type_hints(cls)
    wanted: dict[str, type] = {}
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        for option in options:
            origin = typing.get_origin(option) or option
            if origin in (bool, int, float, dict):
                wanted[field.name] = origin
                break
    return wanted


def _coerce_scalars(data: dict[str, Any], field_types: Mapping[str, type]) -> dict[str, Any]:
    coerced = dict(data)
    for name, target in field_types.items():
        value = coerced.get(name)
        if isinstance(value, str):
            coerced[name] = _coerce(name, value.strip(), target)
        elif target is float and isinstance(value, int) and not isinstance(value, bool):
            coerced[name] = float(value)
    return coerced


def _coerce(name: str, text: str, target: type) -> Any:
    if target is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ProfileError(name, f"{text!r} is not a boolean", "Use true or false")
    if target is dict:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            raise ProfileError(
                name, f"{text!r} is not a mapping", 'Write a YAML mapping or JSON object: {"ACL": "..."}'
            )
        return value
    try:
        return target(text) if target is float else int(text, 10)
    except ValueError:
        kind = "a whole number" if target is int else "a number"
        raise ProfileError(name, f"{text!r} is not {kind}", f"Set {name} to {kind}") from None
