"""The least-privilege IAM policy for a profile: pure, from the profile's fields alone.

Every action granted is in ACTION_REASONS, with why the adapter (or Athena, running a query on the
caller's behalf) needs it. Resources are the profile's own: its workgroup, its Glue catalog, the
target schema's databases and tables, and its S3 directories. The profile has no KMS key or Lake
Formation setting, and the adapter calls neither service, so the policy grants neither (`notes()`
says what to add when the workgroup or buckets use KMS).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.loaders

from dbt_athena_lite import s3_paths
from dbt_athena_lite.credentials import AthenaLiteCredentials

DEFAULT_CATALOG = "awsdatacatalog"
DEFAULT_WORK_GROUP = "primary"
# Athena's guide to access control for Glue databases and tables asks for GetDatabase on the
# `default` database in each region: Athena looks it up when it resolves queries.
ATHENA_DEFAULT_DATABASE = "default"
POLICY_VERSION = "2012-10-17"

# Why each action may be called. Athena runs DDL, CTAS and INSERT with the caller's permissions,
# so the Glue and S3 actions its queries need are the caller's to hold, too.
ACTION_REASONS: dict[str, str] = {
    "athena:StartQueryExecution": "every statement dbt runs",
    "athena:GetQueryExecution": "polls each query until it finishes",
    "athena:GetQueryResults": "reads query results (introspection, tests, `dbt show`)",
    "athena:StopQueryExecution": "cancels running queries when dbt is interrupted (Ctrl-C)",
    "athena:GetWorkGroup": "`dbt debug` checks the workgroup (left out with skip_workgroup_check)",
    "athena:GetDataCatalog": "resolves a `database` other than awsdatacatalog to its Glue catalog id",
    "glue:GetDatabase": "schema existence checks; Athena resolving a query's database",
    "glue:GetDatabases": "lists schemas (dbt's schema cache)",
    "glue:CreateDatabase": "creates the target schema and custom schemas",
    "glue:DeleteDatabase": "drops schemas (`dbt run-operation drop_schema`, test teardown)",
    "glue:GetTable": "relation lookups, table types, catalog entries",
    "glue:GetTables": "lists relations per schema (dbt's relation cache, `dbt docs generate`)",
    "glue:CreateTable": "Athena DDL/CTAS; table renames during swaps",
    "glue:UpdateTable": "swaps a rebuilt table in, persist_docs",
    "glue:DeleteTable": "drops relations and temporary tables",
    "glue:GetPartition": "Athena INSERT INTO a partitioned table looks up each partition it writes",
    "glue:GetPartitions": "Athena queries on partitioned tables; partition copies during swaps",
    "glue:BatchCreatePartition": "Athena CTAS/INSERT of partitions; partition copies during swaps",
    "glue:BatchUpdatePartition": "insert_overwrite repoints partitions",
    "glue:BatchDeletePartition": "insert_overwrite removes replaced partitions",
    "glue:GetTableVersions": "finds old table versions to prune after swaps",
    "glue:DeleteTableVersion": "prunes the table version a swap left behind",
    "glue:BatchDeleteTableVersion": "prunes table versions swaps left behind",
    "s3:ListBucket": "ListObjectsV2 under the profile's directories (limited to them by s3:prefix)",
    "s3:GetBucketLocation": "Athena checks the region of the result and table buckets",
    "s3:ListBucketMultipartUploads": "Athena lists its unfinished multipart result uploads",
    "s3:GetObject": "Athena reads table data and results; seed CSVs; copies",
    "s3:PutObject": "Athena writes results and table data; seed CSV uploads; copies",
    "s3:AbortMultipartUpload": "Athena cleans up failed multipart writes",
    "s3:ListMultipartUploadParts": "Athena completes multipart writes",
    "s3:DeleteObject": "removes data of dropped or replaced tables (through the S3 guard only)",
    "sts:AssumeRole": "assume_role_arn: the adapter assumes the role (and re-assumes it before expiry)",
    "sts:SetSourceIdentity": "assume_role_source_identity: AssumeRole with a SourceIdentity",
}

# S3 API operations are authorized by differently named IAM actions (the others share their names).
S3_OPERATION_ACTIONS: dict[str, tuple[str, ...]] = {
    "ListObjectsV2": ("s3:ListBucket",),
    "ListObjects": ("s3:ListBucket",),
    "HeadBucket": ("s3:ListBucket",),
    "HeadObject": ("s3:GetObject",),
    "DeleteObjects": ("s3:DeleteObject",),
    "CopyObject": ("s3:GetObject", "s3:PutObject"),
    "UploadPartCopy": ("s3:GetObject", "s3:PutObject"),
    "CreateMultipartUpload": ("s3:PutObject",),
    "UploadPart": ("s3:PutObject",),
    "CompleteMultipartUpload": ("s3:PutObject",),
    "ListParts": ("s3:ListMultipartUploadParts",),
    "ListMultipartUploads": ("s3:ListBucketMultipartUploads",),
}

_ATHENA_QUERY_ACTIONS = (
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
)
_GLUE_DATABASE_ACTIONS = (
    "glue:GetDatabase",
    "glue:GetDatabases",
    "glue:CreateDatabase",
    "glue:DeleteDatabase",
)
_GLUE_TABLE_ACTIONS = (
    "glue:GetTable",
    "glue:GetTables",
    "glue:CreateTable",
    "glue:UpdateTable",
    "glue:DeleteTable",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:BatchCreatePartition",
    "glue:BatchUpdatePartition",
    "glue:BatchDeletePartition",
    "glue:GetTableVersions",
    "glue:DeleteTableVersion",
    "glue:BatchDeleteTableVersion",
)
_S3_BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucketMultipartUploads")
_S3_RESULT_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)
# Only data directories hold what dbt deletes; query results are never deleted by the adapter.
_S3_DATA_OBJECT_ACTIONS = (*_S3_RESULT_OBJECT_ACTIONS, "s3:DeleteObject")

_ROLE_ARN = re.compile(r"^arn:(?P<partition>aws[\w-]*):iam::(?P<account>\d{12}):role/.+$")


def iam_action(service: str, operation: str) -> tuple[str, ...]:
    """The IAM actions that authorize one API operation, e.g. ("s3", "ListObjectsV2") -> s3:ListBucket."""
    if service == "s3" and operation in S3_OPERATION_ACTIONS:
        return S3_OPERATION_ACTIONS[operation]
    return (f"{service}:{operation}",)


@dataclass(frozen=True)
class Arns:
    """ARN builders for one account and region."""

    partition: str
    region: str
    account: str

    def athena_workgroup(self, name: str) -> str:
        return f"arn:{self.partition}:athena:{self.region}:{self.account}:workgroup/{name}"

    def athena_data_catalog(self, name: str) -> str:
        return f"arn:{self.partition}:athena:{self.region}:{self.account}:datacatalog/{name}"

    def glue_catalog(self) -> str:
        return f"arn:{self.partition}:glue:{self.region}:{self.account}:catalog"

    def glue_database(self, name: str) -> str:
        return f"arn:{self.partition}:glue:{self.region}:{self.account}:database/{name}"

    def glue_tables(self, database: str, table: str = "*") -> str:
        return f"arn:{self.partition}:glue:{self.region}:{self.account}:table/{database}/{table}"

    def s3_bucket(self, bucket: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}"

    def s3_objects(self, bucket: str, key_prefix: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}/{key_prefix}*"


def arns_for(creds: AthenaLiteCredentials) -> Arns:
    """The account comes from assume_role_arn, the one place a profile names it; otherwise the ARNs say
    `*` for the account (the profile's credentials may belong to any account; replace it if you like)."""
    match = _ROLE_ARN.match(creds.assume_role_arn or "")
    if match:
        return Arns(match["partition"], creds.region_name, match["account"])
    return Arns(partition_of(creds.region_name), creds.region_name, "*")


@cache
def _partition_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    partitions = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    return tuple((p["id"], re.compile(p["regionRegex"])) for p in partitions)


def partition_of(region: str) -> str:
    """The ARN partition of a region: 'aws', 'aws-cn', 'aws-us-gov', ... (botocore's own table)."""
    return next((name for name, pattern in _partition_patterns() if pattern.match(region)), "aws")


@dataclass(frozen=True)
class S3Location:
    """One profile directory and what the adapter does there."""

    field: str  # the profile field it comes from
    bucket: str
    key_prefix: str  # '' for a bucket root, else ends in '/'
    holds_table_data: bool


def s3_locations(creds: AthenaLiteCredentials) -> list[S3Location]:
    """The staging dir, the data dir (defaulting as at run time) and the temporary-table dir, if set."""
    fields = [
        ("s3_staging_dir", creds.s3_staging_dir, False),
        ("s3_data_dir", data_dir(creds), True),
        ("s3_tmp_table_dir", creds.s3_tmp_table_dir, True),
    ]
    locations = []
    for field, uri, holds_table_data in fields:
        if uri:
            path = s3_paths.parse_s3_path(s3_paths.as_directory(uri))
            locations.append(S3Location(field, path.bucket, path.key, holds_table_data))
    return locations


def data_dir(creds: AthenaLiteCredentials) -> str:
    """Where table data goes when no model overrides it: s3_data_dir, else `<s3_staging_dir>tables/`."""
    return creds.s3_data_dir or f"{creds.s3_staging_dir}tables/"


def build_policy(creds: AthenaLiteCredentials) -> dict[str, Any]:
    """The least-privilege identity policy for the profile (see the module docstring)."""
    arns = arns_for(creds)
    statements = [
        *_athena_statements(creds, arns),
        *_glue_statements(creds, arns),
        *_s3_statements(creds, arns),
        *_sts_statements(creds),
    ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def notes(creds: AthenaLiteCredentials) -> list[str]:
    """What the policy cannot say for itself, for the person attaching it."""
    found = []
    if creds.emulator:
        found.append(
            "This target runs on the local emulator, which checks no permissions: the policy is what "
            "the same fields would need on AWS."
        )
    if arns_for(creds).account == "*":
        found.append(
            "The account id is '*' because the profile does not name the account; replace it with yours."
        )
    if creds.assume_role_arn:
        found.append(
            f"Attach the 'AssumeRole' statement to the identity the job starts with, the others to the role "
            f"{creds.assume_role_arn}."
        )
    if creds.assume_role_source_identity:
        found.append("The role's trust policy must allow sts:SetSourceIdentity too (with sts:AssumeRole).")
    if creds.assume_role_external_id:
        found.append(
            "assume_role_external_id is checked by the role's trust policy: add "
            '"Condition": {"StringEquals": {"sts:ExternalId": "<the external id>"}} there.'
        )
    if (creds.database or DEFAULT_CATALOG) != DEFAULT_CATALOG:
        found.append(
            f"Catalog {creds.database!r} is another Glue catalog: its owner must also allow these Glue "
            "actions in that catalog's resource policy."
        )
    found.append(
        "If the workgroup enforces a result location other than s3_staging_dir, put it in the S3 statements. "
        "If the workgroup or a bucket encrypts with KMS (SSE_KMS/CSE_KMS), also allow kms:GenerateDataKey "
        "and kms:Decrypt on that key. Models reading sources in other databases or buckets need "
        "glue:GetTable/GetPartitions and s3:GetObject/ListBucket there."
    )
    return found


def _statement(sid: str, actions: Iterable[str], resources: Iterable[str], **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": list(resources), **extra}


def _athena_statements(creds: AthenaLiteCredentials, arns: Arns) -> Iterator[dict[str, Any]]:
    actions = list(_ATHENA_QUERY_ACTIONS)
    if not creds.skip_workgroup_check:
        actions.append("athena:GetWorkGroup")
    yield _statement(
        "AthenaWorkgroup", actions, [arns.athena_workgroup(creds.work_group or DEFAULT_WORK_GROUP)]
    )
    catalog = creds.database or DEFAULT_CATALOG
    if catalog != DEFAULT_CATALOG:
        yield _statement("AthenaDataCatalog", ["athena:GetDataCatalog"], [arns.athena_data_catalog(catalog)])


def _glue_statements(creds: AthenaLiteCredentials, arns: Arns) -> Iterator[dict[str, Any]]:
    # Glue authorizes a table call on the catalog, the database and the table; a database call on the
    # catalog and the database. Another registered Glue catalog belongs to an account the profile does
    # not name (Athena knows its catalog id), hence `*` for the account there.
    if (creds.database or DEFAULT_CATALOG) != DEFAULT_CATALOG:
        arns = dataclasses.replace(arns, account="*")
    # `<schema>_*` are the custom-schema databases dbt's generate_schema_name makes (and
    # `<schema>_dbt_test__audit` for stored test failures).
    databases = [creds.schema, f"{creds.schema}_*"]
    catalog = arns.glue_catalog()
    yield _statement(
        "GlueSchemas",
        _GLUE_DATABASE_ACTIONS,
        [catalog, *(arns.glue_database(name) for name in databases)],
    )
    yield _statement(
        "GlueTables",
        _GLUE_TABLE_ACTIONS,
        [
            catalog,
            *(arns.glue_database(name) for name in databases),
            *(arns.glue_tables(name) for name in databases),
        ],
    )
    yield _statement(
        "GlueAthenaDefaultDatabase",
        ["glue:GetDatabase"],
        [catalog, arns.glue_database(ATHENA_DEFAULT_DATABASE)],
    )


def _s3_statements(creds: AthenaLiteCredentials, arns: Arns) -> Iterator[dict[str, Any]]:
    locations = s3_locations(creds)
    buckets = sorted({location.bucket for location in locations})
    for index, bucket in enumerate(buckets, start=1):
        in_bucket = [location for location in locations if location.bucket == bucket]
        prefixes = sorted({location.key_prefix for location in in_bucket})
        extra: dict[str, Any] = {}
        if "" not in prefixes:  # a bucket-root directory needs the whole listing; others only theirs
            extra["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*" for prefix in prefixes]}}
        yield _statement(f"S3List{index}", ["s3:ListBucket"], [arns.s3_bucket(bucket)], **extra)
    yield _statement("S3Buckets", _S3_BUCKET_ACTIONS, [arns.s3_bucket(bucket) for bucket in buckets])
    results = _object_arns(arns, (loc for loc in locations if not loc.holds_table_data))
    data = _object_arns(arns, (loc for loc in locations if loc.holds_table_data))
    if results - data:
        yield _statement("S3QueryResults", _S3_RESULT_OBJECT_ACTIONS, sorted(results - data))
    yield _statement("S3TableData", _S3_DATA_OBJECT_ACTIONS, sorted(data))


def _object_arns(arns: Arns, locations: Iterable[S3Location]) -> set[str]:
    return {arns.s3_objects(location.bucket, location.key_prefix) for location in locations}


def _sts_statements(creds: AthenaLiteCredentials) -> Iterator[dict[str, Any]]:
    if not creds.assume_role_arn:
        return
    actions = ["sts:AssumeRole"]
    if creds.assume_role_source_identity:
        actions.append("sts:SetSourceIdentity")
    yield _statement("AssumeRole", actions, [creds.assume_role_arn])
