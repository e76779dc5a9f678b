"""The AWS CDK infrastructure: one stack generated from the monitor registry and CDK context.

Public API: `create_app` (what `app.py` runs and template tests call), `read_inputs`, `LlmMonitorStack`,
`InfraConfig`, `render_definition` (the sentiment/toxicity workflow's deployed ASL, for tests).

Layout by role: `config` (infrastructure context keys), `bundling` (Lambda code assets without Docker),
`storage` (invocation-log bucket, Bedrock logging switch), `pipeline` (dispatcher, stream, one Lambda per
monitor), `workflow` (Step Functions + Comprehend), `observability` (package: a segment per monitor with
its alarms, queries and dashboard row; pipeline health; the alarm topic; the facade that assembles the
dashboard), `nag` (cdk-nag and acknowledgements), `naming` (names and console links), `stack`, `app`.
"""

from __future__ import annotations

import importlib

__all__ = ["InfraConfig", "LlmMonitorStack", "StackInputs", "create_app", "read_inputs", "render_definition"]

# Exports load on first use: `infra.config` (plain Python, read by `llm-monitor cost`) must not pull in
# aws-cdk-lib and its Node runtime, which the local install does not even have.
_EXPORTS = {
    "create_app": "infra.app",
    "read_inputs": "infra.app",
    "InfraConfig": "infra.config",
    "LlmMonitorStack": "infra.stack",
    "StackInputs": "infra.stack",
    "render_definition": "infra.workflow",
}


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'infra' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
