"""Request and response bodies recognised by their shape, not by the model id.

Model ids arrive as base ids, inference-profile ids or ARNs (application inference profiles carry no
provider name at all), so the body is the only reliable witness of its format. Each reader is total:
given something it does not understand it says so (returns None) instead of raising.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypedDict

from shared.parsing.content import Counts, bump, content_text, strip_reasoning
from shared.parsing.templates import split_prompt


class BodyShape(StrEnum):
    """Output body families. The value is what records carry in `bodyShape`."""

    ANTHROPIC_MESSAGES = "anthropic-messages"
    ANTHROPIC_COMPLETIONS = "anthropic-completions"
    CONVERSE = "converse"  # Converse, ConverseStream and Amazon Nova's native format
    TITAN_TEXT = "titan-text"
    LLAMA = "llama"
    MISTRAL_COMPLETIONS = "mistral-completions"
    CHAT_COMPLETIONS = "chat-completions"  # Mistral chat, AI21 Jamba, OpenAI-compatible models
    TEXT_CHOICES = "text-choices"  # DeepSeek
    COHERE_CHAT = "cohere-chat"
    COHERE_GENERATE = "cohere-generate"


class NotGeneration(StrEnum):
    EMBEDDING = "embedding"
    IMAGE = "image"


@dataclass(slots=True)
class PromptText:
    user: str = ""
    system: str = ""
    blocks: Counts = field(default_factory=dict)


@dataclass(slots=True)
class CompletionText:
    shape: BodyShape
    parts: list[str] = field(default_factory=list)
    blocks: Counts = field(default_factory=dict)
    stop_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: int | None = None

    def text(self, separator: str = "\n") -> str:
        return separator.join(p for p in self.parts if p)


# --------------------------------------------------------------------------------------------- input


_IMAGE_TASKS = frozenset(
    {
        "TEXT_IMAGE",
        "IMAGE_VARIATION",
        "INPAINTING",
        "OUTPAINTING",
        "COLOR_GUIDED_GENERATION",
        "BACKGROUND_REMOVAL",
        "VIRTUAL_TRY_ON",
        "TEXT_VIDEO",
        "MULTI_SHOT_AUTOMATED",
        "MULTI_SHOT_MANUAL",
    }
)


def input_not_generation(body: object) -> NotGeneration | None:
    """What a request body alone proves is not a text generation (so offloaded outputs need no fetch)."""
    if not isinstance(body, dict):
        return None
    if body.get("taskType") in _IMAGE_TASKS or "text_prompts" in body or "textToImageParams" in body:
        return NotGeneration.IMAGE
    if "texts" in body and "messages" not in body and "message" not in body:
        return NotGeneration.EMBEDDING  # Cohere Embed
    if "inputImage" in body and "inputText" not in body:
        return NotGeneration.EMBEDDING  # Titan multimodal embeddings, image only
    if "dimensions" in body and "inputText" in body and "textGenerationConfig" not in body:
        return NotGeneration.EMBEDDING  # Titan Text Embeddings V2
    return None


def read_prompt(body: object) -> PromptText | None:
    """The latest user turn and the system prompt of a request body; None for an unknown shape."""
    if not isinstance(body, dict):
        return None
    messages = body.get("messages")
    if isinstance(messages, list):
        return _chat_prompt(body, messages)
    prompt = body.get("prompt")
    if isinstance(prompt, str):
        parts = split_prompt(prompt)
        return PromptText(parts.user, parts.system)
    input_text = body.get("inputText")
    if isinstance(input_text, str):
        parts = split_prompt(input_text)
        return PromptText(parts.user, parts.system)
    message = body.get("message")
    if isinstance(message, str):  # Cohere Command R
        preamble = body.get("preamble")
        blocks: Counts = {}
        documents = body.get("documents")
        if isinstance(documents, list) and documents:
            bump(blocks, "document", len(documents))
        return PromptText(message.strip(), preamble.strip() if isinstance(preamble, str) else "", blocks)
    return None


def _chat_prompt(body: Mapping[str, object], messages: list[object]) -> PromptText:
    ignored: Counts = {}
    system_parts: list[str] = []
    top_system = body.get("system")
    if top_system is not None:
        system_parts.append(content_text(top_system, ignored))
    for message in messages:
        if isinstance(message, dict) and message.get("role") in ("system", "developer"):
            system_parts.append(content_text(message.get("content"), ignored))

    turns = [m for m in messages if isinstance(m, dict)]
    # An assistant message at the end is a prefill: the latest user turn comes before it.
    while turns and turns[-1].get("role") == "assistant":
        turns.pop()
    # The latest turn is the run of user messages after the last assistant message.
    start = len(turns)
    while start > 0 and turns[start - 1].get("role") == "user":
        start -= 1
    blocks: Counts = {}
    user = "\n".join(t for t in (content_text(m.get("content"), blocks) for m in turns[start:]) if t).strip()
    if not user:
        # A turn of tool results only: the user's words are in the most recent user message with text.
        for message in reversed(turns[:start]):
            if message.get("role") == "user":
                user = content_text(message.get("content"), ignored).strip()
                if user:
                    break
    system = "\n".join(p for p in system_parts if p).strip()
    return PromptText(user, system, blocks)


# -------------------------------------------------------------------------------------------- output


def output_not_generation(body: object) -> NotGeneration | None:
    if isinstance(body, dict):
        if "embedding" in body or "embeddings" in body or "embeddingsByType" in body:
            return NotGeneration.EMBEDDING
        if "images" in body or "artifacts" in body or "video" in body:
            return NotGeneration.IMAGE
    return None


def read_completion(body: object) -> CompletionText | None:
    """All assistant text of a response body (an object) or a logged stream (a list of chunks)."""
    if isinstance(body, list):
        return _read_stream(body)
    if not isinstance(body, dict):
        return None
    for shape, matches, reader in _BODY_READERS:
        if matches(body):
            out = CompletionText(shape)
            reader(body, out)
            return out
    return None


def finite_count(value: object) -> int | None:
    """A count or duration from a body: a finite, non-negative number, else None (NaN, Infinity, a
    negative number or a string is not a count; the rest of the record is still good)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value) if value >= 0 else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: object) -> list[object]:
    """`value` if it is an array, else an empty one (readers call it where their matcher checked it is)."""
    return value if isinstance(value, list) else []


def _object(value: object) -> Mapping[str, object]:
    """`value` if it is an object, else an empty one (readers call it where their matcher checked it is)."""
    return value if isinstance(value, dict) else {}


def _anthropic_message(body: Mapping[str, object], out: CompletionText) -> None:
    out.parts.append(content_text(body["content"], out.blocks))
    out.stop_reason = _str(body.get("stop_reason"))
    usage = body.get("usage")
    if isinstance(usage, dict):
        out.input_tokens = finite_count(usage.get("input_tokens"))
        out.output_tokens = finite_count(usage.get("output_tokens"))


def _anthropic_completion(body: Mapping[str, object], out: CompletionText) -> None:
    out.parts.append(_str(body["completion"]) or "")
    out.stop_reason = _str(body.get("stop_reason"))


def _converse(body: Mapping[str, object], out: CompletionText) -> None:
    message = _object(_object(body["output"])["message"])
    out.parts.append(content_text(message.get("content"), out.blocks))
    out.stop_reason = _str(body.get("stopReason"))
    usage = body.get("usage")
    if isinstance(usage, dict):
        out.input_tokens = finite_count(usage.get("inputTokens"))
        out.output_tokens = finite_count(usage.get("outputTokens"))
    metrics = body.get("metrics")
    if isinstance(metrics, dict):
        out.latency_ms = finite_count(metrics.get("latencyMs"))


def _titan(body: Mapping[str, object], out: CompletionText) -> None:
    for result in _list(body["results"]):
        if isinstance(result, dict):
            out.parts.append(_str(result.get("outputText")) or "")
            out.stop_reason = _str(result.get("completionReason")) or out.stop_reason
            out.output_tokens = finite_count(result.get("tokenCount")) or out.output_tokens
    out.input_tokens = finite_count(body.get("inputTextTokenCount"))


def _llama(body: Mapping[str, object], out: CompletionText) -> None:
    out.parts.append(_str(body["generation"]) or "")
    out.stop_reason = _str(body.get("stop_reason"))
    out.input_tokens = finite_count(body.get("prompt_token_count"))
    out.output_tokens = finite_count(body.get("generation_token_count"))


def _mistral(body: Mapping[str, object], out: CompletionText) -> None:
    for item in _list(body["outputs"]):
        if isinstance(item, dict):
            out.parts.append(_str(item.get("text")) or "")
            out.stop_reason = _str(item.get("stop_reason")) or out.stop_reason


def _first_choice(body: Mapping[str, object]) -> Mapping[str, object] | None:
    choices = [c for c in _list(body["choices"]) if isinstance(c, dict)]
    for choice in choices:
        if choice.get("index", 0) == 0:
            return choice
    return choices[0] if choices else None


def _chat_completion(body: Mapping[str, object], out: CompletionText) -> None:
    choice = _first_choice(body)
    if choice is not None:
        _chat_message(choice.get("message") or choice.get("delta"), out)
        out.stop_reason = _str(choice.get("finish_reason")) or _str(choice.get("stop_reason"))
    usage = body.get("usage")
    if isinstance(usage, dict):
        out.input_tokens = finite_count(usage.get("prompt_tokens"))
        out.output_tokens = finite_count(usage.get("completion_tokens"))


def _chat_message(message: object, out: CompletionText) -> None:
    if not isinstance(message, dict):
        return
    text = content_text(message.get("content"), out.blocks)
    out.parts.append(strip_reasoning(text, out.blocks))
    tool_calls = message.get("tool_calls")
    if isinstance(tool_calls, list):
        bump(out.blocks, "toolUse", len(tool_calls))
    if message.get("reasoning_content") or message.get("reasoning"):
        bump(out.blocks, "reasoning", 1)


def _text_choices(body: Mapping[str, object], out: CompletionText) -> None:
    choice = _first_choice(body)
    if choice is not None:
        out.parts.append(strip_reasoning(_str(choice.get("text")) or "", out.blocks))
        out.stop_reason = _str(choice.get("stop_reason")) or _str(choice.get("finish_reason"))


def _cohere_chat(body: Mapping[str, object], out: CompletionText) -> None:
    out.parts.append(_str(body["text"]) or "")
    out.stop_reason = _str(body.get("finish_reason"))
    tool_calls = body.get("tool_calls")
    if isinstance(tool_calls, list):
        bump(out.blocks, "toolUse", len(tool_calls))
    meta = body.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("billed_units"), dict):
        out.input_tokens = finite_count(meta["billed_units"].get("input_tokens"))
        out.output_tokens = finite_count(meta["billed_units"].get("output_tokens"))


def _cohere_generate(body: Mapping[str, object], out: CompletionText) -> None:
    generations = [g for g in _list(body["generations"]) if isinstance(g, dict)]
    if generations:
        out.parts.append(_str(generations[0].get("text")) or "")
        out.stop_reason = _str(generations[0].get("finish_reason"))


def _is_choices(body: Mapping[str, object], key: str) -> bool:
    choices = body.get("choices")
    return isinstance(choices, list) and any(isinstance(c, dict) and key in c for c in choices)


def _is_converse(body: Mapping[str, object]) -> bool:
    output = body.get("output")
    return isinstance(output, dict) and isinstance(output.get("message"), dict)


_BodyReader = Callable[[Mapping[str, object], CompletionText], None]
_BODY_READERS: tuple[tuple[BodyShape, Callable[[Mapping[str, object]], bool], _BodyReader], ...] = (
    (
        BodyShape.ANTHROPIC_MESSAGES,
        lambda b: isinstance(b.get("content"), list) and (b.get("type") == "message" or b.get("role") == "assistant"),
        _anthropic_message,
    ),
    (BodyShape.CONVERSE, _is_converse, _converse),
    (BodyShape.TITAN_TEXT, lambda b: isinstance(b.get("results"), list), _titan),
    (BodyShape.ANTHROPIC_COMPLETIONS, lambda b: isinstance(b.get("completion"), str), _anthropic_completion),
    (BodyShape.LLAMA, lambda b: isinstance(b.get("generation"), str), _llama),
    (BodyShape.MISTRAL_COMPLETIONS, lambda b: isinstance(b.get("outputs"), list), _mistral),
    (BodyShape.CHAT_COMPLETIONS, lambda b: _is_choices(b, "message") or _is_choices(b, "delta"), _chat_completion),
    (BodyShape.TEXT_CHOICES, lambda b: _is_choices(b, "text"), _text_choices),
    (BodyShape.COHERE_GENERATE, lambda b: isinstance(b.get("generations"), list), _cohere_generate),
    (BodyShape.COHERE_CHAT, lambda b: isinstance(b.get("text"), str), _cohere_chat),
)


# -------------------------------------------------------------------------------------------- streams

_ANTHROPIC_EVENTS = frozenset(
    {
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    }
)
_CONVERSE_EVENTS = frozenset(
    {"messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"}
)
_METRICS_KEY = "amazon-bedrock-invocationMetrics"


def _stream_shape(chunk: Mapping[str, object]) -> BodyShape | None:
    if chunk.get("type") in _ANTHROPIC_EVENTS:
        return BodyShape.ANTHROPIC_MESSAGES
    if _CONVERSE_EVENTS.intersection(chunk):
        return BodyShape.CONVERSE
    if "outputText" in chunk:
        return BodyShape.TITAN_TEXT
    if isinstance(chunk.get("completion"), str):
        return BodyShape.ANTHROPIC_COMPLETIONS
    if "generation" in chunk:
        return BodyShape.LLAMA
    if isinstance(chunk.get("outputs"), list):
        return BodyShape.MISTRAL_COMPLETIONS
    if _is_choices(chunk, "message") or _is_choices(chunk, "delta"):
        return BodyShape.CHAT_COMPLETIONS
    if _is_choices(chunk, "text"):
        return BodyShape.TEXT_CHOICES
    if "event_type" in chunk:
        return BodyShape.COHERE_CHAT
    if "is_finished" in chunk or isinstance(chunk.get("generations"), list):
        return BodyShape.COHERE_GENERATE
    return None


class _StreamState(TypedDict, total=False):
    """What a chunk reader remembers between the chunks of one stream."""

    text_blocks: int  # Anthropic text blocks started so far
    text_index: object  # Converse: content block index of the text being streamed
    reasoning_index: object  # Converse: content block index of the reasoning block counted last
    reasoning: bool  # chat completions: a reasoning block was counted


def _read_stream(chunks: list[object]) -> CompletionText | None:
    dict_chunks = [c for c in chunks if isinstance(c, dict)]
    shape = next((s for s in map(_stream_shape, dict_chunks) if s is not None), None)
    if shape is None:
        return None
    out = CompletionText(shape)
    reader = _CHUNK_READERS[shape]
    state: _StreamState = {}
    for chunk in dict_chunks:
        reader(chunk, out, state)
        metrics = chunk.get(_METRICS_KEY)
        if isinstance(metrics, dict):
            out.latency_ms = finite_count(metrics.get("invocationLatency"))
            out.input_tokens = finite_count(metrics.get("inputTokenCount")) or out.input_tokens
            out.output_tokens = finite_count(metrics.get("outputTokenCount")) or out.output_tokens
    # Stream fragments join without separators; block boundaries were marked with "\n" by the readers.
    out.parts = ["".join(out.parts)]
    if shape in (BodyShape.CHAT_COMPLETIONS, BodyShape.TEXT_CHOICES):
        out.parts = [strip_reasoning(out.parts[0], out.blocks)]
    return out


def _anthropic_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    kind = chunk.get("type")
    if kind == "content_block_start":
        block = chunk.get("content_block")
        block_type = block.get("type") if isinstance(block, dict) else None
        if block_type == "text":
            if state.get("text_blocks"):
                out.parts.append("\n")
            state["text_blocks"] = state.get("text_blocks", 0) + 1
            if isinstance(block, dict) and block.get("text"):
                out.parts.append(block["text"])
        elif block_type is not None:
            content_text([block], out.blocks)
    elif kind == "content_block_delta":
        delta = chunk.get("delta")
        if isinstance(delta, dict) and delta.get("type") == "text_delta":
            out.parts.append(_str(delta.get("text")) or "")
    elif kind == "message_start":
        message = chunk.get("message")
        usage = message.get("usage") if isinstance(message, dict) else None
        if isinstance(usage, dict):
            out.input_tokens = finite_count(usage.get("input_tokens"))
    elif kind == "message_delta":
        delta = chunk.get("delta")
        if isinstance(delta, dict):
            out.stop_reason = _str(delta.get("stop_reason")) or out.stop_reason
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            out.output_tokens = finite_count(usage.get("output_tokens")) or out.output_tokens


def _converse_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    start = chunk.get("contentBlockStart")
    if isinstance(start, dict):
        inner = start.get("start")
        if isinstance(inner, dict):
            content_text([inner], out.blocks)
    delta_event = chunk.get("contentBlockDelta")
    if isinstance(delta_event, dict):
        delta = delta_event.get("delta")
        index = delta_event.get("contentBlockIndex", 0)
        if isinstance(delta, dict):
            if isinstance(delta.get("text"), str):
                if state.get("text_index", index) != index:
                    out.parts.append("\n")
                state["text_index"] = index
                out.parts.append(delta["text"])
            elif "reasoningContent" in delta and state.get("reasoning_index") != index:
                state["reasoning_index"] = index
                bump(out.blocks, "reasoning", 1)
    stop = chunk.get("messageStop")
    if isinstance(stop, dict):
        out.stop_reason = _str(stop.get("stopReason"))
    metadata = chunk.get("metadata")
    if isinstance(metadata, dict):
        usage = metadata.get("usage")
        if isinstance(usage, dict):
            out.input_tokens = finite_count(usage.get("inputTokens"))
            out.output_tokens = finite_count(usage.get("outputTokens"))
        metrics = metadata.get("metrics")
        if isinstance(metrics, dict):
            out.latency_ms = finite_count(metrics.get("latencyMs"))


def _titan_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    out.parts.append(_str(chunk.get("outputText")) or "")
    out.stop_reason = _str(chunk.get("completionReason")) or out.stop_reason
    out.input_tokens = finite_count(chunk.get("inputTextTokenCount")) or out.input_tokens
    out.output_tokens = finite_count(chunk.get("totalOutputTextTokenCount")) or out.output_tokens


def _anthropic_completion_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    out.parts.append(_str(chunk.get("completion")) or "")
    out.stop_reason = _str(chunk.get("stop_reason")) or out.stop_reason


def _llama_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    out.parts.append(_str(chunk.get("generation")) or "")
    out.stop_reason = _str(chunk.get("stop_reason")) or out.stop_reason
    out.input_tokens = finite_count(chunk.get("prompt_token_count")) or out.input_tokens
    out.output_tokens = finite_count(chunk.get("generation_token_count")) or out.output_tokens


def _mistral_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    outputs = chunk.get("outputs")
    if isinstance(outputs, list):
        for item in outputs:
            if isinstance(item, dict):
                out.parts.append(_str(item.get("text")) or "")
                out.stop_reason = _str(item.get("stop_reason")) or out.stop_reason


def _chat_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    if not isinstance(chunk.get("choices"), list):
        return
    choice = _first_choice(chunk)
    if choice is None:
        return
    message = choice.get("delta") or choice.get("message")
    if isinstance(message, dict):
        content = message.get("content")
        if isinstance(content, str):
            out.parts.append(content)
        tool_calls = message.get("tool_calls")
        if isinstance(tool_calls, list):
            # A tool call streams over many chunks; each new call has an id.
            bump(out.blocks, "toolUse", sum(1 for call in tool_calls if isinstance(call, dict) and call.get("id")))
        if (message.get("reasoning_content") or message.get("reasoning")) and not state.get("reasoning"):
            state["reasoning"] = True
            bump(out.blocks, "reasoning", 1)
    out.stop_reason = _str(choice.get("finish_reason")) or _str(choice.get("stop_reason")) or out.stop_reason


def _text_choices_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    if not isinstance(chunk.get("choices"), list):
        return
    choice = _first_choice(chunk)
    if choice is not None:
        out.parts.append(_str(choice.get("text")) or "")
        out.stop_reason = _str(choice.get("stop_reason")) or _str(choice.get("finish_reason")) or out.stop_reason


def _cohere_chat_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    event = chunk.get("event_type")
    if event == "text-generation":
        out.parts.append(_str(chunk.get("text")) or "")
    elif event == "tool-calls-generation":
        calls = chunk.get("tool_calls")
        bump(out.blocks, "toolUse", len(calls) if isinstance(calls, list) else 1)
    elif event == "stream-end":
        out.stop_reason = _str(chunk.get("finish_reason"))


def _cohere_generate_chunk(chunk: Mapping[str, object], out: CompletionText, state: _StreamState) -> None:
    if chunk.get("is_finished"):
        out.stop_reason = _str(chunk.get("finish_reason"))
        return
    out.parts.append(_str(chunk.get("text")) or "")


_ChunkReader = Callable[[Mapping[str, object], CompletionText, _StreamState], None]
_CHUNK_READERS: dict[BodyShape, _ChunkReader] = {
    BodyShape.ANTHROPIC_MESSAGES: _anthropic_chunk,
    BodyShape.CONVERSE: _converse_chunk,
    BodyShape.TITAN_TEXT: _titan_chunk,
    BodyShape.ANTHROPIC_COMPLETIONS: _anthropic_completion_chunk,
    BodyShape.LLAMA: _llama_chunk,
    BodyShape.MISTRAL_COMPLETIONS: _mistral_chunk,
    BodyShape.CHAT_COMPLETIONS: _chat_chunk,
    BodyShape.TEXT_CHOICES: _text_choices_chunk,
    BodyShape.COHERE_CHAT: _cohere_chat_chunk,
    BodyShape.COHERE_GENERATE: _cohere_generate_chunk,
}
