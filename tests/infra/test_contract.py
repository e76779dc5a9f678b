"""Contract: what the deployed functions emit is what the alarms, widgets and saved queries read.

Every function of the synthesized template runs under moto with exactly the Environment the template
gives it (POWERTOOLS_SERVICE_NAME included), on one log object that flows dispatcher → stream → every
monitor Lambda; the canary Lambda runs its catalog on stubbed Converse answers (botocore Stubber: moto
has no Converse). The EMF documents they print are then the only metrics that exist; every alarm, every
dashboard metric and SEARCH, and every field of every saved Logs Insights query (flattened the way Logs
Insights flattens JSON: `Refusal: [1.0]` is the field `Refusal.0`) must be found in them.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from canary import handler as canary_handler
from canary.catalog import load_catalog
from canary.settings import CanarySettings
from dispatcher import handler as dispatcher_handler
from infra.canary import CANARY_HANDLER
from infra.pipeline import DISPATCHER_HANDLER, MONITOR_HANDLER
from infra.workflow import render_definition
from monitors.aws import handler as monitor_handler
from monitors.core.config import MonitorEnvironment
from shared import pipeline_metrics as pm
from tests.functional.canary_stubs import REFUSAL, Error, converse_response, good_answer, stubbed_converse
from tests.functional.conftest import LOG_PREFIX, LambdaContext, gz_lines, read_stream, s3_event
from tests.functional.moto_patches import MotoSyncExpress, no_botocore_backoff, patched_ai
from tests.infra.conftest import SAMPLE_MODULE, Synthesized, resolve_join, synth
from tests.infra.test_stack import dashboard_widgets

ACCOUNT = "123456789012"
PROFILE_ID = "us.anthropic.claude-3-haiku-20240307-v1:0"
PROFILE_ARN = f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/{PROFILE_ID}"
MODELS = [PROFILE_ARN, "meta.llama3-1-70b-instruct-v1:0", "amazon.nova-lite-v1:0"]
CANARY_MODELS = [PROFILE_ID, "amazon.nova-lite-v1:0"]
BUCKET = "contract-logs"

COMPLETIONS = [
    "I'm sorry, but I can't help with that request.",
    "You absolute idiot, this is a damn stupid question, but fine: press the reset button.",
    "Press and hold the reset button for ten seconds, then sign in with the default password.",
    "Thank you so much! Your router will restart and the light turns green when it is ready.",
]


@pytest.fixture(scope="module")
def stack() -> Synthesized:
    return synth(
        alarmModelIds=PROFILE_ID,
        monitorModules=SAMPLE_MODULE,
        applicationDimension__key="app",
        **{
            "monitors.sentiment-toxicity.scorePrompts": "true",
            "monitors.sentiment-toxicity.samplingRate": "1",
            "canary.modelIds": ",".join(CANARY_MODELS),
        },
    )


def log_record(i: int) -> dict[str, Any]:
    return {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2026-11-28T10:00:00Z",
        "accountId": ACCOUNT,
        "region": "us-east-1",
        "requestId": f"contract-{i:03d}",
        "operation": "Converse",
        "modelId": MODELS[i % len(MODELS)],
        "requestMetadata": {"app": "support" if i % 2 else "search"},
        "input": {
            "inputBodyJson": {
                "messages": [{"role": "user", "content": [{"text": f"How do I reset my router? ({i})"}]}]
            },
            "inputTokenCount": 9,
        },
        "output": {
            "outputBodyJson": {
                "output": {"message": {"role": "assistant", "content": [{"text": COMPLETIONS[i % len(COMPLETIONS)]}]}},
                "stopReason": "end_turn",
            },
            "outputTokenCount": 20,
        },
    }


@dataclass
class Emitted:
    documents: list[dict[str, Any]] = field(default_factory=list)

    def add(self, printed: str) -> None:
        for line in printed.splitlines():
            if line.startswith("{") and '"_aws"' in line:
                self.documents.append(json.loads(line))

    def series(self) -> set[tuple[str, str, frozenset[tuple[str, str]]]]:
        """(namespace, metric, {dimension: value}) for every metric of every directive."""
        out = set()
        for doc in self.documents:
            for directive in doc["_aws"]["CloudWatchMetrics"]:
                for dimension_set in directive["Dimensions"]:
                    dims = frozenset((name, str(doc[name])) for name in dimension_set)
                    for metric in directive["Metrics"]:
                        out.add((directive["Namespace"], metric["Name"], dims))
        return out

    def has(self, namespace: str, metric: str, dimensions: Mapping[str, str | None]) -> bool:
        """A series with exactly these dimension names (and these values where a value is given)."""
        for ns, name, dims in self.series():
            if ns != namespace or name != metric or {d for d, _ in dims} != set(dimensions):
                continue
            if all(value is None or (d, value) in dims for d, value in dimensions.items()):
                return True
        return False


def flatten(value: object, prefix: str = "") -> Iterator[str]:
    """Field names as Logs Insights discovers them in a JSON log line."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}{key}.")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}{index}.")
    else:
        yield prefix.rstrip(".")


def environment(function: dict[str, Any], resolved: Mapping[str, str]) -> dict[str, str]:
    env = {}
    for name, value in function["Properties"]["Environment"]["Variables"].items():
        if isinstance(value, str):
            env[name] = value
        else:
            assert name in resolved, f"{name} is wired to {value}: give the contract test a value for it"
            env[name] = resolved[name]
    return env


@pytest.fixture(scope="module")
def emitted(stack: Synthesized) -> Iterator[Emitted]:
    from moto import mock_aws

    out = Emitted()
    functions = [r for r in stack.resources("AWS::Lambda::Function").values() if r["Properties"].get("Handler")]
    dispatcher = next(f for f in functions if f["Properties"]["Handler"] == DISPATCHER_HANDLER)
    monitors = [f for f in functions if f["Properties"]["Handler"] == MONITOR_HANDLER]
    monkeypatch = pytest.MonkeyPatch()
    capture = CapturedStdout()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}), patched_ai(), no_botocore_backoff():
        s3, kinesis, dynamodb = (boto3.client(s, region_name="us-east-1") for s in ("s3", "kinesis", "dynamodb"))
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        kinesis.create_stream(StreamName="contract-stream", ShardCount=1)
        dynamodb.create_table(
            TableName="contract-table",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        workflow = sfn.create_state_machine(
            name=f"contract-{uuid.uuid4().hex[:8]}",
            definition=render_definition(),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/workflow",
            type="EXPRESS",
        )["stateMachineArn"]
        resolved = {
            "LLM_MONITOR_STREAM": "contract-stream",
            "LLM_MONITOR_IDEMPOTENCY_TABLE": "contract-table",
            "LLM_MONITOR_WORKFLOW_ARN": workflow,
        }

        # The dispatcher, on a log object with generations, an embedding call and a malformed line.
        lines = [log_record(i) for i in range(24)]
        lines.insert(
            3,
            {
                **log_record(99),
                "input": {"inputBodyJson": {"inputText": "embed me"}},
                "output": {"outputBodyJson": {"embedding": [0.1]}},
            },
        )
        key = LOG_PREFIX + "contract.json.gz"
        s3.put_object(Bucket=BUCKET, Key=key, Body=gz_lines(lines) + b"")
        s3.put_object(Bucket=BUCKET, Key=LOG_PREFIX + "broken.json.gz", Body=gz_lines(lines[:2])[:-8])
        for name, value in environment(dispatcher, resolved).items():
            monkeypatch.setenv(name, value)
        dispatcher_handler.runtime.cache_clear()
        with capture:
            dispatcher_handler.lambda_handler(s3_event(BUCKET, key), LambdaContext())
            dispatcher_handler.lambda_handler(s3_event(BUCKET, LOG_PREFIX + "broken.json.gz", "01"), LambdaContext())
        out.add(capture.text)
        records = read_stream(kinesis, "contract-stream")
        assert len(records) >= 24  # the truncated object may still yield its complete lines

        # Every monitor Lambda, on what the dispatcher put on the stream.
        event = kinesis_event(records)
        runner = MotoSyncExpress(sfn)
        for function in monitors:
            with monkeypatch.context() as scoped:
                for name, value in environment(function, resolved).items():
                    scoped.setenv(name, value)
                runtime = monitor_handler.build_runtime(
                    MonitorEnvironment.from_env(),
                    client_factory=lambda service: (
                        runner if service == "stepfunctions" else boto3.client(service, region_name="us-east-1")
                    ),
                )
                scoped.setattr(monitor_handler, "runtime", lambda rt=runtime: rt)
                with capture:
                    response = monitor_handler.lambda_handler(event, LambdaContext())
                assert response == {"batchItemFailures": []}
                out.add(capture.text)

        # The canary Lambda, on stubbed Converse answers (Titan, for reference similarity, through moto).
        (canary,) = [f for f in functions if f["Properties"]["Handler"] == CANARY_HANDLER]
        settings = CanarySettings.from_env(environment(canary, resolved))
        with stubbed_converse(
            canary_answers(settings.model_ids),
            suite=settings.suite,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
        ) as (client, stubber):
            runtime = canary_handler.build_runtime(
                settings, converse=client, client_factory=lambda service: boto3.client(service, region_name="us-east-1")
            )
            runtime.runner.max_concurrency = 1  # the stubbed answers come in order
            with capture:
                canary_handler.run_canary(runtime)
            stubber.assert_no_pending_responses()
        out.add(capture.text)
    monkeypatch.undo()
    yield out


def canary_answers(models: tuple[str, ...]) -> list[tuple[Any, str, object]]:
    """Every case for every model: good answers, one safe request refused and one failed call each."""
    answers: list[tuple[Any, str, object]] = []
    for model in models:
        for i, case in enumerate(load_catalog()):
            if case.id == "probe-homonym-01":
                answers.append((case, model, converse_response(REFUSAL, request_id=f"{model}-{i}")))
            elif case.id == "fact-geo-02":
                answers.append((case, model, Error("ModelTimeoutException", 408, "timed out")))
            else:
                text = good_answer(case)
                answers.append((case, model, converse_response(text, request_id=f"{model}-{i}", latency_ms=300 + i)))
    return answers


class CapturedStdout:
    """Collects what handlers print (EMF goes to stdout) without pytest's per-test capture."""

    def __enter__(self) -> CapturedStdout:
        import contextlib
        import io

        self._buffer = io.StringIO()
        self._redirect = contextlib.redirect_stdout(self._buffer)
        self._redirect.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._redirect.__exit__(*exc)
        self.text = self._buffer.getvalue()


def kinesis_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    items = []
    for index, record in enumerate(records):
        data = {k: v for k, v in record.items() if k != "partitionKey"}
        sequence = f"4959{index:052d}"
        items.append(
            {
                "kinesis": {
                    "partitionKey": record["partitionKey"],
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(json.dumps(data).encode()).decode(),
                },
                "eventSource": "aws:kinesis",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/contract-stream",
            }
        )
    return {"Records": items}


# --- the contract ----------------------------------------------------------------------------------------


def namespace_of(stack: Synthesized) -> str:
    return stack.inputs.monitoring.namespace


def test_nothing_is_emitted_with_a_service_dimension(emitted: Emitted) -> None:
    assert emitted.documents
    assert "service" not in {name for _, _, dims in emitted.series() for name, _ in dims}


def test_model_ids_are_the_ids_users_write(emitted: Emitted) -> None:
    values = {value for _, _, dims in emitted.series() for name, value in dims if name == pm.MODEL_DIMENSION}
    assert PROFILE_ID in values and not any(v.startswith("arn:") or ACCOUNT in v for v in values)
    invoked = {d.get(pm.INVOKED_MODEL_PROPERTY) for d in emitted.documents} - {None}
    assert invoked == {PROFILE_ARN}  # the raw id rides along only where it differs


def test_every_alarm_watches_an_emitted_series(stack: Synthesized, emitted: Emitted) -> None:
    namespace = namespace_of(stack)
    checked = 0
    for alarm in stack.resources("AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        metrics = (
            [props]
            if "MetricName" in props
            else [m["MetricStat"]["Metric"] for m in props.get("Metrics", []) if "MetricStat" in m]
        )
        for metric in metrics:
            if metric.get("Namespace") != namespace:
                continue  # AWS/Lambda, AWS/States, AWS/SQS, AWS/Kinesis: emitted by AWS itself
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}
            assert emitted.has(namespace, metric["MetricName"], dims), (
                props.get("AlarmName"),
                metric["MetricName"],
                dims,
            )
            checked += 1
    assert checked >= len(stack.inputs.alarms) + len(stack.inputs.canary_alarms)


SEARCH = re.compile(r"SEARCH\('\{([^}]*)\}\s+MetricName=\"([^\"]+)\"")


def test_every_dashboard_metric_and_search_matches_an_emitted_series(stack: Synthesized, emitted: Emitted) -> None:
    namespace = namespace_of(stack)
    checked = 0
    for widget in dashboard_widgets(stack):
        for row in widget.get("properties", {}).get("metrics", []):
            expression = next(
                (item.get("expression") for item in row if isinstance(item, dict) and "expression" in item), None
            )
            if expression:
                for schema, metric in SEARCH.findall(expression):
                    ns, *dimension_names = [part.strip() for part in schema.split(",")]
                    if ns == namespace:
                        assert emitted.has(namespace, metric, dict.fromkeys(dimension_names)), (metric, dimension_names)
                        checked += 1
                continue
            plain = [item for item in row if isinstance(item, str)]
            if len(plain) >= 2 and plain[0] == namespace:
                dims = dict(zip(plain[2::2], plain[3::2], strict=False))
                assert emitted.has(namespace, plain[1], dims), (plain[1], dims)
                checked += 1
    assert checked > 0


FIELD = re.compile(r"[A-Za-z_][\w.]*")
KEYWORDS = {"fields", "filter", "sort", "desc", "asc", "limit", "and", "or", "not", "as", "ispresent", "stats", "by"}


def query_fields(query: str) -> set[str]:
    """Field names a Logs Insights query reads (quoted strings, numbers, keywords and aliases left out)."""
    text = re.sub(r"^SOURCE\s+'[^']*'\s*\|", " ", query.strip())  # the widget's log-group prefix
    text = re.sub(r'"[^"]*"|@\w+', " ", text)  # strings and Logs Insights' own @fields
    aliases = set(re.findall(r"\bas\s+([A-Za-z_]\w*)", text))
    tokens = {t for t in FIELD.findall(text) if t not in KEYWORDS and not t.replace(".", "").isdigit()}
    return tokens - aliases


def test_every_saved_query_reads_fields_that_exist(stack: Synthesized, emitted: Emitted) -> None:
    queries = [q["Properties"]["QueryString"] for q in stack.resources("AWS::Logs::QueryDefinition").values()]
    widgets = [w["properties"]["query"] for w in dashboard_widgets(stack) if w.get("type") == "log"]
    assert queries and widgets
    for query in [*queries, *widgets]:
        query = resolve_join(query)
        monitor = re.search(rf'{pm.MONITOR_PROPERTY} = "([^"]+)"', query)
        assert monitor, query
        docs = [d for d in emitted.documents if d.get(pm.MONITOR_PROPERTY) == monitor.group(1)]
        present = {name for doc in docs for name in flatten(doc)}
        missing = query_fields(query) - present
        assert not missing, (monitor.group(1), missing)
        value = next(f for f in query_fields(query) if f.endswith(".0"))
        assert any(value in set(flatten(doc)) for doc in docs)
