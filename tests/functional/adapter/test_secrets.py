"""Secrets in the profile never reach dbt's output, logs or target/ — with a role assumed for real."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from dbt.tests.util import run_dbt, run_dbt_and_capture

SECRET_KEY = "secret-key-6f1c2e9a"
SESSION_TOKEN = "session-token-0b7d41c3"
EXTERNAL_ID = "external-id-93a5f7e2"


class TestSecretsStayOut:
    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict[str, Any]) -> dict[str, Any]:
        return {
            **dbt_profile_target,
            "aws_secret_access_key": SECRET_KEY,
            "aws_session_token": SESSION_TOKEN,
            "assume_role_arn": "arn:aws:iam::123456789012:role/dbt-deploy",
            "assume_role_external_id": EXTERNAL_ID,
            "assume_role_source_identity": "ci-job",
        }

    @pytest.fixture(scope="class")
    def models(self) -> dict[str, str]:
        return {"one.sql": "select 1 as id", "broken.sql": "select no_such_column from {{ ref('one') }}"}

    def test_secrets_appear_nowhere(self, project, emulator_endpoint: str) -> None:  # type: ignore[no-untyped-def]
        _, debug_output = run_dbt_and_capture(["debug"])
        assert "All checks passed!" in debug_output
        # A failing model too: error paths must not leak the profile either.
        _, run_output = run_dbt_and_capture(["run"], expect_pass=False)
        run_dbt(["run", "--select", "one"])

        with urllib.request.urlopen(f"{emulator_endpoint}/_emulator/stats") as response:
            calls = json.load(response)
        assert calls.get("sts:AssumeRole", 0) >= 1, "the role was never assumed"

        written = [
            path.read_text(errors="replace")
            for folder in ("logs", "target")
            for path in (Path(project.project_root) / folder).rglob("*")
            if path.is_file()
        ]
        assert written, "dbt wrote no logs or artifacts to inspect"
        for secret in (SECRET_KEY, SESSION_TOKEN, EXTERNAL_ID):
            assert secret not in debug_output
            assert secret not in run_output
            assert not any(secret in text for text in written), f"{secret} leaked into logs or target/"
