"""Every documented operation and body shape, from fixtures written from the Bedrock formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.errors import OffloadedBodyMissing, RecordDecodeError
from shared.parsing import NoOffloadedBodies, Skipped, parse_invocation
from shared.parsing.shapes import BodyShape

FIXTURES = sorted((Path(__file__).parents[1] / "fixtures" / "shapes").glob("*.json"))


def _load(path: Path) -> tuple[dict, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["record"], data["expect"]


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_normalises_as_expected(path: Path) -> None:
    raw, expect = _load(path)
    outcome = parse_invocation(raw, NoOffloadedBodies())
    if "skip" in expect:
        assert isinstance(outcome, Skipped)
        assert outcome.reason.value == expect["skip"]
        assert outcome.model_id == raw["modelId"]
        return
    assert not isinstance(outcome, Skipped), outcome
    got = outcome.to_dict()
    assert got["requestId"] == raw["requestId"]
    assert got["modelId"] == raw["modelId"]
    assert got["operation"] == expect.get("operation", raw["operation"])
    assert got["timestamp"] == raw["timestamp"]
    assert got["system"] == expect.get("system", "")
    assert got["contentBlocks"] == expect.get("contentBlocks", {})
    assert got["truncated"] is False
    for key, value in expect.items():
        if key not in ("skip", "operation"):
            assert got[key] == value, key


def test_every_body_shape_and_operation_has_a_fixture() -> None:
    shapes, operations = set(), set()
    for path in FIXTURES:
        raw, expect = _load(path)
        if "bodyShape" in expect:
            shapes.add(expect["bodyShape"])
            operations.add(raw["operation"])
    assert shapes == {s.value for s in BodyShape}
    assert operations == {"InvokeModel", "InvokeModelWithResponseStream", "Converse", "ConverseStream"}


def test_model_id_does_not_decide_the_shape() -> None:
    raw, _ = _load(FIXTURES[[p.stem for p in FIXTURES].index("llama3_invoke")])
    raw = {**raw, "modelId": "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/opaque"}
    record = parse_invocation(raw, NoOffloadedBodies())
    assert not isinstance(record, Skipped)
    assert record.prompt == "Where is the treasure?"
    assert record.body_shape == "llama"


class _Bodies:
    def __init__(self, bodies: dict[str, object]) -> None:
        self.bodies = bodies
        self.fetched: list[str] = []

    def fetch(self, uri: str) -> object:
        self.fetched.append(uri)
        if uri not in self.bodies:
            raise OffloadedBodyMissing(uri, 1)
        return self.bodies[uri]


def test_offloaded_bodies_are_fetched() -> None:
    raw = {
        "requestId": "r1",
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "operation": "InvokeModel",
        "input": {"inputBodyS3Path": "s3://b/data/r1_input.json.gz", "inputTokenCount": 50_000},
        "output": {"outputBodyS3Path": "s3://b/data/r1_output.json.gz", "outputTokenCount": 9},
    }
    bodies = _Bodies(
        {
            "s3://b/data/r1_input.json.gz": {"messages": [{"role": "user", "content": "long " * 30_000}]},
            "s3://b/data/r1_output.json.gz": {"type": "message", "content": [{"type": "text", "text": "Summary."}]},
        }
    )
    record = parse_invocation(raw, bodies)
    assert not isinstance(record, Skipped)
    assert record.completion == "Summary."
    assert record.prompt.startswith("long long")
    assert record.input_tokens == 50_000


def test_a_missing_offloaded_body_is_raised_never_emitted_half_empty() -> None:
    raw = {
        "requestId": "r2",
        "modelId": "m",
        "operation": "InvokeModel",
        "input": {"inputBodyJson": {"messages": [{"role": "user", "content": "hi"}]}},
        "output": {"outputBodyS3Path": "s3://b/data/r2_output.json.gz"},
    }
    with pytest.raises(OffloadedBodyMissing):
        parse_invocation(raw, _Bodies({}))


def test_an_image_call_never_fetches_its_offloaded_output() -> None:
    raw, _ = _load(FIXTURES[[p.stem for p in FIXTURES].index("titan_image_offloaded")])
    bodies = _Bodies({})
    assert isinstance(parse_invocation(raw, bodies), Skipped)
    assert bodies.fetched == []


def test_a_record_without_request_id_is_a_decode_error() -> None:
    with pytest.raises(RecordDecodeError, match="requestId"):
        parse_invocation({"modelId": "m", "input": {}, "output": {}}, NoOffloadedBodies())


def test_body_logged_as_a_json_string_is_decoded() -> None:
    raw = {
        "requestId": "r3",
        "modelId": "meta.llama3-8b-instruct-v1:0",
        "operation": "InvokeModel",
        "input": {"inputBodyJson": json.dumps({"prompt": "Hi there"})},
        "output": {"outputBodyJson": json.dumps({"generation": "Hello!"})},
    }
    record = parse_invocation(raw, NoOffloadedBodies())
    assert not isinstance(record, Skipped)
    assert (record.prompt, record.completion) == ("Hi there", "Hello!")


@pytest.mark.parametrize(
    "body",
    [
        {"content": "not-a-list", "type": "message"},
        {"output": {"message": "oops"}},
        {"choices": [1, 2, 3]},
        {"results": "x"},
        [1, "two", None],
        "a bare string",
        42,
    ],
)
def test_strange_output_bodies_are_unknown_shapes_not_crashes(body: object) -> None:
    raw = {
        "requestId": "r4",
        "modelId": "vendor.model",
        "operation": "InvokeModel",
        "input": {"inputBodyJson": {"prompt": "x"}},
        "output": {"outputBodyJson": body},
    }
    outcome = parse_invocation(raw, NoOffloadedBodies())
    # Either recognised with empty text or counted as unknown: never an exception.
    if isinstance(outcome, Skipped):
        assert outcome.reason.value == "unknown-shape"
    else:
        assert outcome.completion == ""
