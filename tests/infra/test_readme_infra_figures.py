"""The README's figures about the synthesized stack (resource and alarm counts), recomputed from the
template of this repository's cdk.json, so the README cannot drift from the code. (Cost figures are
checked in tests/unit/test_readme_figures.py.)"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.infra.conftest import Synthesized

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

#: How the README names a resource kind -> the CloudFormation types it counts.
KINDS = {
    "alarms": ("AWS::CloudWatch::Alarm",),
    "roles": ("AWS::IAM::Role",),
    "functions": ("AWS::Lambda::Function",),
    "queues": ("AWS::SQS::Queue",),
    "saved queries": ("AWS::Logs::QueryDefinition",),
    "event sources": ("AWS::Lambda::EventSourceMapping",),
    "buckets": ("AWS::S3::Bucket",),
    "stream": ("AWS::Kinesis::Stream",),
    "log groups": ("AWS::Logs::LogGroup",),
}


def resources_row() -> str:
    rows = [line for line in README.splitlines() if line.startswith("| resources created (default configuration)")]
    assert len(rows) == 1, "the performance table should have one 'resources created' row"
    return rows[0]


def test_the_resource_counts_in_the_readme_are_the_templates(default: Synthesized) -> None:
    row = resources_row()
    total = re.search(r"\| (\d+): ", row)
    assert total, row
    # AWS::CDK::Metadata (the CLI's version reporting) creates nothing in the account.
    types = Counter(r["Type"] for r in default.template["Resources"].values() if r["Type"] != "AWS::CDK::Metadata")
    assert int(total.group(1)) == sum(types.values()), f"README says {total.group(1)} resources"
    stated = re.findall(r"(\d+) ([a-z ]+?)(?=,|\s\|)", row[total.end() :])
    assert len(stated) >= 5, row
    for number, kind in stated:
        assert kind in KINDS, f"the README counts {kind!r}; teach this test which resource type that is"
        assert int(number) == sum(types[t] for t in KINDS[kind]), f"README says {number} {kind}"


def test_the_alarm_count_in_the_cost_paragraph_is_the_templates(default: Synthesized) -> None:
    stated = re.search(r"(\d+) alarms, a dashboard", README)
    assert stated, "the cost table should state the alarm count"
    alarms = sum(1 for r in default.template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm")
    assert int(stated.group(1)) == alarms
