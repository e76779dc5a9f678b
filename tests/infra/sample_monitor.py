"""A monitor that exists only in the tests: added with `-c monitorModules=tests.infra.sample_monitor`.

It declares two metrics (one alarmed, one not), an option, and an extra permission on an API without
resource-level permissions, so the infrastructure tests can check that a user-defined monitor gets its
Lambda, event source, alarm, dashboard row and IAM with no infrastructure code.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitors import (
    AlarmSpec,
    Comparison,
    LambdaSpec,
    MetricSpec,
    Monitor,
    OptionSpec,
    Permission,
    RecordResult,
    Unit,
)
from shared.records import InvocationRecord

ANSWER_LENGTH = "SampleAnswerLength"
EMPTY_ANSWER = "SampleEmptyAnswer"
PERMISSION = Permission(
    actions=("cloudwatch:PutMetricData",),
    resources=("*",),
    reason=(
        "PutMetricData has no resource-level permissions (the namespace is a condition key, not a resource)."
    ),
)


class SampleLengthMonitor(Monitor):
    name = "sample-length"
    description = "Completion length in characters (test-only monitor)."
    metrics = (
        MetricSpec(
            ANSWER_LENGTH,
            Unit.COUNT,
            "Characters in the completion.",
            alarm=AlarmSpec(
                statistic="p90",
                threshold=20_000,
                comparison=Comparison.GREATER_THAN,
                period_seconds=600,
                evaluation_periods=2,
                datapoints_to_alarm=1,
                description="Completions are getting very long.",
            ),
        ),
        MetricSpec(EMPTY_ANSWER, Unit.NONE, "1 when the completion is empty."),
    )
    options = (OptionSpec("strip", True, "strip whitespace before counting"),)
    permissions = (PERMISSION,)
    lambda_spec = LambdaSpec(
        memory_mb=256,
        timeout_seconds=30,
        batch_size=50,
        batching_window_seconds=2,
        parallelization_factor=3,
        maximum_retry_attempts=2,
        maximum_record_age_seconds=3600,
    )

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        out = []
        for record in records:
            text = record.completion.strip() if self.config["strip"] else record.completion
            out.append(RecordResult.ok({ANSWER_LENGTH: float(len(text)), EMPTY_ANSWER: float(not text)}))
        return out
