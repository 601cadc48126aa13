"""Load one target of a profiles.yml outside a dbt run, rendered and validated exactly as dbt does."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite.credentials import AthenaLiteCredentials


class ProfileNotFound(DbtRuntimeError):
    """No profile to load, or more than one to choose from; the message says which flag to add."""


@dataclass(frozen=True)
class LoadedTarget:
    profile_name: str
    target_name: str
    credentials: AthenaLiteCredentials


def load_target(
    profiles_dir: str | os.PathLike[str],
    target: str | None = None,
    profile: str | None = None,
    project_dir: str | os.PathLike[str] = ".",
) -> LoadedTarget:
    """The credentials of `target` (default: the profile's `target:`) in `profile` (default: the
    `profile:` of dbt_project.yml in `project_dir`, else the only profile in profiles.yml).

    dbt's own reader and renderer do the work, so `env_var()`, `var()` defaults and validation behave
    as in `dbt run`."""
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    set_invocation_context(dict(os.environ))  # env_var() reads the environment through it
    raw_profiles = read_profile(str(profiles_dir))
    if not raw_profiles:
        raise ProfileNotFound(
            f"No profiles.yml in {profiles_dir}. Pass the folder holding it as --profiles-dir."
        )
    name = profile or _project_profile(Path(project_dir)) or _only_profile(raw_profiles, profiles_dir)
    if name not in raw_profiles:
        raise ProfileNotFound(f"{profiles_dir}/profiles.yml has no profile {name!r}. Check --profile.")
    # Profile.render_profile and _credentials_from_profile are the two steps of dbt's own loading that
    # need no dbt invocation flags (the Profile object itself reads them).
    target_name, data = Profile.render_profile(raw_profiles[name], name, target, ProfileRenderer({}))
    data.pop("threads", None)
    credentials = Profile._credentials_from_profile(data, name, target_name)
    if not isinstance(credentials, AthenaLiteCredentials):
        raise ProfileNotFound(
            f"Target {target_name!r} of profile {name!r} is of type {credentials.type!r}, not athena_lite. "
            "Choose an athena_lite target with --target."
        )
    return LoadedTarget(name, target_name, credentials)


def _project_profile(project_dir: Path) -> str | None:
    from dbt.clients.yaml_helper import load_yaml_text

    project_file = project_dir / "dbt_project.yml"
    if not project_file.is_file():
        return None
    project = load_yaml_text(project_file.read_text(encoding="utf-8")) or {}
    name = project.get("profile")
    return str(name) if name else None


def _only_profile(raw_profiles: dict[str, object], profiles_dir: str | os.PathLike[str]) -> str:
    names = sorted(name for name in raw_profiles if name != "config")  # `config:` holds dbt flags
    if len(names) != 1:
        raise ProfileNotFound(
            f"{profiles_dir}/profiles.yml holds profiles {', '.join(names) or '(none)'}. "
            "Name one with --profile, or run from the dbt project whose dbt_project.yml names it."
        )
    return names[0]
