"""One Bedrock invocation-log record to one normalised record, or a counted reason why not.

The record's envelope (requestId, modelId, operation, token counts, errorCode) is the same for every
model; the bodies are the provider's own. Bodies over 100 KB are offloaded to S3 and fetched through a
`BodyResolver`, which may raise `OffloadedBodyMissing`: the caller decides whether that fails the event
(the dispatcher, so S3 retries it) or is counted (the CLI).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from shared.errors import RecordDecodeError
from shared.limits import KINESIS_PARTITION_KEY_MAX_CHARS
from shared.parsing.shapes import (
    NotGeneration,
    finite_count,
    input_not_generation,
    output_not_generation,
    read_completion,
    read_prompt,
)
from shared.records import InvocationRecord
from shared.untrusted_json import identifier
from shared.untrusted_json import loads as json_loads


class SkipReason(StrEnum):
    """Why a valid log record produced no normalised record (or, for the last two, why the dispatcher
    read no log records at all). Bounded: used as a metric dimension."""

    EMBEDDING = "embedding"
    IMAGE = "image"
    ERROR = "error"  # failed call: errorCode and no output
    NO_OUTPUT = "no-output"  # no output body and no error code
    UNKNOWN_SHAPE = "unknown-shape"
    OFFLOADED_BODY_MISSING = "offloaded-body-missing"  # only where a caller chooses to skip, not fail
    # not (gzipped) JSON, not an S3 URI, or an S3 answer no wait changes (no such bucket, 403 outside the log bucket)
    OFFLOADED_BODY_UNREADABLE = "offloaded-body-unreadable"
    CANARY = "canary"  # a canary request (requestMetadata tag), left out of production metrics by choice
    # The dispatcher's, counted once per event record or log object rather than per log record:
    UNUSABLE_EVENT = "unusable-event"  # an event record that cannot name its object (no bucket or key)
    LOG_OBJECT_GONE = "log-object-gone"  # the announced log object was deleted before it could be read


@dataclass(frozen=True, slots=True)
class Skipped:
    reason: SkipReason
    model_id: str


class BodyResolver(Protocol):
    """Fetches a body Bedrock offloaded to S3 (`s3://bucket/key`), decoded from (gzipped) JSON."""

    def fetch(self, uri: str) -> object: ...


class NoOffloadedBodies:
    """For sources that cannot hold offloaded bodies: any reference is reported missing at once."""

    def fetch(self, uri: str) -> object:
        from shared.errors import OffloadedBodyMissing

        raise OffloadedBodyMissing(uri, attempts=0)


def parse_invocation(raw: Mapping[str, object], resolver: BodyResolver) -> InvocationRecord | Skipped:
    """Normalise one decoded log record.

    Raises RecordDecodeError when the object is not an invocation-log record at all (the caller counts
    it as a malformed line) and OffloadedBodyMissing when a referenced body cannot be fetched.
    """
    request_id = raw.get("requestId")
    if not isinstance(request_id, str) or not request_id:
        raise RecordDecodeError("not an invocation log record (no requestId)")
    if len(request_id) > KINESIS_PARTITION_KEY_MAX_CHARS:
        # The request id is the stream's partition key; Bedrock's are UUIDs.
        raise RecordDecodeError(f"requestId longer than {KINESIS_PARTITION_KEY_MAX_CHARS} characters")
    model_id = _identifier(raw.get("modelId"))
    error_code = _identifier(raw.get("errorCode")) or None
    inp = _section(raw.get("input"))
    out = _section(raw.get("output"))

    # A request body alone can prove an image or embedding call: then the (large, offloaded) output
    # never needs fetching.
    inline_input = _inline_body(inp, "inputBodyJson")
    reason = input_not_generation(inline_input)
    if reason is not None:
        return Skipped(_skip_reason(reason), model_id)

    output_body = _body(out, "outputBodyJson", "outputBodyS3Path", resolver)
    if output_body is None:
        return Skipped(SkipReason.ERROR if error_code else SkipReason.NO_OUTPUT, model_id)
    reason = output_not_generation(output_body)
    if reason is not None:
        return Skipped(_skip_reason(reason), model_id)
    completion = read_completion(output_body)
    if completion is None:
        return Skipped(SkipReason.UNKNOWN_SHAPE, model_id)

    input_body = inline_input if inline_input is not None else _body(inp, "inputBodyJson", "inputBodyS3Path", resolver)
    reason = input_not_generation(input_body)
    if reason is not None:
        return Skipped(_skip_reason(reason), model_id)
    prompt = read_prompt(input_body)
    if prompt is None:
        return Skipped(SkipReason.UNKNOWN_SHAPE, model_id)

    blocks = dict(prompt.blocks)
    for kind, n in completion.blocks.items():
        blocks[kind] = blocks.get(kind, 0) + n
    metadata = raw.get("requestMetadata")
    return InvocationRecord(
        request_id=request_id,
        timestamp=_text(raw.get("timestamp")),
        model_id=model_id,
        operation=_text(raw.get("operation")),
        prompt=prompt.user,
        system=prompt.system,
        completion=completion.text().strip(),
        input_tokens=_count(inp.get("inputTokenCount"), completion.input_tokens),
        output_tokens=_count(out.get("outputTokenCount"), completion.output_tokens),
        latency_ms=completion.latency_ms,
        request_metadata={str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {},
        content_blocks=dict(sorted(blocks.items())),
        stop_reason=completion.stop_reason,
        error_code=error_code,
        body_shape=completion.shape.value,
    )


def _skip_reason(reason: NotGeneration) -> SkipReason:
    return SkipReason.EMBEDDING if reason is NotGeneration.EMBEDDING else SkipReason.IMAGE


def _section(value: object) -> Mapping[str, object]:
    """The record's `input` or `output` object; an empty one when it is missing or not an object."""
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _identifier(value: object) -> str:
    return identifier(_text(value))


def _count(primary: object, fallback: int | None) -> int | None:
    """A token count: a finite, non-negative number (NaN, Infinity and negatives are not counts)."""
    count = finite_count(primary)
    return fallback if count is None else count


def _inline_body(section: Mapping[str, object], key: str) -> object:
    body = section.get(key)
    if isinstance(body, str):
        # Some producers log the body as a JSON string rather than an object.
        try:
            return json_loads(body)
        except ValueError:
            return body  # not JSON: an unknown shape, not a missing body
    return body


def _body(section: Mapping[str, object], inline_key: str, s3_key: str, resolver: BodyResolver) -> object:
    body = _inline_body(section, inline_key)
    if body is not None:
        return body
    uri = section.get(s3_key)
    if isinstance(uri, str) and uri:
        return resolver.fetch(uri)
    return None
