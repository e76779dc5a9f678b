"""Property tests: hostile input never breaks the parser, the record decoder or alarm evaluation.

The invariants a user relies on: every input line is emitted, skipped with a reason, or counted
malformed — nothing raises and nothing vanishes; a stream record either decodes or is a counted decode
error; the alarm evaluator's shortcut over empty periods gives exactly the changes of evaluating every
period.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local_runtime.alarm_state import AlarmState, decide, evaluation_range
from local_runtime.alarm_timeline import alarm_timeline, align
from monitors.core.alarms import AlarmDefinition
from monitors.core.spec import AlarmSpec, Comparison, MissingData
from shared.errors import RecordDecodeError
from shared.parsing import NoOffloadedBodies, ParseStats, parse_stream
from shared.records import InvocationRecord

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)

# Objects shaped like invocation-log records, with every field free to hold the wrong thing.
KEYS = ["requestId", "modelId", "timestamp", "operation", "input", "output", "errorCode", "requestMetadata"]
BODY_KEYS = [
    "inputBodyJson",
    "outputBodyJson",
    "inputTokenCount",
    "outputTokenCount",
    "inputBodyS3Path",
    "outputBodyS3Path",
    "messages",
    "prompt",
    "content",
    "generation",
    "outputs",
    "choices",
    "results",
    "output",
    "usage",
    "metrics",
    "text",
    "role",
    "completion",
    "inputText",
    "message",
    "generations",
]
bodies = st.recursive(
    scalars | st.sampled_from([float("nan"), float("inf"), -1, 10**30, "I'm sorry", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(BODY_KEYS), inner, max_size=4),
    max_leaves=25,
)
records = st.fixed_dictionaries(
    {"requestId": st.one_of(st.text(min_size=1, max_size=40), scalars)},
    optional=dict.fromkeys(KEYS[1:], bodies),
)


def parse_all(data: bytes) -> tuple[int, ParseStats]:
    stats = ParseStats()
    emitted = sum(
        1
        for _ in parse_stream(
            io.BytesIO(data), source="fuzz", resolver=NoOffloadedBodies(), stats=stats, skip_missing_bodies=True
        )
    )
    return emitted, stats


def accounted(stats: ParseStats) -> int:
    return stats.emitted + sum(stats.skipped.values()) + stats.malformed


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    emitted, stats = parse_all(data)
    assert emitted == stats.emitted


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_gzip_content_and_truncations_never_raise(data: bytes) -> None:
    packed = gzip.compress(data)
    for cut in (len(packed), len(packed) // 2, 12):
        parse_all(packed[:cut])


@FUZZ
@given(st.lists(records | json_values, min_size=1, max_size=12))
def test_every_json_line_is_emitted_skipped_or_counted_malformed(lines: list[Any]) -> None:
    text = "\n".join(json.dumps(line, allow_nan=True) for line in lines)
    if text.lstrip().startswith(("[", "{\n")) or text.strip() == "{":
        text = json.dumps({"requestId": "first"}) + "\n" + text  # keep it JSON lines, not an array document
        lines = [{"requestId": "first"}, *lines]
    _, stats = parse_all(text.encode())
    assert accounted(stats) == len(lines)


@FUZZ
@given(st.lists(records, min_size=1, max_size=6), st.integers(min_value=1, max_value=5))
def test_deep_nesting_and_broken_lines_lose_nothing_else(lines: list[Any], depth_thousands: int) -> None:
    deep = "[" * (1000 * depth_thousands) + "]" * (1000 * depth_thousands)
    text = "\n".join(
        [json.dumps(line, allow_nan=True) for line in lines]
        + [
            '{"requestId": "deep", "output": ' + deep + "}",
            "{not json",
            "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"),
        ]
    )
    _, stats = parse_all(text.encode("utf-8", "surrogatepass"))
    assert accounted(stats) == len(lines) + 3
    assert stats.malformed >= 2


# Text with lone UTF-16 surrogates (hypothesis's text() never makes them): JSON escapes them as "\\ud800".
surrogates = st.integers(min_value=0xD800, max_value=0xDFFF).map(chr)
hostile_text = st.lists(surrogates | st.characters(), max_size=12).map("".join)


def _generation(request_id: str, model: str, prompt: str, completion: str) -> dict[str, Any]:
    return {
        "requestId": request_id,
        "modelId": model,
        "input": {"inputBodyJson": {"messages": [{"role": "user", "content": [{"text": prompt}]}]}},
        "output": {"outputBodyJson": {"output": {"message": {"content": [{"text": completion}]}}}},
    }


@FUZZ
@given(st.lists(st.tuples(hostile_text, hostile_text, hostile_text, hostile_text), min_size=1, max_size=6))
def test_lone_surrogates_never_cost_a_record_and_every_record_encodes(fields: list[tuple[str, ...]]) -> None:
    rows = [
        _generation(f"{i}-{rid}", model, prompt, completion)
        for i, (rid, model, prompt, completion) in enumerate(fields)
    ]
    data = "\n".join(json.dumps(row) for row in rows).encode()
    stats = ParseStats()
    emitted = [
        record
        for _, record in parse_stream(
            io.BytesIO(data), source="fuzz", resolver=NoOffloadedBodies(), stats=stats, skip_missing_bodies=True
        )
    ]
    assert accounted(stats) == len(rows) and stats.malformed == 0
    for record in emitted:
        line = record.to_json().encode("utf-8")  # what stdout, Kinesis and SQLite need
        again = InvocationRecord.from_json(line)
        assert again.to_json().encode("utf-8") == line


@FUZZ
@given(hostile_text, hostile_text, hostile_text)
def test_stream_records_with_lone_surrogates_decode_to_encodable_text(
    request_id: str, prompt: str, completion: str
) -> None:
    data = json.dumps({"requestId": request_id, "prompt": prompt, "completion": completion})
    for raw in (data, data.encode(), json.dumps(json.loads(data), ensure_ascii=False).encode("utf-8", "surrogatepass")):
        record = InvocationRecord.from_json(raw, default_id="seq-1")
        record.to_json().encode("utf-8")


@FUZZ
@given(st.binary(max_size=500) | json_values.map(lambda v: json.dumps(v, allow_nan=True).encode()))
def test_stream_records_decode_or_fail_with_a_decode_error(data: bytes) -> None:
    try:
        record = InvocationRecord.from_json(data, default_id="seq-1")
    except RecordDecodeError:
        return
    assert isinstance(record, InvocationRecord)
    for count in (record.input_tokens, record.output_tokens, record.latency_ms):
        assert count is None or (isinstance(count, int) and count >= 0)


@FUZZ
@given(records.map(lambda r: {**r, "prompt": "p", "completion": "c"}))
def test_record_shaped_objects_decode_or_fail_with_a_decode_error(data: dict[str, Any]) -> None:
    with contextlib.suppress(RecordDecodeError):
        InvocationRecord.from_json(json.dumps(data, allow_nan=True))


# --- alarm evaluation: the shortcut over empty periods is exact --------------------------------------------

P = 300
T0 = 1_700_000_100 - (1_700_000_100 % P)


def brute_force(alarm: AlarmDefinition, points: dict[int, float], start: float, end: float) -> list[tuple[float, str]]:
    """Evaluate at the end of every period overlapping [start, end): the definition the shortcut must match."""
    spec = alarm.spec
    length = evaluation_range(spec.evaluation_periods)
    state = AlarmState.INSUFFICIENT_DATA
    out = []
    period_start = align(start, P)
    while period_start < end:
        period_end = period_start + P
        values = [points.get(period_end - (length - i) * P) for i in range(length)]
        flags = [
            None if v is None or not math.isfinite(v) else spec.comparison.breaches(v, spec.threshold) for v in values
        ]
        decision = decide(
            flags,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data=spec.treat_missing_data,
            current_state=state,
        )
        if decision.state is not state:
            out.append((float(period_end), decision.state.value))
            state = decision.state
        period_start = period_end
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.integers(min_value=0, max_value=400), st.floats(min_value=0, max_value=1), max_size=25),
    st.integers(min_value=1, max_value=5),
    st.data(),
    st.sampled_from(list(MissingData)),
)
def test_sparse_evaluation_matches_every_period(
    offsets: dict[int, float], evaluation_periods: int, data: st.DataObject, treatment: MissingData
) -> None:
    datapoints_to_alarm = data.draw(st.integers(min_value=1, max_value=evaluation_periods))
    spec = AlarmSpec(
        statistic="Average",
        threshold=0.5,
        comparison=Comparison.GREATER_THAN,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=datapoints_to_alarm,
        treat_missing_data=treatment,
    )
    alarm = AlarmDefinition(name="a", monitor="m", metric_name="M", namespace="N", spec=spec)
    points = {T0 + offset * P: value for offset, value in offsets.items()}
    start = T0 + data.draw(st.integers(min_value=-3, max_value=50)) * P + data.draw(st.integers(0, P - 1))
    end = start + data.draw(st.integers(min_value=0, max_value=420)) * P + data.draw(st.integers(0, P - 1))
    fast = [(c.timestamp, c.new.value) for c in alarm_timeline(alarm, points, start=start, end=end)]
    assert fast == brute_force(alarm, points, start, end)
