"""The IAM policy builder: resources and optional statements follow the profile's fields."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from dbt_athena_lite.cli import main
from dbt_athena_lite.credentials import AthenaLiteCredentials
from dbt_athena_lite.iam_policy import ACTION_REASONS, build_policy, iam_action, notes, partition_of
from dbt_athena_lite.profile_loading import load_target
from tests.iam_matching import allows, granted_actions, granted_resources

ROLE = "arn:aws:iam::123456789012:role/dbt-deploy"


def _creds(**overrides: object) -> AthenaLiteCredentials:
    fields: dict[str, object] = {
        "region_name": "eu-west-1",
        "database": "awsdatacatalog",
        "schema": "analytics",
        "s3_staging_dir": "s3://results-bucket/athena/",
    }
    fields.update(overrides)
    return AthenaLiteCredentials.from_dict(AthenaLiteCredentials.translate_aliases(fields))


def _statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in policy["Statement"] if s["Sid"] == sid)


def test_every_action_is_documented_and_none_is_a_wildcard() -> None:
    creds = _creds(
        assume_role_arn=ROLE,
        assume_role_source_identity="ci",
        database="other_catalog",
        s3_tmp_table_dir="s3://tmp-bucket/x/",
    )
    actions = granted_actions(build_policy(creds))
    assert actions == set(ACTION_REASONS)  # this profile uses every optional statement
    assert not any("*" in action or "?" in action for action in actions)
    assert "*" not in granted_resources(build_policy(creds))


def test_default_profile_account_is_a_wildcard_and_region_sets_partition() -> None:
    policy = build_policy(_creds())
    workgroup = _statement(policy, "AthenaWorkgroup")
    assert workgroup["Resource"] == ["arn:aws:athena:eu-west-1:*:workgroup/primary"]
    assert any("account id is '*'" in note for note in notes(_creds()))
    assert any("local emulator" in note for note in notes(_creds(emulator=True)))
    assert not any("local emulator" in note for note in notes(_creds()))
    assert partition_of("cn-north-1") == "aws-cn"
    china = build_policy(_creds(region_name="cn-north-1"))
    assert _statement(china, "AthenaWorkgroup")["Resource"] == [
        "arn:aws-cn:athena:cn-north-1:*:workgroup/primary"
    ]


def test_custom_work_group_and_skipped_workgroup_check() -> None:
    policy = build_policy(_creds(work_group="etl", skip_workgroup_check=True))
    assert allows(policy, "athena:StartQueryExecution", "arn:aws:athena:eu-west-1:111122223333:workgroup/etl")
    assert not allows(
        policy, "athena:StartQueryExecution", "arn:aws:athena:eu-west-1:111122223333:workgroup/primary"
    )
    assert "athena:GetWorkGroup" not in granted_actions(policy)
    assert "athena:GetWorkGroup" in granted_actions(build_policy(_creds(work_group="etl")))


def test_assume_role_grants_only_that_role_and_names_its_account() -> None:
    without = build_policy(_creds())
    assert not any(action.startswith("sts:") for action in granted_actions(without))

    creds = _creds(assume_role_arn=ROLE, assume_role_external_id="secret-id")
    policy = build_policy(creds)
    assert _statement(policy, "AssumeRole")["Action"] == ["sts:AssumeRole"]
    assert allows(policy, "sts:AssumeRole", ROLE)
    assert not allows(policy, "sts:AssumeRole", "arn:aws:iam::123456789012:role/admin")
    assert _statement(policy, "AthenaWorkgroup")["Resource"] == [
        "arn:aws:athena:eu-west-1:123456789012:workgroup/primary"
    ]
    assert any("sts:ExternalId" in note for note in notes(creds))
    assert "secret-id" not in json.dumps(policy) + " ".join(notes(creds))

    with_identity = build_policy(_creds(assume_role_arn=ROLE, assume_role_source_identity="ci"))
    assert allows(with_identity, "sts:SetSourceIdentity", ROLE)


def test_glue_covers_target_and_custom_schemas_only() -> None:
    policy = build_policy(_creds(assume_role_arn=ROLE))
    glue = "arn:aws:glue:eu-west-1:123456789012"
    for resource in (f"{glue}:catalog", f"{glue}:database/analytics", f"{glue}:table/analytics/orders"):
        assert allows(policy, "glue:GetTable", resource)
    assert allows(policy, "glue:CreateDatabase", f"{glue}:database/analytics_staging")
    assert allows(policy, "glue:UpdateTable", f"{glue}:table/analytics_staging/orders")
    assert not allows(policy, "glue:GetTable", f"{glue}:table/finance/payroll")
    assert not allows(policy, "glue:CreateDatabase", f"{glue}:database/default")
    assert allows(policy, "glue:GetDatabase", f"{glue}:database/default")


def test_staging_and_data_in_distinct_buckets() -> None:
    policy = build_policy(_creds(s3_data_dir="s3://data-bucket/lake/"))
    results, data = "arn:aws:s3:::results-bucket", "arn:aws:s3:::data-bucket"
    assert allows(policy, "s3:PutObject", f"{results}/athena/query.csv")
    assert not allows(policy, "s3:DeleteObject", f"{results}/athena/query.csv")
    assert allows(policy, "s3:DeleteObject", f"{data}/lake/analytics/orders/part-0.parquet")
    assert not allows(policy, "s3:GetObject", f"{data}/other/file")
    assert not allows(policy, "s3:GetObject", f"{results}/secret.csv")
    assert allows(policy, "s3:ListBucket", data, {"s3:prefix": "lake/analytics/orders/"})
    assert not allows(policy, "s3:ListBucket", data, {"s3:prefix": "other/"})
    assert not allows(policy, "s3:ListBucket", data)  # no prefix: the whole bucket
    assert allows(policy, "s3:ListBucket", results, {"s3:prefix": "athena/"})


def test_data_dir_defaults_under_staging_dir() -> None:
    policy = build_policy(_creds())
    bucket = "arn:aws:s3:::results-bucket"
    assert allows(policy, "s3:DeleteObject", f"{bucket}/athena/tables/analytics/orders/x.parquet")
    assert not allows(policy, "s3:DeleteObject", f"{bucket}/athena/query.csv")


def test_tmp_table_dir_gets_table_data_permissions() -> None:
    policy = build_policy(
        _creds(s3_data_dir="s3://data-bucket/lake/", s3_tmp_table_dir="s3://scratch-bucket/tmp/")
    )
    scratch = "arn:aws:s3:::scratch-bucket"
    assert allows(policy, "s3:DeleteObject", f"{scratch}/tmp/analytics/orders__tmp/x.parquet")
    assert allows(policy, "s3:ListBucket", scratch, {"s3:prefix": "tmp/analytics/"})
    assert not allows(policy, "s3:PutObject", f"{scratch}/elsewhere/x")


def test_bucket_root_directory_lists_the_whole_bucket() -> None:
    policy = build_policy(_creds(s3_data_dir="s3://data-bucket/"))
    assert allows(policy, "s3:ListBucket", "arn:aws:s3:::data-bucket")
    assert allows(policy, "s3:DeleteObject", "arn:aws:s3:::data-bucket/analytics/orders/x.parquet")


def test_other_glue_catalog_needs_get_data_catalog() -> None:
    policy = build_policy(_creds(database="shared_catalog"))
    assert allows(policy, "athena:GetDataCatalog", "arn:aws:athena:eu-west-1:*:datacatalog/shared_catalog")
    assert "athena:GetDataCatalog" not in granted_actions(build_policy(_creds()))


def test_s3_operations_map_to_their_iam_actions() -> None:
    assert iam_action("s3", "ListObjectsV2") == ("s3:ListBucket",)
    assert iam_action("s3", "DeleteObjects") == ("s3:DeleteObject",)
    assert iam_action("glue", "GetTable") == ("glue:GetTable",)


def test_cli_prints_the_policy_of_the_named_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "profiles.yml").write_text(
        textwrap.dedent(
            """
            shop:
              target: dev
              outputs:
                dev:
                  type: athena_lite
                  region_name: us-east-1
                  database: awsdatacatalog
                  schema: dev_shop
                  s3_staging_dir: s3://dev-bucket/results/
                prod:
                  type: athena_lite
                  region_name: "{{ env_var('SHOP_REGION') }}"
                  database: awsdatacatalog
                  schema: shop
                  work_group: "{{ env_var('SHOP_WORK_GROUP', 'etl') }}"
                  s3_staging_dir: s3://prod-bucket/results/
            """
        )
    )
    monkeypatch.chdir(tmp_path)  # no dbt_project.yml here: the only profile is used
    monkeypatch.setenv("SHOP_REGION", "eu-central-1")
    assert main(["iam-policy", "--profiles-dir", str(tmp_path), "--target", "prod"]) == 0
    out, err = capsys.readouterr()
    policy = json.loads(out)
    assert allows(policy, "athena:StartQueryExecution", "arn:aws:athena:eu-central-1:1:workgroup/etl")
    assert allows(policy, "glue:GetTable", "arn:aws:glue:eu-central-1:1:table/shop/orders")
    assert "target 'prod'" in err

    monkeypatch.delenv("SHOP_REGION")
    assert main(["iam-policy", "--profiles-dir", str(tmp_path), "--target", "prod"]) == 1
    assert "SHOP_REGION" in capsys.readouterr().err


def test_cli_asks_for_a_profile_when_there_are_several(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = "{type: athena_lite, region_name: us-east-1, database: awsdatacatalog, schema: s, s3_staging_dir: 's3://bucket-b/r/'}"
    (tmp_path / "profiles.yml").write_text(
        f"a:\n  target: t\n  outputs:\n    t: {target}\nb:\n  target: t\n  outputs:\n    t: {target}\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["iam-policy", "--profiles-dir", str(tmp_path)]) == 1
    assert "--profile" in capsys.readouterr().err
    assert main(["iam-policy", "--profiles-dir", str(tmp_path), "--profile", "b"]) == 0
    (tmp_path / "dbt_project.yml").write_text("name: p\nprofile: a\n")
    assert main(["iam-policy", "--profiles-dir", str(tmp_path)]) == 0
    assert "profile 'a'" in capsys.readouterr().err


def test_readme_shows_the_policy_printed_for_sample_project_prod(monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    shown = (
        readme.split("<summary>the printed policy</summary>", 1)[1]
        .split("```json\n", 1)[1]
        .split("```", 1)[0]
    )
    for name, value in {
        "JAFFLE_AWS_REGION": "eu-west-1",
        "JAFFLE_WORK_GROUP": "etl",
        "JAFFLE_S3_STAGING_DIR": "s3://jaffle-results/athena/",
        "JAFFLE_S3_DATA_DIR": "s3://jaffle-data/lake/",
        "JAFFLE_ROLE_ARN": ROLE,
        "JAFFLE_EXTERNAL_ID": "external-id",
    }.items():
        monkeypatch.setenv(name, value)
    loaded = load_target(root / "sample_project", target="prod", project_dir=root / "sample_project")
    assert (loaded.profile_name, loaded.target_name) == ("jaffle_lake", "prod")
    assert json.loads(shown) == build_policy(loaded.credentials)


def test_other_glue_catalog_leaves_its_account_open() -> None:
    policy = build_policy(_creds(database="shared_catalog", assume_role_arn=ROLE))
    assert allows(policy, "glue:GetTable", "arn:aws:glue:eu-west-1:444455556666:table/analytics/orders")
    assert allows(
        policy, "athena:StartQueryExecution", "arn:aws:athena:eu-west-1:123456789012:workgroup/primary"
    )
    assert not allows(
        policy, "athena:StartQueryExecution", "arn:aws:athena:eu-west-1:444455556666:workgroup/primary"
    )
