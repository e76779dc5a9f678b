"""The sentiment/toxicity workflow: Step Functions Express calling Comprehend through SDK integrations.

Contract (the sentiment-toxicity Lambda builds the input with `shared.backends.comprehend` and calls
`StartSyncExecution`):

Input::

    {"sentimentBatches": [{"LanguageCode": "en", "TextList": ["…", …]}, …],          # ≤25 docs a batch
     "toxicityBatches":  [{"LanguageCode": "en", "TextSegments": [{"Text": "…"}, …]}, …]}  # ≤10 a batch

Both keys are required; either list may be empty.

Output of a successful execution, each list in the order of the input batches::

    {"sentiment": [{"ResultList": [...], "ErrorList": [...]}, …],   # BatchDetectSentiment, per batch
     "toxicity":  [{"ResultList": [...]}, …]}                        # DetectToxicContent, per batch

`ResultList`/`ErrorList` are Comprehend's own (Index, Sentiment, SentimentScore / Index, ErrorCode,
ErrorMessage; toxicity: Toxicity, Labels[{Name, Score}] per segment). A call Comprehend refused for its
input (`Comprehend.TextSizeLimitExceededException`, `…InvalidRequestException`,
`…UnsupportedLanguageException`: one bad text refuses the whole call, and no retry changes that) is not
retried; its place in the list says so, and the other calls' results stand::

    {"Rejected": "Comprehend.TextSizeLimitExceededException"}

The Lambda then runs that call's texts again in smaller groups to find the one refused
(`shared.backends.comprehend.analyse_isolating`).

Any other failure that outlasts its retries fails the execution: StartSyncExecution answers FAILED with
the error (the Lambda fails those records, to be retried later) and the ExecutionsFailed alarm sees it.

Shape: a Parallel state with two branches, each a Map (at most `map_concurrency` iterations in flight)
over its batch list, whose Task calls `comprehend:batchDetectSentiment` or `comprehend:detectToxicContent`.
Error names are Step Functions' for SDK integrations, `Comprehend.<error shape>`, and only shapes
botocore's Comprehend model declares. Each Task retries, in order: throttling and server errors
(`Comprehend.TooManyRequestsException`, `Comprehend.InternalServerException`) patiently, with
exponential backoff and full jitter; the refusals never (MaxAttempts 0, then the Catch); anything else
(`States.TaskFailed`, e.g. throttling under a name the model does not declare for these calls) a few
times with backoff. The state machine times out (`TEXT_ANALYSIS_WORKFLOW_TIMEOUT_SECONDS`) before the
caller's client stops reading. Logging is at ERROR level without execution data (it holds user text) to
a KMS-encrypted log group; X-Ray tracing is on.

`render_definition()` returns the exact ASL the stack deploys, with CDK tokens resolved, for tests that
execute it (moto) — synthesised from this construct in a throwaway stack, not written twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TypedDict

from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.naming import cfn_logical_id
from shared.backends.comprehend import WORKFLOW_REJECTION_ERRORS
from shared.limits import TEXT_ANALYSIS_WORKFLOW_TIMEOUT_SECONDS

#: Passing failures: Comprehend's throttling error and its server error.
TRANSIENT_ERRORS = ("Comprehend.TooManyRequestsException", "Comprehend.InternalServerException")
#: Comprehend refusing a call's input: never retried, caught into that call's result.
REJECTION_ERRORS = WORKFLOW_REJECTION_ERRORS
TASK_FAILED = "States.TaskFailed"
DEFAULT_MAP_CONCURRENCY = 4
#: Lambda callers wait for the synchronous execution: it ends before their client stops reading.
EXECUTION_TIMEOUT = Duration.seconds(TEXT_ANALYSIS_WORKFLOW_TIMEOUT_SECONDS)


# Retry policy, written once: passing failures get patience, refusals none, anything else a few tries.
class RetryOptions(TypedDict, total=False):
    """Keyword arguments of a Step Functions task's `add_retry`."""

    interval: Duration
    backoff_rate: float
    max_attempts: int
    max_delay: Duration


THROTTLE_RETRY: RetryOptions = {
    "interval": Duration.seconds(1),
    "backoff_rate": 2.0,
    "max_attempts": 6,
    "max_delay": Duration.seconds(20),
}
NO_RETRY: RetryOptions = {"max_attempts": 0}
TASK_FAILED_RETRY: RetryOptions = {
    "interval": Duration.seconds(2),
    "backoff_rate": 2.0,
    "max_attempts": 3,
    "max_delay": Duration.seconds(10),
}


class TextAnalysisWorkflow(Construct):
    """The Express state machine, its encrypted ERROR-level log group, and nothing else."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        map_concurrency: int = DEFAULT_MAP_CONCURRENCY,
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH,
        log_group_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        sentiment = _comprehend_map(
            self,
            "Sentiment",
            items_path="$.sentimentBatches",
            action="batchDetectSentiment",
            parameters={
                "LanguageCode": sfn.JsonPath.string_at("$.LanguageCode"),
                "TextList": sfn.JsonPath.list_at("$.TextList"),
            },
            keep=("ResultList", "ErrorList"),
            map_concurrency=map_concurrency,
        )
        toxicity = _comprehend_map(
            self,
            "Toxicity",
            items_path="$.toxicityBatches",
            action="detectToxicContent",
            parameters={
                "LanguageCode": sfn.JsonPath.string_at("$.LanguageCode"),
                "TextSegments": sfn.JsonPath.list_at("$.TextSegments"),
            },
            keep=("ResultList",),
            map_concurrency=map_concurrency,
        )
        analyse = sfn.Parallel(
            self,
            "Analyse",
            comment="Sentiment and toxicity batches in parallel; output {sentiment: [...], toxicity: [...]}.",
            result_selector={
                "sentiment": sfn.JsonPath.list_at("$[0]"),
                "toxicity": sfn.JsonPath.list_at("$[1]"),
            },
        )
        analyse.branch(sentiment).branch(toxicity)  # no Catch: a failure after the retries fails the execution

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            # Under /aws/vendedlogs/ Step Functions needs no CloudWatch Logs resource-policy entry per group.
            log_group_name=log_group_name,
            encryption_key=key,
            retention=log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_type=sfn.StateMachineType.EXPRESS,
            definition_body=sfn.DefinitionBody.from_chainable(analyse),
            timeout=EXECUTION_TIMEOUT,
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ERROR, include_execution_data=False),
            comment=("LLM Monitor: Comprehend sentiment and toxicity for a batch of texts (see infra/workflow.py)."),
        )


def _comprehend_map(
    scope: Construct,
    name: str,
    *,
    items_path: str,
    action: str,
    parameters: Mapping[str, object],
    keep: tuple[str, ...],
    map_concurrency: int,
) -> sfn.Map:
    call = tasks.CallAwsService(
        scope,
        f"{name}Call",
        service="comprehend",
        action=action,
        parameters=dict(parameters),
        # Comprehend's real-time detect APIs have no resource-level permissions.
        iam_resources=["*"],
        iam_action=f"comprehend:{action[0].upper()}{action[1:]}",
        result_selector={k: sfn.JsonPath.list_at(f"$.{k}") for k in keep},
    )
    call.add_retry(errors=list(TRANSIENT_ERRORS), jitter_strategy=sfn.JitterType.FULL, **THROTTLE_RETRY)
    call.add_retry(errors=list(REJECTION_ERRORS), **NO_RETRY)  # before States.TaskFailed, which matches them too
    call.add_retry(errors=[TASK_FAILED], jitter_strategy=sfn.JitterType.FULL, **TASK_FAILED_RETRY)
    refused = sfn.Pass(
        scope,
        f"{name}Rejected",
        comment="Comprehend refused this call's input: the caller looks for the text in smaller calls.",
        parameters={"Rejected": sfn.JsonPath.string_at("$.Error")},
    )
    call.add_catch(refused, errors=list(REJECTION_ERRORS), result_path="$")
    batches = sfn.Map(scope, f"{name}Batches", items_path=items_path, max_concurrency=map_concurrency)
    batches.item_processor(call)
    return batches


# --- the definition for tests ---------------------------------------------------------------------------

_PSEUDO = {
    "AWS::Partition": "partition",
    "AWS::Region": "region",
    "AWS::AccountId": "account",
    "AWS::URLSuffix": "url_suffix",
}


def render_definition(
    *,
    partition: str = "aws",
    region: str = "us-east-1",
    account: str = "123456789012",
    map_concurrency: int = DEFAULT_MAP_CONCURRENCY,
) -> str:
    """The state machine's ASL JSON exactly as the stack deploys it, CDK tokens resolved."""
    app = App()
    stack = Stack(app, "WorkflowDefinition", env=Environment(account=account, region=region))
    workflow = TextAnalysisWorkflow(stack, "Workflow", key=kms.Key(stack, "Key"), map_concurrency=map_concurrency)
    template = app.synth().get_stack_by_name(stack.stack_name).template
    logical_id = cfn_logical_id(stack, workflow.state_machine)
    definition = template["Resources"][logical_id]["Properties"]["DefinitionString"]
    values = {"partition": partition, "region": region, "account": account, "url_suffix": "amazonaws.com"}
    text = _resolve(definition, values)
    json.loads(text)  # fail here, not in the caller, if resolution went wrong
    return text


def _resolve(value: object, values: Mapping[str, str]) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(_resolve(p, values) for p in parts)
        if "Ref" in value and value["Ref"] in _PSEUDO:
            return values[_PSEUDO[value["Ref"]]]
    raise ValueError(f"cannot resolve {value!r} in the state machine definition")
