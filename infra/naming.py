"""Names and console links, written once: construct ids, dashboard, saved queries, alarm prefixes.

Monitor alarm names come from `monitors.core.alarms.alarm_name` (shared with the local runtime); everything
here is infrastructure-only.
"""

from __future__ import annotations

import re

from aws_cdk import Aws, CfnElement, Stack
from constructs import IConstruct

_UNSAFE_ID = re.compile(r"[^A-Za-z0-9]")
_DASHBOARD_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
#: Every page of the CloudWatch console (the region is a parameter).
CONSOLE = "https://console.aws.amazon.com/cloudwatch/home"


def construct_id(*parts: str) -> str:
    """CamelCase construct id from monitor or metric names (`semantic-similarity` -> `SemanticSimilarity`)."""
    return "".join(_UNSAFE_ID.sub(" ", p).title().replace(" ", "") for p in parts)


def cfn_logical_id(stack: Stack, resource: IConstruct) -> str:
    """The logical id of the CloudFormation resource a construct wraps (its default child)."""
    child = resource.node.default_child
    if not isinstance(child, CfnElement):
        raise TypeError(f"{resource.node.path} wraps no CloudFormation resource")
    return stack.get_logical_id(child)


def dashboard_name(stack_name: str) -> str:
    return _DASHBOARD_UNSAFE.sub("-", stack_name)[:255]


def pipeline_alarm_prefix(stack_name: str) -> str:
    """Prefix of the pipeline-health alarms, scoped by the stack as the monitor alarms are
    (`<stackName>-<Metric>-<scope>`, `monitors.core.alarms.alarm_name`)."""
    return f"{stack_name}-pipeline"


def query_name(namespace: str, monitor: str, metric: str) -> str:
    """Saved Logs Insights query: a folder per namespace and monitor in the console's query list."""
    return f"{namespace}/{monitor}/{metric}-worst-records"


def dashboard_url(name: str) -> str:
    return f"{CONSOLE}?region={Aws.REGION}#dashboards:name={name}"


def _jsurl_string(text: str) -> str:
    """A string in the console's URL state encoding (JSURL): [A-Za-z0-9_.-] stay, others become *xx."""
    out = []
    for char in text:
        if char.isascii() and (char.isalnum() or char in "-_."):
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"*{ord(char):02x}")
        else:
            out.append(f"**{ord(char):04x}")
    return "".join(out)


def logs_insights_url(query: str, log_group_name: str, *, seconds: int = 3600) -> str:
    """Open Logs Insights with `query` over `log_group_name` for the last `seconds`.

    `log_group_name` may be a CDK token: generated log group names hold only characters that need no
    encoding ([A-Za-z0-9-_]); a literal name is encoded here.
    """
    group = log_group_name if log_group_name.startswith("${Token[") else _jsurl_string(log_group_name)
    state = (
        f"~(end~0~start~-{seconds}~timeType~'RELATIVE~unit~'seconds"
        f"~editorString~'{_jsurl_string(query)}~source~(~'{group}))"
    )
    return f"{CONSOLE}?region={Aws.REGION}#logsV2:logs-insights$3FqueryDetail$3D{state}"
