"""The normalised record: one text generation, whatever the provider or operation.

This is the wire format between the dispatcher and the monitors (one Kinesis record each), the output of
`llm-monitor parse` and the input of `llm-monitor score`. Keys are camelCase on the wire; the field set is
a contract, so adding a field is fine and renaming one is not.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TypedDict

from shared.errors import DATA_ERRORS, RecordDecodeError, describe_data_error
from shared.untrusted_json import loads as json_loads


class RecordDict(TypedDict, total=False):
    """The record as JSON (camelCase keys)."""

    requestId: str
    timestamp: str
    modelId: str
    operation: str
    prompt: str
    system: str
    completion: str
    inputTokens: int | None
    outputTokens: int | None
    latencyMs: int | None
    requestMetadata: dict[str, str]
    truncated: bool
    contentBlocks: dict[str, int]
    stopReason: str | None
    errorCode: str | None
    bodyShape: str


@dataclass(frozen=True, slots=True)
class InvocationRecord:
    """One prompt/completion pair.

    `prompt` is the user's words in the latest user turn with chat-template markup removed; `system` is
    the system prompt kept apart; `completion` is all assistant text in order. `content_blocks` counts the
    non-text blocks (tool use, images, documents, reasoning) that neither side's text includes.
    `truncated` is set when this project shortened a text field to fit a size limit.
    """

    request_id: str
    timestamp: str = ""
    model_id: str = ""
    operation: str = ""
    prompt: str = ""
    system: str = ""
    completion: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: int | None = None
    request_metadata: Mapping[str, str] = field(default_factory=dict)
    truncated: bool = False
    content_blocks: Mapping[str, int] = field(default_factory=dict)
    stop_reason: str | None = None
    error_code: str | None = None
    body_shape: str = ""

    def to_dict(self) -> RecordDict:
        return {
            "requestId": self.request_id,
            "timestamp": self.timestamp,
            "modelId": self.model_id,
            "operation": self.operation,
            "prompt": self.prompt,
            "system": self.system,
            "completion": self.completion,
            "inputTokens": self.input_tokens,
            "outputTokens": self.output_tokens,
            "latencyMs": self.latency_ms,
            "requestMetadata": dict(self.request_metadata),
            "truncated": self.truncated,
            "contentBlocks": dict(self.content_blocks),
            "stopReason": self.stop_reason,
            "errorCode": self.error_code,
            "bodyShape": self.body_shape,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, object], *, default_id: str = "") -> InvocationRecord:
        """Build a record from its JSON form; only `prompt` or `completion` is required.

        `llm-monitor score` accepts hand-written lines with just a prompt and a completion, so missing
        keys take defaults; a wrong type is a decode error that names the key (never the text).
        """
        if not isinstance(data, Mapping):
            raise RecordDecodeError("record is not a JSON object")
        if "prompt" not in data and "completion" not in data:
            raise RecordDecodeError("record has neither 'prompt' nor 'completion'")

        def text(key: str) -> str:
            value = data.get(key)
            if value is None:
                return ""
            if not isinstance(value, str):
                raise RecordDecodeError(f"'{key}' must be a string")
            return value

        def count(key: str) -> int | None:
            value = data.get(key)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise RecordDecodeError(f"'{key}' must be a number")
            if not math.isfinite(value) or value < 0:
                raise RecordDecodeError(f"'{key}' must be a finite, non-negative number")
            return int(value)

        def strings(key: str) -> dict[str, str]:
            value = data.get(key) or {}
            if not isinstance(value, Mapping) or not all(isinstance(v, (str, int, float)) for v in value.values()):
                raise RecordDecodeError(f"'{key}' must be an object of strings")
            return {str(k): str(v) for k, v in value.items()}

        def counts(key: str) -> dict[str, int]:
            value = data.get(key) or {}
            if not isinstance(value, Mapping):
                raise RecordDecodeError(f"'{key}' must be an object of counts")
            out: dict[str, int] = {}
            for name, n in value.items():
                if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                    raise RecordDecodeError(f"'{key}' must be an object of counts")
                out[str(name)] = n
            return out

        def flag(key: str) -> bool:
            value = data.get(key, False)
            if value is None or isinstance(value, bool):
                return bool(value)
            raise RecordDecodeError(f"'{key}' must be true or false")

        request_id = text("requestId") or default_id
        return cls(
            request_id=request_id,
            timestamp=text("timestamp"),
            model_id=text("modelId"),
            operation=text("operation"),
            prompt=text("prompt"),
            system=text("system"),
            completion=text("completion"),
            input_tokens=count("inputTokens"),
            output_tokens=count("outputTokens"),
            latency_ms=count("latencyMs"),
            request_metadata=strings("requestMetadata"),
            truncated=flag("truncated"),
            content_blocks=counts("contentBlocks"),
            stop_reason=text("stopReason") or None,
            error_code=text("errorCode") or None,
            body_shape=text("bodyShape"),
        )

    @classmethod
    def from_json(cls, line: str | bytes, *, default_id: str = "") -> InvocationRecord:
        try:
            data = json_loads(line)
        except RecursionError:
            raise RecordDecodeError("JSON nested too deeply") from None
        except ValueError as exc:  # incl. UnicodeDecodeError
            raise RecordDecodeError(f"invalid JSON ({exc.__class__.__name__})") from None
        if not isinstance(data, Mapping):
            raise RecordDecodeError("record is not a JSON object")
        try:
            return cls.from_dict(data, default_id=default_id)
        except RecordDecodeError:
            raise
        except DATA_ERRORS as exc:  # a shape from_dict did not foresee: still a decode error, never a crash
            raise RecordDecodeError(describe_data_error(exc)) from None

    def with_changes(self, **changes: object) -> InvocationRecord:
        # Field names chosen at run time (truncation); mypy's dataclass plugin checks replace() per keyword.
        return replace(self, **changes)  # type: ignore[arg-type]
