"""`dbt debug` on the emulator names the permission group that is missing: here the data location's
bucket, after the workgroup, the output location and the Glue database have passed."""

from __future__ import annotations

from typing import Any

import pytest
from dbt.tests.adapter.dbt_debug.test_dbt_debug import BaseDebug
from dbt.tests.util import run_dbt


class TestDebugNamesMissingDataBucket(BaseDebug):
    @pytest.fixture(scope="class")
    def dbt_profile_target(self, dbt_profile_target: dict[str, Any]) -> dict[str, Any]:
        return {**dbt_profile_target, "s3_data_dir": "s3://no-such-data-bucket/data/"}

    def test_names_the_data_location(self, project) -> None:  # type: ignore[no-untyped-def]
        run_dbt(["debug"], expect_pass=False)
        out = self.capsys.readouterr().out
        assert (
            "data location (s3_data_dir): bucket 'no-such-data-bucket' of s3://no-such-data-bucket/data/"
            in out
        )
        assert "Create it, or point s3_data_dir at an existing bucket" in out
