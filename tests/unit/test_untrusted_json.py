"""A lone UTF-16 surrogate in any input becomes U+FFFD where the text enters: the record is kept.

JSON can escape a lone surrogate ("\\ud800") and `json.loads` decodes raw ED A0 80 bytes to one; such a
`str` cannot be encoded as UTF-8, so it would fail stdout, Kinesis, SQLite and the embedding models later.
"""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import pytest

from canary.catalog import parse_catalog
from canary.responses import read_responses
from shared.parsing import NoOffloadedBodies, ParseStats, parse_stream
from shared.records import InvocationRecord
from shared.sources import decode_body
from shared.untrusted_json import loads, may_hold_surrogate, scrub

LONE_HIGH = "\ud800"
LONE_LOW = "\udfff"
RAW_SURROGATE = b"\xed\xa0\x80"  # what "\ud800" encodes to with surrogatepass


def encodable(value: Any) -> bool:
    json.dumps(value, ensure_ascii=False).encode("utf-8")
    return True


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'{"a": "x\\ud800y"}', {"a": "x\ufffdy"}),
        (b'{"a": "\\uDFFF"}', {"a": "\ufffd"}),
        (b'{"k\\ud800": ["\\udc00", {"n": "\\ud83d\\ude00 ok"}]}', {"k\ufffd": ["\ufffd", {"n": "\U0001f600 ok"}]}),
        (b'{"a": "' + RAW_SURROGATE + b' raw"}', {"a": "\ufffd raw"}),
        ('{"a": "text \\ud800"}', {"a": "text \ufffd"}),
        ('{"a": "already decoded ' + LONE_LOW + '"}', {"a": "already decoded \ufffd"}),
        (b'"\\ud800"', "\ufffd"),
    ],
    ids=["escape", "upper-case-escape", "keys-lists-and-a-valid-pair", "raw-bytes", "str", "str-raw", "bare-string"],
)
def test_every_lone_surrogate_becomes_the_replacement_character(data: str | bytes, expected: object) -> None:
    value = loads(data)
    assert value == expected
    assert encodable(value)


def test_text_without_surrogates_is_left_alone_and_not_walked() -> None:
    for data in (b'{"a": "plain ascii"}', '{"a": "caf\u00e9 \ud55c\uad6d\uc5b4"}'.encode(), b'{"a": "\\u00e9"}'):
        assert not may_hold_surrogate(data)
        assert loads(data) == json.loads(data)
    assert loads('{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}  # a valid pair stays the character


def test_a_value_nested_as_deeply_as_the_decoder_allows_is_scrubbed_without_recursion() -> None:
    depth = 900
    value = loads(b"[" * depth + b'"\\ud800"' + b"]" * depth)
    for _ in range(depth):
        assert isinstance(value, list)
        value = value[0]
    assert value == "\ufffd"
    assert scrub({"a": [LONE_HIGH, 1, None, {"b": LONE_LOW}]}) == {"a": ["\ufffd", 1, None, {"b": "\ufffd"}]}


def _converse(request_id: str, prompt: str, completion: str, model: str = "m") -> dict[str, Any]:
    return {
        "requestId": request_id,
        "modelId": model,
        "operation": "Converse",
        "requestMetadata": {"app" + LONE_HIGH: "v" + LONE_LOW},
        "input": {"inputBodyJson": {"messages": [{"role": "user", "content": [{"text": prompt}]}]}},
        "output": {"outputBodyJson": {"output": {"message": {"content": [{"text": completion}]}}}},
    }


def _parse(data: bytes) -> tuple[list[InvocationRecord], ParseStats]:
    stats = ParseStats()
    records = [
        r
        for _, r in parse_stream(
            io.BytesIO(data), source="t", resolver=NoOffloadedBodies(), stats=stats, skip_missing_bodies=True
        )
    ]
    return records, stats


def test_the_parser_keeps_and_repairs_records_with_lone_surrogates_in_any_field() -> None:
    bad = [
        _converse("p", "prompt " + LONE_HIGH, "fine"),
        _converse("c", "fine", LONE_LOW + " completion"),
        _converse("m", "fine", "fine", model="anthropic." + LONE_LOW),
        _converse("r-" + LONE_HIGH, "fine", "fine"),
    ]
    lines = [json.dumps(_converse(f"good-{i}", f"q{i}", f"a{i}")).encode() for i in range(3)]
    lines += [json.dumps(record).encode() for record in bad]  # ensure_ascii: "\ud800" escapes
    lines.append(json.dumps(_converse("raw", "fine", "X")).encode().replace(b'"X"', b'"' + RAW_SURROGATE + b'"'))
    data = gzip.compress(b"\n".join(lines) + b"\n")
    records, stats = _parse(data)
    assert stats.malformed == 0 and not stats.skipped
    by_id = {r.request_id: r for r in records}
    assert set(by_id) == {"good-0", "good-1", "good-2", "p", "c", "m", "r-\ufffd", "raw"}
    assert by_id["p"].prompt == "prompt \ufffd" and by_id["c"].completion == "\ufffd completion"
    assert by_id["m"].model_id == "anthropic.\ufffd" and by_id["raw"].completion == "\ufffd"
    assert by_id["p"].request_metadata == {"app\ufffd": "v\ufffd"}
    for record in records:
        record.to_json().encode("utf-8")


def test_an_array_document_and_a_body_logged_as_a_json_string_are_repaired_too() -> None:
    as_string = _converse("s", "x", "y")
    as_string["input"]["inputBodyJson"] = json.dumps({"prompt": "string body " + LONE_HIGH})  # holds "\\ud800"
    document = json.dumps([_converse("a", "q " + LONE_HIGH, "c"), as_string], indent=2).encode()
    records, stats = _parse(document)
    assert [r.request_id for r in records] == ["a", "s"] and stats.malformed == 0
    assert records[0].prompt == "q \ufffd" and records[1].prompt == "string body \ufffd"


def test_an_offloaded_body_is_repaired() -> None:
    body = gzip.compress(b'{"prompt": "offloaded \\ud800"}')
    assert decode_body(body, uri="s3://b/data/x") == {"prompt": "offloaded \ufffd"}
    assert decode_body(b'{"a": "\\udc00"}\n{"b": 1}\n', uri="s3://b/data/y") == [{"a": "\ufffd"}, {"b": 1}]


def test_stream_records_canary_responses_and_catalogs_are_repaired() -> None:
    record = InvocationRecord.from_json(
        b'{"requestId": "\\ud800", "prompt": "p\\udfff", "completion": "' + RAW_SURROGATE + b'"}'
    )
    assert (record.request_id, record.prompt, record.completion) == ("\ufffd", "p\ufffd", "\ufffd")
    record.to_json().encode("utf-8")

    result = read_responses(
        [b'{"caseId": "c1", "modelId": "m\\ud800", "completion": "I can\'t \\udfff help", "latencyMs": 5}']
    )
    assert not result.malformed
    (response,) = result.responses
    assert response.model_id == "m\ufffd" and response.completion == "I can't \ufffd help"

    line = b'{"id": "case-1", "prompt": "Say hi \\ud800", "expect": "answer", "tags": ["t"]}\n'
    catalog = parse_catalog(line, source="c.jsonl")
    assert catalog.cases[0].prompt == "Say hi \ufffd"


def test_a_canary_answer_with_a_lone_surrogate_is_repaired() -> None:
    from canary.catalog import load_catalog
    from canary.runner import _response

    case = next(iter(load_catalog()))
    output: Any = {"output": {"message": {"content": [{"text": "Sure \ud800 here"}]}}, "usage": {}, "metrics": {}}
    assert _response(case, "m", output, 10.0).completion == "Sure \ufffd here"


def test_control_characters_in_a_model_id_never_reach_a_terminal() -> None:
    """A model id is printed in summaries and becomes a metric dimension: a newline or a terminal escape
    in one (no real id holds either) becomes U+FFFD, and the record is kept."""
    hostile = _converse("x", "fine", "fine", model="meta.llama\n\x1b[31mFAKE ALARM\x1b[0m")
    records, stats = _parse(json.dumps(hostile).encode() + b"\n" + json.dumps(_converse("y", "q", "a")).encode())
    assert [r.request_id for r in records] == ["x", "y"]
    assert records[0].model_id == "meta.llama\ufffd\ufffd[31mFAKE ALARM\ufffd[0m"
    assert records[1].model_id == "m" and stats.malformed == 0


@pytest.mark.parametrize("value", ['"no"', '"false"', "0", "[]"])
def test_a_truncated_flag_that_is_not_a_boolean_is_a_bad_line_not_true(value: str) -> None:
    """`bool("no")` is True: a record claiming "truncated": "no" was counted as shortened."""
    from shared.errors import RecordDecodeError

    with pytest.raises(RecordDecodeError, match="'truncated' must be true or false"):
        InvocationRecord.from_json('{"prompt": "p", "completion": "c", "truncated": ' + value + "}")
    assert InvocationRecord.from_json('{"completion": "c", "truncated": false}').truncated is False
    assert InvocationRecord.from_json('{"completion": "c", "truncated": true}').truncated is True


def test_ids_and_uris_from_input_are_shown_without_control_characters() -> None:
    from shared.errors import OffloadedBodyUnreadable

    message = str(OffloadedBodyUnreadable("s3://b/k\n\x1b[31mFORGED", "not an S3 URI"))
    assert "\n" not in message and "\x1b" not in message and "FORGED" in message
    (response,) = read_responses([b'{"caseId": "evil\\n\\u001b[31m", "modelId": "m", "completion": "c"}']).responses
    assert response.case_id == "evil\ufffd\ufffd[31m"
