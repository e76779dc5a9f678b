"""`emfTimestamp`: which time a per-record EMF document carries, validated once and carried to the Lambda."""

from __future__ import annotations

import json
from typing import Any

import pytest

from monitors.aws.emf import emit_record
from monitors.core.config import (
    DEFAULT_EMF_TIMESTAMP,
    EMF_TIMESTAMP_KEY,
    EmfTimestamp,
    MonitorEnvironment,
    MonitoringConfig,
)
from shared.errors import ConfigurationError
from shared.pipeline_metrics import INVOCATION_TIMESTAMP_PROPERTY

INVOKED = "2026-11-20T10:05:00Z"
INVOKED_MS = 1_795_169_100_000
SCORED = 1_795_169_100.0 + 7 * 60 + 0.25  # scored 7 minutes and a quarter second later


def emit(capsys: pytest.CaptureFixture[str], **kw: Any) -> dict[str, Any]:
    capsys.readouterr()
    emit_record(
        namespace="LLMMonitor",
        monitor="refusal",
        request_id="req-1",
        model_id="anthropic.claude-3-haiku-20240307-v1:0",
        invoked_model_id="anthropic.claude-3-haiku-20240307-v1:0",
        application=None,
        timestamp=kw.pop("timestamp", INVOKED),
        values={"Refusal": 1.0},
        units={"Refusal": "None"},
        now=SCORED,
        **kw,
    )
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    doc: dict[str, Any] = json.loads(line)
    return doc


def test_invocation_stamp_is_the_default_and_puts_the_value_where_it_happened(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert DEFAULT_EMF_TIMESTAMP is EmfTimestamp.INVOCATION
    doc = emit(capsys)
    assert doc["_aws"]["Timestamp"] == INVOKED_MS
    assert INVOCATION_TIMESTAMP_PROPERTY not in doc
    assert emit(capsys, stamp=EmfTimestamp.INVOCATION) == doc


def test_invocation_stamp_falls_back_to_the_clock_when_cloudwatch_would_reject_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert emit(capsys, timestamp="2020-01-01T00:00:00Z")["_aws"]["Timestamp"] == int(SCORED * 1000)
    assert emit(capsys, timestamp="not a time")["_aws"]["Timestamp"] == int(SCORED * 1000)


def test_arrival_stamp_is_the_lambda_clock_and_keeps_the_invocation_time_for_the_drill_down(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = emit(capsys, stamp=EmfTimestamp.ARRIVAL)
    assert doc["_aws"]["Timestamp"] == int(SCORED * 1000)
    assert doc[INVOCATION_TIMESTAMP_PROPERTY] == INVOKED
    assert doc["requestId"] == "req-1" and doc["Refusal"] == [1.0]
    # Old or unreadable invocation times do not matter: the document is stamped now either way.
    old = emit(capsys, stamp=EmfTimestamp.ARRIVAL, timestamp="2020-01-01T00:00:00Z")
    assert old["_aws"]["Timestamp"] == int(SCORED * 1000)
    assert old[INVOCATION_TIMESTAMP_PROPERTY] == "2020-01-01T00:00:00Z"
    assert INVOCATION_TIMESTAMP_PROPERTY not in emit(capsys, stamp=EmfTimestamp.ARRIVAL, timestamp="")


@pytest.mark.parametrize(
    ("value", "mode"),
    [(None, EmfTimestamp.INVOCATION), ("invocation", EmfTimestamp.INVOCATION), (" arrival ", EmfTimestamp.ARRIVAL)],
)
def test_config_key_is_parsed_and_carried_to_the_lambda(value: str | None, mode: EmfTimestamp) -> None:
    context = {} if value is None else {EMF_TIMESTAMP_KEY: value}
    config = MonitoringConfig.from_context(context)
    assert config.emf_timestamp is mode
    for name in config.monitors:
        env = config.monitor_env(name)
        assert env[MonitorEnvironment.EMF_TIMESTAMP_ENV] == mode.value
        assert MonitorEnvironment.from_env(env).emf_timestamp is mode


@pytest.mark.parametrize("value", ["scoring", "Arrival", "", 1, True, ["arrival"]])
def test_bad_config_value_fails_naming_the_key(value: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        MonitoringConfig.from_context({EMF_TIMESTAMP_KEY: value})
    assert caught.value.key == EMF_TIMESTAMP_KEY
    assert ("invocation, arrival" if isinstance(value, str) else "must be a string") in str(caught.value)


def test_lambda_environment_defaults_and_rejects_a_bad_value() -> None:
    base = {MonitorEnvironment.NAME_ENV: "refusal"}
    assert MonitorEnvironment.from_env(base).emf_timestamp is DEFAULT_EMF_TIMESTAMP
    assert MonitorEnvironment.from_env({**base, MonitorEnvironment.EMF_TIMESTAMP_ENV: ""}).emf_timestamp is (
        DEFAULT_EMF_TIMESTAMP
    )
    with pytest.raises(ConfigurationError) as caught:
        MonitorEnvironment.from_env({**base, MonitorEnvironment.EMF_TIMESTAMP_ENV: "later"})
    assert caught.value.key == MonitorEnvironment.EMF_TIMESTAMP_ENV
