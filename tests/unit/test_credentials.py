"""The `athena_lite` profile, loaded the way dbt loads it (see conftest.load_profile)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dbt.adapters.exceptions.alias import DuplicateAliasError
from dbt.config.profile import Profile
from dbt.exceptions import DbtProfileError

from dbt_athena_lite.credentials import SECRET_FIELDS, AthenaLiteCredentials, ProfileError, validate_threads

LoadProfile = Callable[..., AthenaLiteCredentials]
ROLE_ARN = "arn:aws:iam::123456789012:role/dbt-deployer"


# --- env_var() strings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        pytest.param("num_retries", "3", 3, id="int"),
        pytest.param("num_boto3_retries", " 7 ", 7, id="optional-int-with-spaces"),
        pytest.param("num_iceberg_retries", "0", 0, id="int-zero"),
        pytest.param("assume_role_duration_seconds", "43200", 43200, id="int-at-upper-limit"),
        pytest.param("poll_interval", "2.5", 2.5, id="float"),
        pytest.param("poll_interval", "3", 3.0, id="float-from-int-string"),
        pytest.param("poll_interval", 2, 2.0, id="float-from-yaml-int"),
        pytest.param("skip_workgroup_check", "true", True, id="bool-true"),
        pytest.param("skip_workgroup_check", "off", False, id="bool-off"),
        pytest.param("skip_workgroup_check", "YES", True, id="bool-upper-case"),
        pytest.param("skip_workgroup_check", "0", False, id="bool-zero"),
        pytest.param(
            "seed_s3_upload_args",
            '{"ACL": "bucket-owner-full-control"}',
            {"ACL": "bucket-owner-full-control"},
            id="dict-from-json",
        ),
        pytest.param("seed_s3_upload_args", {"ACL": "private"}, {"ACL": "private"}, id="dict-from-yaml"),
    ],
)
def test_env_var_strings_are_coerced_before_schema_validation(
    load_profile: LoadProfile, field: str, raw: Any, expected: Any
) -> None:
    value = getattr(load_profile(**{field: raw}), field)

    assert value == expected
    assert type(value) is type(expected)


def test_catalog_is_an_alias_of_database(load_profile: LoadProfile) -> None:
    creds = load_profile(database=None, catalog="my_catalog")

    assert creds.database == "my_catalog"
    assert dict(creds.connection_info(with_aliases=True))["catalog"] == "my_catalog"


def test_catalog_and_database_together_are_rejected(load_profile: LoadProfile) -> None:
    with pytest.raises(DuplicateAliasError, match="catalog"):
        load_profile(catalog="awsdatacatalog")


# --- validation ------------------------------------------------------------------------------

_BAD_FIELDS: list[Any] = [
    # env_var() strings that cannot become the field's type.
    pytest.param({"num_retries": "three"}, "num_retries", "Set num_retries to a whole number", id="int-word"),
    pytest.param(
        {"num_retries": "2.5"}, "num_retries", "Set num_retries to a whole number", id="int-fraction"
    ),
    pytest.param(
        {"poll_interval": "fast"}, "poll_interval", "Set poll_interval to a number", id="float-word"
    ),
    pytest.param(
        {"skip_workgroup_check": "maybe"}, "skip_workgroup_check", "Use true or false", id="bool-word"
    ),
    pytest.param(
        {"seed_s3_upload_args": '["ACL"]'}, "seed_s3_upload_args", "Write a YAML mapping", id="dict-list"
    ),
    pytest.param(
        {"seed_s3_upload_args": "{ACL: x"}, "seed_s3_upload_args", "Write a YAML mapping", id="dict-bad-json"
    ),
    # S3 paths: the fix is the corrected path where one can be derived.
    pytest.param(
        {"s3_staging_dir": "https://my-bucket.s3.amazonaws.com/p"},
        "s3_staging_dir",
        "'s3://my-bucket/p'",
        id="s3-virtual-host-https-url",
    ),
    pytest.param(
        {"s3_data_dir": "https://s3.eu-west-1.amazonaws.com/my-bucket/data/"},
        "s3_data_dir",
        "'s3://my-bucket/data/'",
        id="s3-path-style-https-url",
    ),
    pytest.param(
        {"s3_tmp_table_dir": "s3a://my-bucket/tmp/"},
        "s3_tmp_table_dir",
        "'s3://my-bucket/tmp/'",
        id="s3a-scheme",
    ),
    pytest.param(
        {"s3_staging_dir": "my-bucket/athena/"}, "s3_staging_dir", "'s3://bucket/prefix/'", id="s3-no-scheme"
    ),
    pytest.param(
        {"s3_staging_dir": "s3://My_Bucket/athena/"},
        "s3_staging_dir",
        "3-63 lower-case letters",
        id="s3-invalid-bucket",
    ),
    pytest.param(
        {"s3_staging_dir": None}, "s3_staging_dir", "'s3://bucket/athena/'", id="s3-staging-missing"
    ),
    # Names and regions.
    pytest.param({"schema": "Analytics"}, "schema", "Write it as 'analytics'", id="schema-upper-case"),
    pytest.param(
        {"database": "AwsDataCatalog"}, "database", "Write it as 'awsdatacatalog'", id="database-upper-case"
    ),
    pytest.param({"region_name": None}, "region_name", "Set it to the AWS region", id="region-missing"),
    pytest.param({"region_name": "eu-west-1a"}, "region_name", "'us-east-1'", id="region-is-a-zone"),
    pytest.param({"region_name": "europe-west1"}, "region_name", "'us-east-1'", id="region-gcp-style"),
    pytest.param({"region_name": "westeurope"}, "region_name", "'us-east-1'", id="region-azure-style"),
    pytest.param({"region_name": "EU-WEST-1"}, "region_name", "'us-east-1'", id="region-upper-case"),
    # Behaviour settings.
    pytest.param(
        {"s3_data_naming": "schema"}, "s3_data_naming", "Use one of: unique, table,", id="unknown-naming"
    ),
    pytest.param(
        {"assume_role_duration_seconds": 899},
        "assume_role_duration_seconds",
        "Use a value from 900 to 43200",
        id="duration-too-short",
    ),
    pytest.param(
        {"assume_role_duration_seconds": "43201"},
        "assume_role_duration_seconds",
        "Use a value from 900 to 43200",
        id="duration-too-long-from-env-var",
    ),
    pytest.param({"num_retries": -1}, "num_retries", "Use 0 to disable retries", id="negative-retries"),
    pytest.param(
        {"num_boto3_retries": "-2"},
        "num_boto3_retries",
        "Use 0 to disable retries",
        id="negative-boto3-retries",
    ),
    pytest.param(
        {"num_iceberg_retries": -1}, "num_iceberg_retries", "Use 0 to disable", id="negative-iceberg-retries"
    ),
    pytest.param(
        {"work_group": ""}, "work_group", "remove work_group to use 'primary'", id="work-group-empty"
    ),
    pytest.param(
        {"work_group": "analytics team"}, "work_group", "letters, digits", id="work-group-with-space"
    ),
    pytest.param({"poll_interval": 0}, "poll_interval", "Use a number of seconds", id="zero-poll-interval"),
    pytest.param({"poll_interval": "-0.5"}, "poll_interval", "Use a number of seconds", id="negative-poll"),
    # Authentication.
    pytest.param(
        {"aws_profile_name": "dev", "aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": "s3cr3t"},
        "aws_profile_name",
        "Keep one: the named profile, or the access keys",
        id="keys-and-named-profile",
    ),
    pytest.param(
        {"aws_access_key_id": "AKIAEXAMPLE"},
        "aws_secret_access_key",
        "Set both access key fields",
        id="access-key-without-secret",
    ),
    pytest.param(
        {"aws_secret_access_key": "s3cr3t"},
        "aws_access_key_id",
        "Set both access key fields",
        id="secret-without-access-key",
    ),
    pytest.param(
        {"aws_session_token": "token"},
        "aws_session_token",
        "Set aws_access_key_id and aws_secret_access_key too",
        id="session-token-alone",
    ),
    pytest.param(
        {"assume_role_external_id": "ext-123"},
        "assume_role_external_id",
        "Set assume_role_arn",
        id="external-id-without-role",
    ),
    pytest.param(
        {"assume_role_source_identity": "alice"},
        "assume_role_source_identity",
        "Set assume_role_arn",
        id="source-identity-without-role",
    ),
    pytest.param(
        {"assume_role_arn": "dbt-deployer"},
        "assume_role_arn",
        "'arn:aws:iam::123456789012:role/RoleName'",
        id="role-name-not-arn",
    ),
    pytest.param(
        {"assume_role_arn": "arn:aws:iam::12345:role/dbt"},
        "assume_role_arn",
        "'arn:aws:iam::123456789012:role/RoleName'",
        id="role-arn-short-account",
    ),
    pytest.param(
        {"assume_role_arn": "arn:aws:iam::123456789012:user/alice"},
        "assume_role_arn",
        "'arn:aws:iam::123456789012:role/RoleName'",
        id="user-arn-not-role",
    ),
    pytest.param(
        {"endpoint_url": "localhost:4566"}, "endpoint_url", "'http://127.0.0.1:4566'", id="endpoint-no-scheme"
    ),
    pytest.param(
        {"endpoint_url": "ftp://127.0.0.1"}, "endpoint_url", "remove it to use AWS", id="endpoint-not-http"
    ),
]


@pytest.mark.parametrize(("fields", "field", "fix"), _BAD_FIELDS)
def test_invalid_profile_names_the_field_and_the_fix(
    load_profile: LoadProfile, fields: dict[str, Any], field: str, fix: str
) -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile(**fields)

    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert fix in str(caught.value)


@pytest.mark.parametrize("threads", [0, -1, True, "4"])
def test_threads_below_one_are_refused_with_the_fix(threads: Any) -> None:
    with pytest.raises(ProfileError) as caught:
        validate_threads(threads)

    assert caught.value.field == "threads"
    assert "Use 1 or more" in str(caught.value)


@pytest.mark.usefixtures("dbt_loads_athena_lite")
def test_dbt_reports_the_message_unchanged() -> None:
    # Through dbt-core's own loader: the user sees our field and fix after dbt's target prefix.
    profile = {
        "type": "athena_lite",
        "s3_staging_dir": "s3a://my-bucket/athena/",
        "region_name": "eu-west-1",
        "database": "awsdatacatalog",
        "schema": "analytics",
    }

    with pytest.raises(DbtProfileError) as caught:
        Profile._credentials_from_profile(profile, "analytics", "dev")

    message = str(caught.value)
    assert 'Credentials in profile "analytics", target "dev" invalid: s3_staging_dir: ' in message
    assert "'s3://my-bucket/athena/'" in message


# One or more per partition in botocore's endpoints data: aws, aws-cn, aws-us-gov, iso, isob, eusc.
_REGIONS = (
    *("us-east-1", "eu-central-2", "ap-southeast-5", "il-central-1", "mx-central-1"),
    *("cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eusc-de-east-1"),
)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *[pytest.param("region_name", region, id=region) for region in _REGIONS],
        pytest.param("assume_role_arn", "arn:aws-cn:iam::123456789012:role/dbt", id="china-role"),
        pytest.param(
            "assume_role_arn", "arn:aws-us-gov:iam::123456789012:role/ci/dbt", id="govcloud-role-path"
        ),
        pytest.param("endpoint_url", "http://localhost:4566", id="local-endpoint"),
        pytest.param(
            "endpoint_url", "https://vpce-0a1b.athena.eu-west-1.vpce.amazonaws.com", id="vpc-endpoint"
        ),
        pytest.param("s3_data_naming", "table_unique", id="naming"),
    ],
)
def test_valid_values_are_kept(load_profile: LoadProfile, field: str, value: str) -> None:
    assert getattr(load_profile(**{field: value}), field) == value


@pytest.mark.parametrize(
    ("field", "raw", "normalised"),
    [
        pytest.param(
            "s3_staging_dir", "s3://query-results/athena", "s3://query-results/athena/", id="no-slash"
        ),
        pytest.param("s3_staging_dir", " s3://query-results/a//b/ ", "s3://query-results/a/b/", id="doubled"),
        pytest.param("s3_data_dir", "s3://lake-bucket", "s3://lake-bucket/", id="bucket-root"),
        pytest.param(
            "s3_tmp_table_dir", "s3://lake-bucket/tmp///", "s3://lake-bucket/tmp/", id="many-slashes"
        ),
    ],
)
def test_s3_directories_are_normalised(
    load_profile: LoadProfile, field: str, raw: str, normalised: str
) -> None:
    assert getattr(load_profile(**{field: raw}), field) == normalised


def test_defaults_match_the_community_adapter(load_profile: LoadProfile) -> None:
    creds = load_profile()

    assert creds.s3_data_naming == "schema_table_unique"
    assert creds.assume_role_session_name == "dbt-athena-lite"
    assert creds.work_group is None
    assert creds.endpoint_url is None


@pytest.mark.parametrize(
    ("fields", "auth_method"),
    [
        pytest.param({}, "default credential chain", id="default-chain"),
        pytest.param({"aws_profile_name": "dev-sso"}, "profile dev-sso", id="named-profile"),
        pytest.param(
            {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": "x"}, "access keys", id="keys"
        ),
        pytest.param({"assume_role_arn": ROLE_ARN}, "default credential chain + assume role", id="role"),
    ],
)
def test_auth_method_is_shown_in_connection_info(
    load_profile: LoadProfile, fields: dict[str, str], auth_method: str
) -> None:
    creds = load_profile(**fields)

    assert creds.auth_method == auth_method
    assert dict(creds.connection_info())["auth_method"] == auth_method


# --- secrets ---------------------------------------------------------------------------------

SECRETS = {
    "aws_secret_access_key": "secret-key-5e1f0c",
    "aws_session_token": "session-token-9a7b3d",
    "assume_role_external_id": "external-id-2c4e6a",
}


@pytest.fixture
def creds_with_secrets(load_profile: LoadProfile) -> AthenaLiteCredentials:
    return load_profile(aws_access_key_id="AKIAEXAMPLE", assume_role_arn=ROLE_ARN, **SECRETS)


def test_secret_fields_are_the_ones_under_test() -> None:
    assert set(SECRETS) == SECRET_FIELDS


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(repr, id="repr"),
        pytest.param(str, id="str"),
        pytest.param(lambda creds: str(dict(creds.connection_info())), id="connection_info"),
        pytest.param(
            lambda creds: str(dict(creds.connection_info(with_aliases=True))), id="connection_info-aliases"
        ),
    ],
)
def test_secrets_never_rendered(
    creds_with_secrets: AthenaLiteCredentials, render: Callable[[AthenaLiteCredentials], str]
) -> None:
    shown = render(creds_with_secrets)

    assert "AKIAEXAMPLE" in shown  # the key id identifies, it does not authenticate
    for secret in SECRETS.values():
        assert secret not in shown


def test_secrets_are_not_connection_keys(creds_with_secrets: AthenaLiteCredentials) -> None:
    assert not SECRET_FIELDS & set(creds_with_secrets._connection_keys())


def test_repr_marks_set_secrets_and_keeps_other_fields(creds_with_secrets: AthenaLiteCredentials) -> None:
    shown = repr(creds_with_secrets)

    assert "aws_secret_access_key='***'" in shown
    assert f"assume_role_arn={ROLE_ARN!r}" in shown
    assert "aws_session_token='***'" in shown
