"""boto3 sessions and clients for each auth mode, against moto (in-process, or its server for endpoints)."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import botocore.handlers
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import EndpointConnectionError
from freezegun import freeze_time
from moto import mock_aws
from moto.server import ThreadedMotoServer

from dbt_athena_lite.__version__ import version
from dbt_athena_lite.aws.session import AwsClients, NoCredentialsFound, ServiceName, build_session
from dbt_athena_lite.credentials import AthenaLiteCredentials

LoadProfile = Callable[..., AthenaLiteCredentials]

ACCOUNT = "123456789012"  # moto's default account
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/dbt-deployer"
KEYS = {"aws_access_key_id": "AKIASOURCEKEY0000001", "aws_secret_access_key": "source-secret"}
SERVICES: tuple[ServiceName, ...] = ("athena", "glue", "s3", "sts", "lakeformation")

# One cheap read per service: it succeeds only if the request reached moto.
_PROBES: dict[str, Callable[[Any], object]] = {
    "athena": lambda client: client.list_work_groups(),
    "glue": lambda client: client.get_databases(),
    "s3": lambda client: client.list_buckets(),
    "sts": lambda client: client.get_caller_identity(),
    "lakeformation": lambda client: client.list_resources(),
}


# --- fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No credentials, config, endpoints or instance metadata from the machine running the tests.

    Returns the folder holding the (absent until written) AWS config and credentials files.
    """
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


@pytest.fixture
def mocked_aws() -> Iterator[None]:
    with mock_aws():
        yield


@dataclass
class AssumeRoleCalls:
    """AssumeRole requests as sent on the wire, and the access keys STS returned."""

    sent: list[dict[str, str]] = field(default_factory=list)
    signed_with: list[str] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    expirations: list[datetime] = field(default_factory=list)

    def on_send(self, request: AWSPreparedRequest, **_: Any) -> None:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        self.sent.append(dict(parse_qsl(body)))  # STS speaks the query protocol: a form-encoded body
        self.signed_with.append(signing_key(request))

    def on_response(self, parsed: dict[str, Any], **_: Any) -> None:
        self.issued.append(parsed["Credentials"]["AccessKeyId"])
        self.expirations.append(parsed["Credentials"]["Expiration"])


@pytest.fixture
def assume_role_calls(monkeypatch: pytest.MonkeyPatch) -> AssumeRoleCalls:
    # The STS client doing AssumeRole is built inside botocore's fetcher, from a session the code under
    # test creates; handlers in BUILTIN_HANDLERS reach every new session (moto hooks in the same way).
    # The specific event name runs before moto's catch-all "before-send", which answers the request.
    calls = AssumeRoleCalls()
    monkeypatch.setattr(
        botocore.handlers,
        "BUILTIN_HANDLERS",
        [
            *botocore.handlers.BUILTIN_HANDLERS,
            ("before-send.sts.AssumeRole", calls.on_send),
            ("after-call.sts.AssumeRole", calls.on_response),
        ],
    )
    return calls


def sent_requests(client: Any) -> list[AWSPreparedRequest]:
    """Requests `client` sends from now on, signed, as they go on the wire (seen before moto answers)."""
    sent: list[AWSPreparedRequest] = []
    client.meta.events.register_first("before-send", lambda request, **_: sent.append(request))
    return sent


def signing_key(request: AWSPreparedRequest) -> str:
    """The access key id in a SigV4 Authorization header: `... Credential=<key>/<date>/<region>/...`."""
    return str(request.headers["Authorization"]).split("Credential=")[1].split("/")[0]


def unused_local_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def write_named_profile(aws_dir: Path, config: str = "") -> None:
    """Profile `dev` with its keys in the shared credentials file and `config` lines in the config file."""
    (aws_dir / "config").write_text(f"[profile dev]\n{config}")
    (aws_dir / "credentials").write_text(
        "[dev]\naws_access_key_id = AKIAPROFILE000000001\naws_secret_access_key = s\n"
    )


# --- auth modes -------------------------------------------------------------------------------

# Profile fields, and the access key id and session token the requests must then be signed with.
AuthSetup = tuple[dict[str, str], str, str | None]


def _access_keys(monkeypatch: pytest.MonkeyPatch, aws_dir: Path) -> AuthSetup:
    fields = {
        "aws_access_key_id": "AKIAEXPLICIT00000001",
        "aws_secret_access_key": "s",
        "aws_session_token": "tok",
    }
    return fields, "AKIAEXPLICIT00000001", "tok"


def _named_profile(monkeypatch: pytest.MonkeyPatch, aws_dir: Path) -> AuthSetup:
    write_named_profile(aws_dir, "region = us-west-2\n")
    return {"aws_profile_name": "dev"}, "AKIAPROFILE000000001", None


def _default_chain(monkeypatch: pytest.MonkeyPatch, aws_dir: Path) -> AuthSetup:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token")
    return {}, "AKIAENVIRONMENT00001", "env-token"


@pytest.mark.usefixtures("mocked_aws")
@pytest.mark.parametrize(
    "configure",
    [_access_keys, _named_profile, _default_chain],
    ids=["keys", "named-profile", "default-chain"],
)
def test_auth_mode_credentials_sign_the_requests(
    load_profile: LoadProfile,
    monkeypatch: pytest.MonkeyPatch,
    aws_env: Path,
    configure: Callable[[pytest.MonkeyPatch, Path], AuthSetup],
) -> None:
    fields, access_key, token = configure(monkeypatch, aws_env)
    athena = AwsClients(load_profile(**fields)).client("athena")
    sent = sent_requests(athena)

    athena.list_work_groups()

    assert signing_key(sent[0]) == access_key
    assert sent[0].headers.get("X-Amz-Security-Token") == token
    assert athena.meta.region_name == "eu-west-1"  # the profile's region, not the named profile's


@pytest.mark.usefixtures("mocked_aws")
def test_requests_carry_the_adapter_user_agent(load_profile: LoadProfile) -> None:
    glue = AwsClients(load_profile(**KEYS)).client("glue")
    sent = sent_requests(glue)

    glue.get_databases()

    assert f"dbt-athena-lite/{version}" in str(sent[0].headers["User-Agent"])


def test_no_credentials_for_assume_role_explains_the_options(load_profile: LoadProfile) -> None:
    with pytest.raises(NoCredentialsFound) as caught:
        build_session(load_profile(assume_role_arn=ROLE_ARN))

    assert "aws_profile_name" in str(caught.value)
    assert "aws sso login" in str(caught.value)
    assert "AWS_* environment variables" in str(caught.value)


def test_no_credentials_without_role_is_reported_as_none(load_profile: LoadProfile) -> None:
    assert AwsClients(load_profile()).frozen_credentials() is None


# --- assume role ------------------------------------------------------------------------------


@pytest.mark.usefixtures("mocked_aws")
@pytest.mark.parametrize(
    ("fields", "expected_request"),
    [
        pytest.param(
            {},
            {"RoleSessionName": "dbt-athena-lite", "DurationSeconds": "3600"},
            id="defaults",
        ),
        pytest.param(
            {
                "assume_role_session_name": "nightly-build",
                "assume_role_external_id": "ext-7f3a",
                "assume_role_source_identity": "alice",
                "assume_role_duration_seconds": "900",
            },
            {
                "RoleSessionName": "nightly-build",
                "ExternalId": "ext-7f3a",
                "SourceIdentity": "alice",
                "DurationSeconds": "900",
            },
            id="all-options",
        ),
    ],
)
def test_assume_role_request_and_assumed_credentials(
    load_profile: LoadProfile,
    assume_role_calls: AssumeRoleCalls,
    fields: dict[str, str],
    expected_request: dict[str, str],
) -> None:
    clients = AwsClients(load_profile(**KEYS, assume_role_arn=ROLE_ARN, **fields))
    athena = clients.client("athena")
    sent = sent_requests(athena)

    athena.list_work_groups()
    identity = clients.client("sts").get_caller_identity()

    assert assume_role_calls.sent == [
        {"Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": ROLE_ARN, **expected_request}
    ]
    assert assume_role_calls.signed_with == [KEYS["aws_access_key_id"]]
    assert signing_key(sent[0]) == assume_role_calls.issued[0] != KEYS["aws_access_key_id"]
    session_name = expected_request["RoleSessionName"]
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/dbt-deployer/{session_name}"


@pytest.mark.usefixtures("mocked_aws")
@pytest.mark.parametrize(
    ("duration", "window"),
    [
        pytest.param(3600, timedelta(minutes=15), id="1h-session-botocore-window"),
        pytest.param(900, timedelta(minutes=5), id="15min-session-third-of-it"),
    ],
)
def test_assumed_role_is_refreshed_before_expiry_during_a_long_run(
    load_profile: LoadProfile, assume_role_calls: AssumeRoleCalls, duration: int, window: timedelta
) -> None:
    # freezegun moves the one clock that botocore's refresh check, its credential cache and moto's
    # expirations all read. Patching botocore.credentials._local_now is not enough: RefreshableCredentials
    # binds it as a default argument (time_fetcher=_local_now) when botocore is imported.
    issued, lifetime, run = assume_role_calls.issued, timedelta(seconds=duration), timedelta(hours=6)
    profile = load_profile(**KEYS, assume_role_arn=ROLE_ARN, assume_role_duration_seconds=duration)
    with freeze_time("2026-03-02 08:00:00") as clock:
        athena = AwsClients(profile).client("athena")
        sent = sent_requests(athena)

        athena.list_work_groups()
        clock.tick(lifetime - window - timedelta(seconds=30))  # just outside the refresh window
        athena.list_work_groups()
        assert len(issued) == 1
        assert signing_key(sent[1]) == issued[0]

        clock.tick(timedelta(seconds=60))  # 30 s inside it: re-assumed before the next request
        athena.list_work_groups()
        assert len(issued) == 2
        assert signing_key(sent[2]) == issued[1] != issued[0]

        # Hours more, a request every half window: each signed with the newest credentials, never
        # closer than `window` to their expiry, and without an AssumeRole per request.
        steps = int(run / (window / 2))
        for _ in range(steps):
            clock.tick(window / 2)
            athena.list_work_groups()
            assert signing_key(sent[-1]) == issued[-1]
            assert assume_role_calls.expirations[-1] - datetime.now(timezone.utc) >= window

    assert run / lifetime - 1 <= len(issued) - 2 <= steps / 3
    assert len(set(issued)) == len(issued)


# --- endpoints --------------------------------------------------------------------------------


def _endpoint_in_profile(monkeypatch: pytest.MonkeyPatch, url: str) -> dict[str, str]:
    return {"endpoint_url": url}


def _endpoint_in_env(monkeypatch: pytest.MonkeyPatch, url: str) -> dict[str, str]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    return {}


def _profile_endpoint_beats_env(monkeypatch: pytest.MonkeyPatch, url: str) -> dict[str, str]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", unused_local_url())
    return {"endpoint_url": url}


@pytest.mark.parametrize(
    "configure",
    [_endpoint_in_profile, _endpoint_in_env, _profile_endpoint_beats_env],
    ids=["profile-field", "AWS_ENDPOINT_URL", "profile-field-beats-env"],
)
def test_every_client_uses_the_endpoint(
    load_profile: LoadProfile,
    monkeypatch: pytest.MonkeyPatch,
    moto_server: str,
    configure: Callable[[pytest.MonkeyPatch, str], dict[str, str]],
) -> None:
    # With a role: the STS client botocore builds to assume it must reach the endpoint too, or the
    # assumed-role identity below could not come from the moto server.
    clients = AwsClients(
        load_profile(**KEYS, assume_role_arn=ROLE_ARN, **configure(monkeypatch, moto_server))
    )

    for service in SERVICES:
        client = clients.client(service)
        assert client.meta.endpoint_url == moto_server, service
        _PROBES[service](client)
    assert ":assumed-role/dbt-deployer/" in clients.client("sts").get_caller_identity()["Arn"]


def test_service_specific_endpoint_env_var(
    load_profile: LoadProfile, monkeypatch: pytest.MonkeyPatch, moto_server: str
) -> None:
    elsewhere = unused_local_url()
    monkeypatch.setenv("AWS_ENDPOINT_URL", elsewhere)
    monkeypatch.setenv("AWS_ENDPOINT_URL_GLUE", moto_server)
    clients = AwsClients(load_profile(**KEYS))

    assert clients.client("glue").meta.endpoint_url == moto_server
    assert clients.client("athena").meta.endpoint_url == elsewhere
    assert clients.client("glue").get_databases()["DatabaseList"] == []


def test_named_profile_config_applies_with_assume_role(
    load_profile: LoadProfile, aws_env: Path, moto_server: str
) -> None:
    # Settings of the named profile (here its endpoint_url; in practice also ca_bundle, proxies) must
    # apply to the clients of the assumed role too, not only to the STS call that assumes it.
    write_named_profile(aws_env, f"endpoint_url = {moto_server}\n")
    clients = AwsClients(load_profile(aws_profile_name="dev", assume_role_arn=ROLE_ARN))

    assert clients.client("athena").meta.endpoint_url == moto_server
    assert ":assumed-role/dbt-deployer/" in clients.client("sts").get_caller_identity()["Arn"]


# --- client reuse and configuration -----------------------------------------------------------


def test_clients_are_created_once_per_service_even_from_many_threads(
    load_profile: LoadProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = load_profile(**KEYS)
    session = build_session(creds)
    created: list[str] = []
    real_client = session.client

    def counting_client(name: str, **kwargs: Any) -> Any:
        created.append(name)
        return real_client(name, **kwargs)

    monkeypatch.setattr(session, "client", counting_client)
    clients = AwsClients(creds, session=session)
    start = threading.Barrier(8)

    def fetch_all(_: int) -> list[Any]:
        start.wait()  # all eight ask at once, while no client exists yet
        return [clients.client(service) for service in SERVICES]

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = [*pool.map(fetch_all, range(8)), [clients.client(service) for service in SERVICES]]

    assert sorted(created) == sorted(SERVICES)
    for got in seen:
        assert all(client is first for client, first in zip(got, seen[0], strict=True))


@pytest.mark.parametrize(("num_boto3_retries", "attempts"), [(None, 3), (0, 1), (4, 5)])
def test_num_boto3_retries_sets_the_attempts_per_request(
    load_profile: LoadProfile, monkeypatch: pytest.MonkeyPatch, num_boto3_retries: int | None, attempts: int
) -> None:
    # A refused connection is retried by botocore; count the attempts, skipping the backoff sleeps.
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda seconds: None)
    clients = AwsClients(
        load_profile(**KEYS, endpoint_url=unused_local_url(), num_boto3_retries=num_boto3_retries)
    )
    athena = clients.client("athena")
    sent = sent_requests(athena)

    with pytest.raises(EndpointConnectionError):
        athena.list_work_groups()

    assert len(sent) == attempts
    assert athena.meta.config.retries["mode"] == "standard"
