"""`dbt init`: the prompt template and the sample profile it falls back to, run through dbt-core's code."""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from dbt.config.profile import Profile
from dbt.config.renderer import ProfileRenderer
from dbt.task.init import InitTask, click_type_mapping
from dbt_common.context import set_invocation_context

from dbt_athena_lite.credentials import SECRET_FIELDS, AthenaLiteCredentials
from dbt_athena_lite.include import include_path

# dbt init reads both from the adapter's include path (`get_include_paths(adapter)[0]`).
TEMPLATE = include_path() / "profile_template.yml"
SAMPLE = include_path() / "sample_profiles.yml"

PROMPT_KEYS = {"hint", "default", "type", "hide_input"}  # what InitTask.generate_target_from_input reads
PROFILE_FIELDS = {field.name for field in dataclasses.fields(AthenaLiteCredentials)} | {"threads"}

DEFAULT_CHAIN = "default AWS credential chain (environment, ~/.aws, SSO, instance role)"
NAMED_PROFILE = "named profile from ~/.aws/config"
ACCESS_KEYS = "access keys"


def read_yaml(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text())
    assert isinstance(loaded, dict)
    return loaded


def iter_prompts(prompts: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (field, prompt) in a template, including those under each `_choose_*` option."""
    for key, value in prompts.items():
        if key.startswith("_choose"):
            for option in value.values():
                yield from iter_prompts(option)
        elif not key.startswith("_fixed"):
            yield key, value or {}


class ScriptedUser:
    """Stands in for `click.prompt` in dbt init: answers by field name, else accepts the default."""

    def __init__(self, answers: dict[str, str], choice: str) -> None:
        self.answers = answers
        self.choice = choice
        self.asked: list[str] = []
        self.hidden: set[str] = set()

    def __call__(self, text: str, default: Any = None, hide_input: bool = False, type: Any = None) -> Any:
        if text.endswith("option (enter a number)"):
            options = [line.split("] ", 1)[1] for line in text.splitlines()[:-1]]
            return options.index(self.choice) + 1
        field = text.split(" (", 1)[0]
        self.asked.append(field)
        if hide_input:
            self.hidden.add(field)
        if field in self.answers:
            return self.answers[field]
        assert default is not None, f"dbt init would insist on an answer for {field}"
        return type(default) if type else default  # click converts a default through the prompt type


@pytest.mark.parametrize(
    "path", [pytest.param(TEMPLATE, id="profile_template"), pytest.param(SAMPLE, id="sample_profiles")]
)
def test_init_files_are_where_dbt_init_looks(path: Path) -> None:
    assert path.is_file()


def test_template_uses_only_what_dbt_init_understands() -> None:
    template = read_yaml(TEMPLATE)

    assert set(template) == {"fixed", "prompts"}
    assert template["fixed"] == {"type": "athena_lite"}
    for field, prompt in iter_prompts(template["prompts"]):
        assert field in PROFILE_FIELDS, field
        assert set(prompt) <= PROMPT_KEYS, field
        assert prompt.get("type") in click_type_mapping, field
        assert prompt.get("hide_input", False) is (field in SECRET_FIELDS), field


REQUIRED_ANSWERS = {
    "region_name": "eu-west-1",
    "s3_staging_dir": "s3://acme-athena/results",
    "schema": "dbt_alice",
}


@pytest.mark.usefixtures("dbt_loads_athena_lite")
@pytest.mark.parametrize(
    ("choice", "answers", "auth_method"),
    [
        pytest.param(DEFAULT_CHAIN, {}, "default credential chain", id="default-chain"),
        pytest.param(NAMED_PROFILE, {"aws_profile_name": "acme-sso"}, "profile acme-sso", id="named-profile"),
        pytest.param(
            ACCESS_KEYS,
            {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": "secret"},
            "access keys",
            id="access-keys",
        ),
    ],
)
def test_dbt_init_writes_a_profile_that_loads(
    monkeypatch: pytest.MonkeyPatch, choice: str, answers: dict[str, str], auth_method: str
) -> None:
    template = read_yaml(TEMPLATE)
    user = ScriptedUser({**REQUIRED_ANSWERS, **answers}, choice)
    written: dict[str, Any] = {}
    monkeypatch.setattr("dbt.task.init.click.prompt", user)
    monkeypatch.setattr(
        InitTask, "write_profile", lambda self, profile, name: written.update({name: profile})
    )

    # dbt init's own code from the template to the profile; the task's constructor needs a full CLI context.
    InitTask.create_profile_from_profile_template(object.__new__(InitTask), template, "acme")
    profile = Profile.from_raw_profiles(written, "acme", ProfileRenderer({}))

    creds = profile.credentials
    assert isinstance(creds, AthenaLiteCredentials)
    assert user.asked == [
        "region_name",
        "s3_staging_dir",
        "work_group",
        "database",
        "schema",
        *answers,
        "threads",
    ]
    assert user.hidden == ({"aws_secret_access_key"} & set(answers))
    assert (creds.region_name, creds.schema) == ("eu-west-1", "dbt_alice")
    assert creds.s3_staging_dir == "s3://acme-athena/results/"
    assert (creds.database, creds.work_group) == ("awsdatacatalog", "primary")
    assert creds.auth_method == auth_method
    assert profile.threads == template["prompts"]["threads"]["default"]
    assert profile.target_name == "dev"


@pytest.mark.usefixtures("dbt_loads_athena_lite")
@pytest.mark.parametrize(
    ("target", "auth_method"),
    [
        ("dev", "default credential chain"),
        ("prod", "default credential chain + assume role"),
        ("local", "access keys"),
    ],
)
def test_sample_profile_targets_load(target: str, auth_method: str) -> None:
    sample = read_yaml(SAMPLE)
    (profile_name,) = sample  # dbt init renames the one profile to the project's
    env = {
        "DBT_ATHENA_ROLE_ARN": "arn:aws:iam::123456789012:role/dbt-deployer",
        "DBT_ATHENA_EXTERNAL_ID": "acme-7f3a",
    }

    def load() -> Profile:
        set_invocation_context(env)  # env_var() reads this; dbt's CLI sets it from os.environ
        return Profile.from_raw_profiles(sample, profile_name, ProfileRenderer({}), target_override=target)

    profile = contextvars.copy_context().run(load)  # the context variable stays local to this test

    assert isinstance(profile.credentials, AthenaLiteCredentials)
    assert profile.credentials.auth_method == auth_method
    assert profile.credentials.num_retries == 5  # prod: env_var()'s default string, coerced
