"""cdk-nag (AwsSolutions) passes with no unacknowledged finding, and every acknowledgement is narrow:
it names an exact finding that really occurs on the construct it is attached to, with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import Validations
from aws_cdk import aws_sqs as sqs

import infra.nag
from infra.app import create_app
from infra.nag import acknowledgements
from tests.infra.conftest import SAMPLE_MODULE, base_context, synth

CONFIGURATIONS = {
    "default": {},
    "invocation-logging": {"invocationLogging": "true"},
    "added-monitor": {"monitorModules": SAMPLE_MODULE},
    "no-access-logs": {"logBucket.accessLogs": "false"},
    "existing-bucket": {"logBucket.existingBucketName": "team-bedrock-logs"},
    "existing-bucket-prefix-kms-logging": {
        "logBucket.existingBucketName": "team-bedrock-logs",
        "logBucket.keyPrefix": "bedrock/prod",
        "logBucket.kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "invocationLogging.enabled": "true",
        "invocationLogging.replaceExisting": "true",
    },
    "local-backend": {"backend": "local"},
    "canary": {"canary.modelIds": "amazon.nova-lite-v1:0,us.anthropic.claude-3-haiku-20240307-v1:0"},
    "canary-foundation-models-only": {"canary.modelIds": "amazon.nova-lite-v1:0", "backend": "local"},
}


#: The validation report also lists the stack's own annotations (warnings such as a missing alarmEmail,
#: tested in test_configuration); the findings checked here are cdk-nag's.
ANNOTATIONS_PLUGIN = "Construct Annotations"


def violations(report_path: Path) -> list[tuple[str, str]]:
    report = json.loads(report_path.read_text())
    return [
        (violation["ruleName"], construct["constructPath"])
        for plugin in report["pluginReports"]
        if plugin["pluginName"] != ANNOTATIONS_PLUGIN
        for violation in plugin["violations"]
        for construct in violation["violatingConstructs"]
    ]


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_no_unacknowledged_findings(name: str) -> None:
    s = synth(**CONFIGURATIONS[name])  # synthesis itself fails on a finding
    assert violations(s.outdir / "validation-report.json") == []


class _RecordingValidations:
    """Stands in for aws_cdk.Validations in infra.nag: records acknowledgements instead of applying them."""

    recorded: list[tuple[str, str, str]] = []

    def __init__(self, scope: object) -> None:
        self.scope = scope

    @classmethod
    def of(cls, scope: object) -> _RecordingValidations:
        return cls(scope)

    def acknowledge(self, *rules: object) -> None:
        for rule in rules:
            self.recorded.append((self.scope.node.path, rule.id, rule.reason))  # type: ignore[attr-defined]

    def add_plugins(self, *plugins: object) -> None:
        Validations.of(self.scope).add_plugins(*plugins)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_every_acknowledgement_matches_a_real_finding(
    name: str, monkeypatch: pytest.MonkeyPatch, fresh_outdir: Path
) -> None:
    recorded: list[tuple[str, str, str]] = []
    monkeypatch.setattr(_RecordingValidations, "recorded", recorded)
    monkeypatch.setattr(infra.nag, "Validations", _RecordingValidations)
    built = create_app({**base_context(), **CONFIGURATIONS[name]}, outdir=str(fresh_outdir))
    with pytest.raises(Exception, match="Validation ?[Ff]ailed"):
        built.app.synth()
    found = violations(fresh_outdir / "validation-report.json")
    assert recorded, "the stack acknowledges some findings"
    for path, rule, reason in recorded:
        assert rule.startswith("AwsSolutions-"), rule
        assert len(reason) >= 40, (rule, reason)
        hits = [v for v in found if v[0] == rule and (v[1] == path or v[1].startswith(path + "/"))]
        assert hits, f"{rule} acknowledged on {path} but not reported there"
    # ...and nothing is reported that the real run does not acknowledge.
    acknowledged = {(rule, path) for path, rule, _ in recorded}
    for rule, construct_path in found:
        assert any(rule == r and (construct_path == p or construct_path.startswith(p + "/")) for r, p in acknowledged)


def test_acknowledgements_are_listed_with_reasons() -> None:
    built = create_app(base_context())
    listed = list(acknowledgements(built.app))
    assert listed
    assert all(rule.startswith("AwsSolutions-") and len(reason) >= 40 for _, rule, reason in listed)
    # Wildcard acknowledgements name the exact finding, never the whole rule.
    assert all(rule != "AwsSolutions-IAM5" and rule != "AwsSolutions-IAM4" for _, rule, _ in listed)


def test_checks_really_run(fresh_outdir: Path) -> None:
    built = create_app(base_context(), outdir=str(fresh_outdir))
    sqs.Queue(built.stack, "Unencrypted", encryption=sqs.QueueEncryption.UNENCRYPTED)
    with pytest.raises(Exception, match="Validation ?[Ff]ailed"):
        built.app.synth()
    rules = {
        rule
        for rule, path in violations(fresh_outdir / "validation-report.json")
        if path.endswith("Unencrypted/Resource")
    }
    assert {"AwsSolutions-SQS2", "AwsSolutions-SQS4"} <= rules
