"""The AWS CDK infrastructure: one stack generated from the monitor registry and CDK context.

Public API: `create_app` (what `app.py` runs and template tests call), `read_inputs`, `LlmMonitorStack`,
`InfraConfig`, `render_definition` (the sentiment/toxicity workflow's deployed ASL, for tests).

Layout by role: `config` (infrastructure context keys), `bundling` (Lambda code assets without Docker),
`storage` (invocation-log bucket, Bedrock logging switch), `pipeline` (dispatcher, stream, one Lambda per
monitor), `workflow` (Step Functions + Comprehend), `observability` (alarms, topic, dashboard, queries),
`nag` (cdk-nag and acknowledgements), `naming` (names and console links), `stack`, `app`.
"""

from __future__ import annotations

from infra.app import create_app, read_inputs
from infra.config import InfraConfig
from infra.stack import LlmMonitorStack, StackInputs
from infra.workflow import render_definition

__all__ = ["InfraConfig", "LlmMonitorStack", "StackInputs", "create_app", "read_inputs", "render_definition"]
