"""cdk-nag (AwsSolutions) on every synthesis, and the one way this project acknowledges a finding.

cdk-nag 3 is a CDK policy-validation plugin: `Validations.of(app).add_plugins(AwsSolutionsChecks(app))`.
Any unacknowledged finding fails `app.synth()` (and `Template.from_stack` in tests) with a report in
`<outdir>/validation-report.json`. An acknowledgement is construct metadata read by cdk-nag on the
finding's resource and its ancestors; attach it to the narrowest construct that owns the finding, name
the exact finding (`AwsSolutions-IAM5[Resource::*]`, not the whole rule) and say why.
"""

from __future__ import annotations

from collections.abc import Iterator

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

from infra.naming import cfn_logical_id

PACK = "AwsSolutions"


def add_checks(app: App) -> None:
    """Run the AwsSolutions pack when `app` synthesises."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))


def acknowledge(construct: IConstruct, rule: str, reason: str, *, findings: tuple[str, ...] = ()) -> None:
    """Acknowledge `rule` (e.g. "IAM5") on `construct`, for each of `findings` if the rule reports
    several (e.g. "Resource::*"), with the reason it is acceptable here."""
    if len(reason) < 40:
        raise ValueError(f"acknowledgement of {rule} needs a real reason, got {reason!r}")
    ids = [f"{PACK}-{rule}[{f}]" for f in findings] if findings else [f"{PACK}-{rule}"]
    Validations.of(construct).acknowledge(*(Acknowledgment(id=i, reason=reason) for i in ids))


def arn_finding(stack: Stack, resource: IConstruct, suffix: str = "") -> str:
    """How cdk-nag spells a resource ARN built from `resource`'s Arn attribute in an IAM5 finding."""
    return f"Resource::<{cfn_logical_id(stack, resource)}.Arn>{suffix}"


def acknowledgements(scope: IConstruct) -> Iterator[tuple[str, str, str]]:
    """(construct path, rule id, reason) of every acknowledgement under `scope` (for reports and tests)."""
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    for node in scope.node.find_all():
        for entry in node.node.metadata:
            if entry.type == key and isinstance(entry.data, dict):
                for rule, reason in entry.data.items():
                    yield (
                        node.node.path,
                        rule.split("::", 1)[-1] if rule.lower().startswith("annotation::") else rule,
                        str(reason),
                    )
