"""Test-wide settings: no real AWS credentials or network, ever."""

from __future__ import annotations

import os

# Set before any boto3 client exists: every AWS call in tests goes to moto.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        # what the CDK CLI sets from the profile: template tests synthesise as a deploy to us-east-1 would,
        # so the region check (infra.preflight) runs; tests of an unknown region pass their own environment
        "CDK_DEFAULT_REGION": "us-east-1",
    }
)
os.environ.pop("AWS_PROFILE", None)
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "LLMMonitorTest")
os.environ.setdefault("POWERTOOLS_DEV", "false")

# Fixtures shared by the functional tests (fake Bedrock/Comprehend answers that depend on the text).
pytest_plugins = ["tests.functional.moto_patches"]
