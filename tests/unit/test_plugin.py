"""The plugin as dbt loads it: the macro project it points at is the one dbt will actually use."""

from __future__ import annotations

from pathlib import Path

import yaml
from dbt.adapters.athena_lite import Plugin
from dbt.adapters.athena_lite.__version__ import version

from dbt_athena_lite import __version__
from dbt_athena_lite.include import MACROS_PROJECT_NAME, include_path


def test_project_name_matches_the_macro_project() -> None:
    # A mismatch makes dbt silently ignore our macros and use its defaults.
    project = yaml.safe_load((Path(Plugin.include_path) / "dbt_project.yml").read_text())
    assert Plugin.project_name == project["name"] == MACROS_PROJECT_NAME


def test_include_path_holds_our_materializations() -> None:
    macros = list(include_path().rglob("*.sql"))
    assert any("materialization view, adapter='athena_lite'" in path.read_text() for path in macros)


def test_versions_agree() -> None:
    assert version == __version__


def test_adapter_type() -> None:
    assert Plugin.adapter.type() == "athena_lite"
    assert Plugin.credentials.__name__ == "AthenaLiteCredentials"
