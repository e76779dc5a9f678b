"""A monitor that exists only in the tests: added with `-c monitorModules=tests.infra.sample_monitor`.

It declares two metrics (one alarmed, one not), an option, and an extra permission on an API without
resource-level permissions, so the infrastructure tests can check that a user-defined monitor gets its
Lambda, event source, alarm, dashboard row and IAM with no infrastructure code.
"""

from __future__ import annotations

from collections.abc import Sequence

from monitors import AlarmSpec, LambdaSpec, MetricSpec, MissingData, Monitor, Option, Permission, RecordResult, Unit
from shared.records import InvocationRecord

ANSWER_LENGTH = "SampleAnswerLength"
EMPTY_ANSWER = "SampleEmptyAnswer"
PERMISSION = Permission(
    actions=("cloudwatch:PutMetricData",),
    resources=("*",),
    reason=("PutMetricData has no resource-level permissions (the namespace is a condition key, not a resource)."),
)


class SampleLengthMonitor(Monitor):
    name = "sample-length"
    description = "Completion length in characters (test-only monitor)."
    enabled_by_default = True
    metrics = (
        MetricSpec(
            ANSWER_LENGTH,
            Unit.COUNT,
            "Characters in the completion.",
            alarm=AlarmSpec.above(
                20_000,
                statistic="p90",
                period_seconds=600,
                evaluation_periods=2,
                datapoints_to_alarm=1,
                treat_missing_data=MissingData.MISSING,
                description="Completions are getting very long.",
            ),
        ),
        MetricSpec(EMPTY_ANSWER, Unit.NONE, "1 when the completion is empty."),
    )
    strip = Option(True, "strip whitespace before counting")
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
            text = record.completion.strip() if self.strip else record.completion
            out.append(RecordResult.ok({ANSWER_LENGTH: float(len(text)), EMPTY_ANSWER: float(not text)}))
        return out
