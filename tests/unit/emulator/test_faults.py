"""FaultSpec parsing and FaultInjector's draws: rates, determinism, who is never faulted."""

from __future__ import annotations

import json

import pytest

from dbt_athena_lite.emulator.cli import main
from dbt_athena_lite.emulator.engine.clients import INTERNAL_ACCESS_KEY_ID
from dbt_athena_lite.emulator.faults import FaultInjector, FaultSpec, FaultSpecError
from dbt_athena_lite.emulator.stats import ApiCall


def _call(service: str, action: str, key: str = "AKIACLIENT") -> ApiCall:
    return ApiCall(service=service, action=action, access_key_id=key, region="us-east-1")


def test_parses_every_kind_and_the_seed() -> None:
    spec = FaultSpec.parse("throttle=0.1, internal=0.05,iceberg_commit=1,seed=7")
    assert spec == FaultSpec(throttle=0.1, internal=0.05, iceberg_commit=1.0, seed=7)
    assert spec.is_active
    assert not FaultSpec.parse("seed=3").is_active


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("throttle", "not name=value"),
        ("slow=0.1", "unknown fault 'slow'; known: throttle, internal, iceberg_commit, seed"),
        ("throttle=often", "throttle='often' is not a number"),
        ("seed=1.5", "seed='1.5' is not a number"),
        ("internal=1.5", "internal=1.5 must be between 0 and 1"),
    ],
)
def test_invalid_specs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        FaultSpec.parse(text)


@pytest.mark.parametrize("kind", ["throttle", "internal", "iceberg_commit"])
def test_a_rate_of_a_tenth_faults_about_a_tenth_of_1000_calls(kind: str) -> None:
    injector = FaultInjector(FaultSpec(seed=7, **{kind: 0.1}))
    draw = getattr(injector, f"should_{'fail_' if kind != 'throttle' else ''}{kind}")
    failures = sum(draw() for _ in range(1000))
    assert 70 <= failures <= 130


def test_the_same_seed_gives_the_same_sequence_and_kinds_do_not_disturb_each_other() -> None:
    spec = FaultSpec(throttle=0.3, internal=0.3, seed=11)
    alone = FaultInjector(spec)
    mixed = FaultInjector(spec)
    expected = [alone.should_throttle() for _ in range(200)]
    observed = []
    for _ in range(200):
        mixed.should_fail_internal()  # draws of another kind in between change nothing
        observed.append(mixed.should_throttle())
    assert observed == expected
    assert expected != [FaultInjector(FaultSpec(throttle=0.3, seed=12)).should_throttle() for _ in range(200)]


def test_throttling_answers_start_query_execution_only_in_athenas_shape() -> None:
    injector = FaultInjector(FaultSpec(throttle=1.0))
    assert injector.fault_for(_call("athena", "GetQueryExecution")) is None
    status, headers, body = injector.fault_for(_call("athena", "StartQueryExecution")) or (0, [], b"")
    assert status == 400
    assert ("x-amzn-ErrorType", "TooManyRequestsException") in headers
    assert json.loads(body)["__type"] == "TooManyRequestsException"


@pytest.mark.parametrize(
    ("service", "code"), [("athena", "InternalServerException"), ("glue", "InternalServiceException")]
)
def test_internal_errors_are_500s_named_as_each_service_names_them(service: str, code: str) -> None:
    injector = FaultInjector(FaultSpec(internal=1.0))
    status, _headers, body = injector.fault_for(_call(service, "GetTable")) or (0, [], b"")
    assert (status, json.loads(body)["__type"]) == (500, code)


def test_internal_calls_and_other_services_are_never_faulted() -> None:
    injector = FaultInjector(FaultSpec(throttle=1.0, internal=1.0))
    assert injector.fault_for(_call("glue", "GetTable", INTERNAL_ACCESS_KEY_ID)) is None
    assert injector.fault_for(_call("athena", "StartQueryExecution", INTERNAL_ACCESS_KEY_ID)) is None
    assert injector.fault_for(_call("s3", "PutObject")) is None
    assert injector.fault_for(_call("sts", "GetCallerIdentity")) is None


def test_fired_counts_the_faults_injected_per_kind() -> None:
    injector = FaultInjector(FaultSpec(throttle=1.0, iceberg_commit=0.5, seed=3))
    injector.fault_for(_call("athena", "StartQueryExecution"))
    injector.fault_for(_call("athena", "StartQueryExecution", INTERNAL_ACCESS_KEY_ID))  # never faulted
    commits = sum(injector.should_fail_iceberg_commit() for _ in range(40))

    assert injector.fired() == {"throttle": 1, "iceberg_commit": commits}
    assert 0 < commits < 40


def test_without_faults_nothing_is_drawn() -> None:
    injector = FaultInjector(FaultSpec())
    assert not any(injector.should_fail_internal() for _ in range(100))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--faults", "slow=0.1"], "--faults: unknown fault 'slow'"),
        (["--faults", "throttle=2"], "--faults: fault rate throttle=2.0 must be between 0 and 1"),
        (["--query-latency", "-1"], "--query-latency must not be negative"),
    ],
)
def test_the_cli_refuses_bad_options_before_starting(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", "0", *arguments]) == 2
    assert message in capsys.readouterr().err
