"""API calls per 1,000 records on the AWS path, measured in moto with the real handlers and the real
Step Functions definition (Titan and Comprehend answer from the embedded models).

Goals: 0 PutMetricData (metrics go out as EMF log lines); ≤ 1 workflow execution per Lambda batch;
Comprehend sentiment calls = ceil(documents / 25) per batch; Titan ≤ 2 calls per record minus repeats.
"""

from __future__ import annotations

import contextlib
import io
import math
import uuid
from collections import Counter
from unittest.mock import patch

import boto3
from moto import mock_aws

from bench.monitors_bench import load_records

RECORDS = 1_000
LAMBDA_BATCH = 100


def main() -> None:
    from moto.cloudwatch.responses import CloudWatchResponse

    from infra.workflow import render_definition
    from monitors.aws import handler
    from monitors.core.config import MonitorEnvironment, MonitoringConfig
    from shared.backends.settings import BackendSettings
    from tests.functional.moto_patches import MotoSyncExpress, no_botocore_backoff, patched_ai
    from tests.functional.test_monitor_handler import kinesis_event

    records = load_records()[:RECORDS]
    put_metric_data: Counter[str] = Counter()
    original = CloudWatchResponse.put_metric_data

    def counting(self: CloudWatchResponse) -> object:  # whatever moto's handler answers
        put_metric_data["calls"] += 1
        return original(self)

    with (
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
        patched_ai() as fake,
        patch.object(CloudWatchResponse, "put_metric_data", counting),
        no_botocore_backoff(),
    ):
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        arn = sfn.create_state_machine(
            name=f"text-analysis-{uuid.uuid4().hex[:8]}",
            definition=render_definition(),
            roleArn="arn:aws:iam::123456789012:role/workflow",
            type="EXPRESS",
        )["stateMachineArn"]
        runner = MotoSyncExpress(sfn)

        def clients(service: str) -> object:
            return runner if service == "stepfunctions" else boto3.client(service, region_name="us-east-1")

        batches = [records[i : i + LAMBDA_BATCH] for i in range(0, len(records), LAMBDA_BATCH)]
        context = type(
            "Ctx",
            (),
            {
                "get_remaining_time_in_millis": lambda self: 300_000,
                "function_name": "bench",
                "memory_limit_in_mb": 512,
                "invoked_function_arn": "arn",
                "aws_request_id": "r",
            },
        )()
        for monitor, extra in (
            ("semantic-similarity", {}),
            ("refusal", {}),
            ("refusal", {"monitors.refusal.method": "cosine"}),
            ("sentiment-toxicity", {}),
            ("sentiment-toxicity", {"monitors.sentiment-toxicity.samplingRate": "1"}),
        ):
            fake.calls.clear()
            runner.executions = 0
            config = MonitoringConfig.from_context({"backend": "aws", **extra})
            env = config.monitor_env(monitor) | {BackendSettings.WORKFLOW_ENV: arn}
            rt = handler.build_runtime(MonitorEnvironment.from_env(env), client_factory=clients)
            with patch.object(handler, "runtime", lambda rt=rt: rt), contextlib.redirect_stdout(io.StringIO()):
                for batch in batches:
                    handler.lambda_handler(kinesis_event(batch), context)
            label = monitor + "".join(f" {k.split('.')[-1]}={v}" for k, v in extra.items())
            sampled = config.monitors[monitor].options["samplingRate"]
            print(f"aws-calls: {label}: per {RECORDS:,} records (sampling {sampled}), {len(batches)} Lambda batches")
            if fake.calls["InvokeModel"]:
                distinct = len({t for r in records for t in (r.prompt, r.completion) if t.strip()})
                print(
                    f"aws-calls:   Titan InvokeModel {fake.calls['InvokeModel']} (2 per record would be {2 * RECORDS}; "
                    f"{distinct} distinct texts)"
                )
            if runner.executions:
                print(
                    f"aws-calls:   workflow executions {runner.executions} "
                    f"({runner.executions / len(batches):.2f} per batch); "
                    f"BatchDetectSentiment {fake.calls['BatchDetectSentiment']}, DetectToxicContent "
                    f"{fake.calls['DetectToxicContent']}"
                )
        print(f"aws-calls: PutMetricData calls {put_metric_data['calls']}")
        expected = sum(math.ceil(len(b) / 25) for b in batches)
        print(f"aws-calls: (at sampling 1.0, ceil(documents / 25) per batch sums to {expected})")


if __name__ == "__main__":
    import logging
    import os

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

    logging.disable(logging.WARNING)
    main()
