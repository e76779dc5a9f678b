"""Which S3 keys are Bedrock's invocation logs, and the key prefix an existing bucket may put before them."""

from __future__ import annotations

import pytest

from dispatcher.settings import DispatcherSettings
from shared.errors import ConfigurationError
from shared.sources import bedrock_log_prefix, is_log_key, parse_key_prefix

ACCOUNT = "123456789012"
BEDROCK = f"AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/us-east-1/2026/11/20/10/"


@pytest.mark.parametrize(
    ("key", "key_prefix", "expected"),
    [
        (BEDROCK + "20261120T1000Z_a.json.gz", "", True),
        (BEDROCK + "data/20261120T1000Z_a_input.json.gz", "", False),  # an offloaded body
        (f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/20/x.json.gz", "", False),  # other AWS logs
        (f"AWSLogs/{ACCOUNT}/elasticloadbalancing/us-east-1/x.log.gz", "", False),
        ("AWSLogs/not-an-account/BedrockModelInvocationLogs/x.json.gz", "", False),
        ("team/" + BEDROCK + "a.json.gz", "", False),  # a prefix nobody configured
        ("team/" + BEDROCK + "a.json.gz", "team", True),
        (BEDROCK + "a.json.gz", "team", False),  # outside the configured prefix
        ("data/bedrock/" + BEDROCK + "a.json.gz", "data/bedrock", True),  # a prefix's data folder is no body
        ("data/bedrock/" + BEDROCK + "data/a.json.gz", "data/bedrock", False),
        ("teamx/" + BEDROCK + "a.json.gz", "team", False),
        # without a prefix to check (a local replay of any S3 prefix): any log file, bodies excluded
        ("copies/a.json.gz", None, True),
        ("copies/data/a.json.gz", None, False),
        ("copies/a.txt", None, False),
    ],
)
def test_is_log_key(key: str, key_prefix: str | None, expected: bool) -> None:
    assert is_log_key(key, key_prefix=key_prefix) is expected


def test_bedrock_log_prefix() -> None:
    assert bedrock_log_prefix(ACCOUNT) == f"AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/"
    assert bedrock_log_prefix(ACCOUNT, "a/b") == f"a/b/AWSLogs/{ACCOUNT}/BedrockModelInvocationLogs/"


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, ""), ("", ""), ("/", ""), ("/team/bedrock/", "team/bedrock"), ("a.b_c-d", "a.b_c-d")]
)
def test_key_prefix_is_normalised(raw: object, expected: str) -> None:
    assert parse_key_prefix(raw, key="k") == expected


@pytest.mark.parametrize("raw", ["a//b", "a/../b", "./a", "a b", "logs/*", "a?b", "x" * 901])
def test_bad_key_prefix_names_the_key(raw: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_key_prefix(raw, key="logBucket.keyPrefix")
    assert caught.value.key == "logBucket.keyPrefix"


def test_dispatcher_settings_carry_the_key_prefix() -> None:
    base = {DispatcherSettings.STREAM_ENV: "s", DispatcherSettings.TABLE_ENV: "t"}
    assert DispatcherSettings.from_env(base).log_key_prefix == ""
    assert DispatcherSettings.LOG_KEY_PREFIX_ENV not in DispatcherSettings.from_env(base).to_env()
    settings = DispatcherSettings.from_env({**base, DispatcherSettings.LOG_KEY_PREFIX_ENV: "/team/bedrock/"})
    assert settings.log_key_prefix == "team/bedrock"
    assert DispatcherSettings.from_env(settings.to_env()) == settings
    with pytest.raises(ConfigurationError, match=DispatcherSettings.LOG_KEY_PREFIX_ENV):
        DispatcherSettings.from_env({**base, DispatcherSettings.LOG_KEY_PREFIX_ENV: "a//b"})
