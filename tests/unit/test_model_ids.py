"""The ModelId dimension carries ids as users write them, never an ARN with an account id."""

from __future__ import annotations

import pytest

from monitors.core.config import MonitorEnvironment, MonitoringConfig
from shared.errors import ConfigurationError
from shared.model_ids import ModelNames, model_name

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("us.anthropic.claude-sonnet-4-20250514-v1:0", "us.anthropic.claude-sonnet-4-20250514-v1:0"),
        (
            f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
            "us.anthropic.claude-sonnet-4-20250514-v1:0",
        ),
        ("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0"),
        (
            f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/k3x9abc",
            "application-inference-profile/k3x9abc",
        ),
        (f"arn:aws-us-gov:bedrock:us-gov-west-1:{ACCOUNT}:provisioned-model/pq1", "provisioned-model/pq1"),
        ("", ""),
    ],
)
def test_arns_become_the_ids_users_write(raw: str, name: str) -> None:
    assert model_name(raw) == name
    assert ACCOUNT not in model_name(raw)


def test_opaque_ids_map_through_aliases_by_raw_or_short_form() -> None:
    arn = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/k3x9abc"
    assert model_name(arn, {arn: "support-bot"}) == "support-bot"
    assert model_name(arn, {"application-inference-profile/k3x9abc": "support-bot"}) == "support-bot"
    names = ModelNames({"application-inference-profile/k3x9abc": "support-bot"})
    assert names(arn) == names(arn) == "support-bot"


def test_aliases_travel_to_the_lambda_and_alarm_ids_must_not_be_arns() -> None:
    arn = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:application-inference-profile/k3x9abc"
    config = MonitoringConfig.from_context({"modelIdAliases": f"{arn}=support-bot", "alarmModelIds": "support-bot"})
    env = MonitorEnvironment.from_env(config.monitor_env("refusal"))
    assert env.model_id_aliases == {arn: "support-bot"}
    with pytest.raises(ConfigurationError) as info:
        MonitoringConfig.from_context(
            {"alarmModelIds": f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/us.x.y"}
        )
    assert info.value.key == "alarmModelIds" and "'us.x.y'" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        MonitoringConfig.from_context({"modelIdAliases": "no-equals"})
    assert info.value.key == "modelIdAliases"
