"""One model's response to one catalog case: what `llm-monitor canary run` writes and `canary score` reads.

As JSON lines, one object each: `caseId`, `modelId` and `completion` (the model's text; may be left out
when `error` says the call failed), optional `latencyMs` and `error`; `canary run` and the Lambda also
record `requestId` (Bedrock's, the key to the invocation log), token counts and `stopReason`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypedDict

from shared.errors import RecordDecodeError
from shared.untrusted_json import identifier
from shared.untrusted_json import loads as json_loads


class ResponseDict(TypedDict, total=False):
    caseId: str
    modelId: str
    completion: str
    latencyMs: float | None
    error: str | None
    requestId: str | None
    inputTokens: int | None
    outputTokens: int | None
    stopReason: str | None


@dataclass(frozen=True)
class CanaryResponse:
    case_id: str
    model_id: str
    completion: str = ""
    latency_ms: float | None = None
    error: str | None = None
    request_id: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    stop_reason: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def to_dict(self) -> ResponseDict:
        out: ResponseDict = {"caseId": self.case_id, "modelId": self.model_id, "completion": self.completion}
        if self.latency_ms is not None:
            out["latencyMs"] = round(self.latency_ms, 1)
        if self.error is not None:
            out["error"] = self.error
        if self.request_id:
            out["requestId"] = self.request_id
        if self.input_tokens is not None:
            out["inputTokens"] = self.input_tokens
        if self.output_tokens is not None:
            out["outputTokens"] = self.output_tokens
        if self.stop_reason:
            out["stopReason"] = self.stop_reason
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: object) -> CanaryResponse:
        """A response from its JSON form; RecordDecodeError names the field that is wrong."""
        if not isinstance(data, Mapping):
            raise RecordDecodeError("not a JSON object")
        case_id, model_id = data.get("caseId"), data.get("modelId")
        if not isinstance(case_id, str) or not case_id:
            raise RecordDecodeError("'caseId' must be a non-empty string")
        if not isinstance(model_id, str) or not model_id:
            raise RecordDecodeError("'modelId' must be a non-empty string")
        error = _optional_str(data, "error")
        completion = data.get("completion")
        if completion is None and error is None:
            raise RecordDecodeError("'completion' is required (or 'error' when the call failed)")
        if completion is not None and not isinstance(completion, str):
            raise RecordDecodeError("'completion' must be a string")
        return cls(
            case_id=identifier(case_id),
            model_id=identifier(model_id),
            completion=completion or "",
            latency_ms=_number(data, "latencyMs"),
            error=error,
            request_id=_optional_str(data, "requestId"),
            input_tokens=_count(data, "inputTokens"),
            output_tokens=_count(data, "outputTokens"),
            stop_reason=_optional_str(data, "stopReason"),
        )


def _optional_str(data: Mapping[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordDecodeError(f"'{key}' must be a string")
    return value or None


def _number(data: Mapping[str, object], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise RecordDecodeError(f"'{key}' must be a finite, non-negative number")
    return float(value)


def _count(data: Mapping[str, object], key: str) -> int | None:
    value = _number(data, key)
    return None if value is None else int(value)


@dataclass(frozen=True)
class Duplicate:
    """A response for a (model, case) pair an earlier line already answered: left out, counted."""

    line: int
    first_line: int  # the line whose response is kept
    model_id: str
    case_id: str


@dataclass
class ReadResult:
    """Responses read from JSON lines, and what could not be used (counted and named, never fatal)."""

    responses: list[CanaryResponse] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    duplicates: list[Duplicate] = field(default_factory=list)


def read_responses(lines: Iterable[bytes | str]) -> ReadResult:
    """Parse JSON lines (blank lines skipped); a bad line is recorded with its number, never raised.

    A file is one run: one response per model and case. A later response for a pair already read is a
    duplicate (two runs concatenated, a retried call appended): the first is kept, the others recorded
    with their line numbers, so a case never counts twice and an appended answer cannot mask a failure.
    """
    result = ReadResult()
    first_lines: dict[tuple[str, str], int] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            response = CanaryResponse.from_dict(json_loads(line))
        except RecursionError:
            result.malformed.append((number, "JSON nested too deeply"))
            continue
        except ValueError as exc:  # JSON errors (and bad UTF-8)
            result.malformed.append((number, f"invalid JSON ({exc.__class__.__name__})"))
            continue
        except RecordDecodeError as exc:
            result.malformed.append((number, str(exc)))
            continue
        first = first_lines.setdefault((response.model_id, response.case_id), number)
        if first != number:
            result.duplicates.append(Duplicate(number, first, response.model_id, response.case_id))
            continue
        result.responses.append(response)
    return result


def write_responses(responses: Iterable[CanaryResponse]) -> Iterator[str]:
    for response in responses:
        yield response.to_json() + "\n"
