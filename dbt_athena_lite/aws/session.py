"""The one place boto3 sessions and clients are built.

Auth modes: static keys (+ session token), a named profile (SSO included), the default chain, and
an assumed role on top of any of them. Assumed-role credentials are botocore refreshable credentials:
botocore calls AssumeRole again shortly before they expire, so runs longer than the role's
duration keep working (neither PyAthena's `role_arn` nor dbt-athena refresh).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
    ReadOnlyCredentials,
)

from dbt_athena_lite.__version__ import version

if TYPE_CHECKING:
    from dbt_athena_lite.credentials import AthenaLiteCredentials

ServiceName = Literal["athena", "glue", "s3", "sts", "lakeformation"]

# Refresh assumed-role credentials this long before they expire (botocore's default is 15 minutes
# for assume-role; a query started just before expiry must still be able to poll and fetch results).
REFRESH_BEFORE_EXPIRY_SECONDS = 15 * 60


def refresh_window_seconds(duration_seconds: int) -> int:
    """How long before expiry to re-assume the role: 15 minutes, but at most a third of the session.

    A fixed 15-minute window would put a 15-minute session (STS's minimum) inside the window from the
    start, and botocore would call AssumeRole before every request.
    """
    return min(REFRESH_BEFORE_EXPIRY_SECONDS, duration_seconds // 3)


class NoCredentialsFound(RuntimeError):
    """boto3 found no credentials; the message lists the ways to provide them."""


class _AssumedRoleProvider(CredentialProvider):  # type: ignore[misc]
    """A credential provider that hands botocore refreshable assumed-role credentials."""

    METHOD = "assume-role"
    CANONICAL_NAME = "dbt-athena-lite-assume-role"

    def __init__(self, fetcher: AssumeRoleCredentialFetcher, refresh_window: int) -> None:
        super().__init__()
        self._fetcher = fetcher
        self._refresh_window = refresh_window

    def load(self) -> DeferredRefreshableCredentials:
        return _AssumedRoleCredentials(self._fetcher.fetch_credentials, self.METHOD, self._refresh_window)


class _AssumedRoleCredentials(DeferredRefreshableCredentials):
    """Deferred refreshable credentials whose refresh starts `refresh_window` seconds before expiry."""

    def __init__(self, refresh_using: Callable[[], Any], method: str, refresh_window: int) -> None:
        super().__init__(refresh_using=refresh_using, method=method)
        # botocore's __init__ takes no timeouts: set the attributes RefreshableCredentials reads,
        # in the ratio of botocore's defaults (advisory 15 min, mandatory 10 min).
        self._advisory_refresh_timeout = refresh_window
        self._mandatory_refresh_timeout = refresh_window * 2 // 3


def client_config(creds: AthenaLiteCredentials, *, pool_size: int = 10) -> Config:
    """botocore settings for every client: retry budget from num_boto3_retries, our user agent."""
    retries: dict[str, Any] = {"mode": "standard"}
    if creds.num_boto3_retries is not None:
        retries["total_max_attempts"] = creds.num_boto3_retries + 1
    return Config(
        retries=retries,  # type: ignore[arg-type]
        user_agent_extra=f"dbt-athena-lite/{version}",
        max_pool_connections=pool_size,
    )


def build_session(creds: AthenaLiteCredentials) -> boto3.Session:
    """A boto3 session for the profile's auth mode (see the module docstring)."""
    base = boto3.Session(
        aws_access_key_id=creds.aws_access_key_id,
        aws_secret_access_key=creds.aws_secret_access_key,
        aws_session_token=creds.aws_session_token,
        profile_name=creds.aws_profile_name,
        region_name=creds.region_name,
    )
    if not creds.assume_role_arn:
        return base
    return _assume_role_session(base, creds)


def _assume_role_session(base: boto3.Session, creds: AthenaLiteCredentials) -> boto3.Session:
    assert creds.assume_role_arn
    source = base.get_credentials()
    if source is None:
        raise NoCredentialsFound(_NO_CREDENTIALS_HELP)
    base_core: botocore.session.Session = base._session  # boto3 exposes no public accessor
    sts_creator = functools.partial(
        base_core.create_client,
        region_name=creds.region_name,
        endpoint_url=creds.endpoint_url,
        config=client_config(creds),
    )
    extra_args: dict[str, Any] = {
        "RoleSessionName": creds.assume_role_session_name,
        "DurationSeconds": creds.assume_role_duration_seconds,
    }
    if creds.assume_role_external_id:
        extra_args["ExternalId"] = creds.assume_role_external_id
    if creds.assume_role_source_identity:
        extra_args["SourceIdentity"] = creds.assume_role_source_identity
    refresh_window = refresh_window_seconds(creds.assume_role_duration_seconds)
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=sts_creator,
        source_credentials=source,
        role_arn=creds.assume_role_arn,
        extra_args=extra_args,
        expiry_window_seconds=refresh_window,
    )
    # The named profile's settings (ca_bundle, proxies, endpoint_url, ...) apply to the role's clients too.
    assumed_core = botocore.session.Session(profile=creds.aws_profile_name)
    assumed_core.register_component(
        "credential_provider", CredentialResolver([_AssumedRoleProvider(fetcher, refresh_window)])
    )
    return boto3.Session(botocore_session=assumed_core, region_name=creds.region_name)


class AwsClients:
    """Clients for one profile, created on first use and reused (clients are thread-safe; building them
    from one session is not, hence the lock)."""

    def __init__(self, creds: AthenaLiteCredentials, session: boto3.Session | None = None) -> None:
        self._creds = creds
        self._session = session if session is not None else build_session(creds)
        self._config = client_config(creds, pool_size=32)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def session(self) -> boto3.Session:
        return self._session

    @property
    def config(self) -> Config:
        return self._config

    def client(self, service: ServiceName) -> Any:
        with self._lock:
            if service not in self._clients:
                # endpoint_url=None lets botocore apply AWS_ENDPOINT_URL[_<SERVICE>] from the environment.
                self._clients[service] = self._session.client(
                    service,
                    region_name=self._creds.region_name,
                    endpoint_url=self._creds.endpoint_url,
                    config=self._config,
                )
            return self._clients[service]

    def frozen_credentials(self) -> ReadOnlyCredentials | None:
        """Current credentials (refreshed if due), or None if no source provides any."""
        found = self._session.get_credentials()
        return None if found is None else found.get_frozen_credentials()


_NO_CREDENTIALS_HELP = (
    "No AWS credentials found. Set aws_profile_name (e.g. an SSO profile, after `aws sso login`), or "
    "aws_access_key_id and aws_secret_access_key in the profile, or the AWS_* environment variables."
)
