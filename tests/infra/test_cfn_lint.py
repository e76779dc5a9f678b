"""cfn-lint reports no errors on the synthesised templates."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import lint

from tests.infra.conftest import SAMPLE_MODULE, synth

CONFIGURATIONS = {
    "default": {},
    "invocation-logging": {"invocationLogging": "true"},
    "added-monitor-provisioned-email": {
        "monitorModules": SAMPLE_MODULE,
        "stream.mode": "provisioned",
        "stream.shards": "2",
        "alarmEmail": "oncall@example.com",
    },
    "existing-bucket-local": {"logBucket.existingBucketName": "team-bedrock-logs", "backend": "local"},
    "existing-bucket-prefix-kms-logging": {
        "logBucket.existingBucketName": "team-bedrock-logs",
        "logBucket.keyPrefix": "bedrock/prod",
        "logBucket.kmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "invocationLogging.enabled": "true",
        "pipelineAlarms.minRecordsPerHour": "0",
    },
}


@pytest.mark.parametrize("name", CONFIGURATIONS)
def test_cfn_lint_reports_no_errors(name: str) -> None:
    s = synth(**CONFIGURATIONS[name])
    matches = lint(json.dumps(s.template), regions=["us-east-1"])  # cfn-lint's default rule set
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert errors == [], "\n".join(f"{m.rule.id} {m.path}: {m.message}" for m in errors)
