"""Request and response bodies in each provider's own shape, one writer per Bedrock body style.

Shapes follow `tests/fixtures/shapes/` and the invocation-log facts in the design notes: InvokeModel bodies
are the provider's native request and response; InvokeModelWithResponseStream logs the provider's stream
chunks as an array whose last chunk carries `amazon-bedrock-invocationMetrics`; Converse and ConverseStream
both log one aggregated Converse-shaped response. Token counts are estimated from the text (four characters
a token) and latencies from the model's speed, so usage and metrics agree with the text.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from examples.generate.conversations import Conversation
from examples.generate.layout import JsonDict
from examples.generate.models import ModelSpec
from examples.generate.traffic import Plan

__all__ = ["Rendered", "random_uuid", "render", "tokens"]

_WORD = re.compile(r"\s*\S+")
_METRICS = "amazon-bedrock-invocationMetrics"
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class Rendered:
    input_body: JsonDict
    output_body: JsonDict | list[JsonDict] | None
    input_tokens: int
    output_tokens: int


def render(rng: random.Random, plan: Plan, conv: Conversation, parts: Sequence[str]) -> Rendered:
    """The bodies of `plan`'s body style; `parts` are the last user message's content parts."""
    spec = plan.require_model()
    style = plan.style
    if style == "anthropic":
        return _anthropic(rng, conv, spec, stream=False, parts=parts)
    if style == "anthropic-stream":
        return _anthropic(rng, conv, spec, stream=True, parts=parts)
    if style == "converse":
        return _converse(rng, conv, spec, parts=parts)
    if style.startswith("nova"):
        return _nova(rng, conv, spec, stream=style.endswith("-stream"))
    if style.startswith("llama"):
        return _llama(rng, conv, spec, stream=style.endswith("-stream"))
    if style.startswith("mistral-chat"):
        return _mistral_chat(rng, conv, spec, stream=style.endswith("-stream"))
    if style.startswith("mistral-inst"):
        return _mistral_inst(rng, conv, spec, stream=style.endswith("-stream"))
    if style.startswith("titan"):
        return _titan(rng, conv, spec, stream=style.endswith("-stream"))
    if style.startswith("cohere"):
        return _cohere(rng, conv, spec, stream=style.endswith("-stream"))
    if style.startswith("deepseek"):
        return _deepseek(rng, conv, spec, stream=style.endswith("-stream"))
    if style.startswith("openai"):
        return _openai(rng, conv, spec, stream=style.endswith("-stream"), created=plan.ts_ms // 1000)
    raise ValueError(f"unknown body style {style!r}")


def tokens(text: str) -> int:
    """A token count estimate: about four characters a token."""
    return max(1, round(len(text) / 4))


def random_uuid(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng` (request ids, Cohere generation ids), reproducible for a seed."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"


def _pieces(rng: random.Random, text: str) -> list[str]:
    """Stream fragments of `text` (a few words each) that join back to it exactly."""
    words = _WORD.findall(text)
    out = []
    i = 0
    while i < len(words):
        k = rng.randint(2, 6)
        out.append("".join(words[i : i + k]))
        i += k
    return out or [text]


def _latency(rng: random.Random, spec: ModelSpec, out_tokens: int) -> tuple[int, int]:
    first = rng.randint(180, 650)
    return first + round(out_tokens * spec.ms_per_token * rng.uniform(0.8, 1.25)), first


def _metrics(i: int, o: int, total: int, first: int) -> JsonDict:
    return {
        "inputTokenCount": i,
        "outputTokenCount": o,
        "invocationLatency": total,
        "firstByteLatency": first,
    }


def _sampling(rng: random.Random) -> tuple[int, float]:
    return rng.choice((1024, 2048, 4096)), rng.choice((0.2, 0.5, 0.7, 1.0))


def _in_tokens(conv: Conversation, overhead: int = 8) -> int:
    text_len = len(conv.system) + len(conv.prompt) + sum(len(q) + len(a) for q, a in conv.history)
    text_len += sum(len(str(d.get("snippet", ""))) for d in conv.documents)
    return overhead + max(1, round(text_len / 4))


def _out_tokens(conv: Conversation) -> int:
    return tokens(conv.completion) + (tokens(conv.reasoning) if conv.reasoning else 0)


def _anthropic(
    rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool, parts: Sequence[str]
) -> Rendered:
    blocks = rng.random() < 0.5
    messages: list[JsonDict] = []
    for q, a in conv.history:
        messages.append({"role": "user", "content": [{"type": "text", "text": q}] if blocks else q})
        messages.append({"role": "assistant", "content": [{"type": "text", "text": a}]})
    if len(parts) > 1 or blocks:
        messages.append({"role": "user", "content": [{"type": "text", "text": p} for p in parts]})
    else:
        messages.append({"role": "user", "content": parts[0]})
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": max_tokens}
    if conv.system:
        body["system"] = conv.system
    body["messages"] = messages
    body["temperature"] = temperature
    i, o = _in_tokens(conv), _out_tokens(conv)
    model_name = "claude-3-5-sonnet-20240620"
    msg_id = "msg_bdrk_01" + "".join(rng.choices(_ALNUM, k=22))
    if not stream:
        out: JsonDict = {
            "id": msg_id,
            "type": "message",
            "role": "assistant",
            "model": model_name,
            "content": [{"type": "text", "text": conv.completion}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": i, "output_tokens": o},
        }
        return Rendered(body, out, i, o)
    total, first = _latency(rng, spec, o)
    chunks: list[JsonDict] = [
        {
            "type": "message_start",
            "message": {
                "id": msg_id,
                "type": "message",
                "role": "assistant",
                "model": model_name,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {"input_tokens": i, "output_tokens": 1},
            },
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    chunks += [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
        for p in _pieces(rng, conv.completion)
    ]
    chunks += [
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": o},
        },
        {"type": "message_stop", _METRICS: _metrics(i, o, total, first)},
    ]
    return Rendered(body, chunks, i, o)


def _converse_messages(conv: Conversation, parts: Sequence[str]) -> list[JsonDict]:
    messages: list[JsonDict] = []
    for q, a in conv.history:
        messages.append({"role": "user", "content": [{"text": q}]})
        messages.append({"role": "assistant", "content": [{"text": a}]})
    messages.append({"role": "user", "content": [{"text": p} for p in parts]})
    return messages


def _converse(rng: random.Random, conv: Conversation, spec: ModelSpec, *, parts: Sequence[str]) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {"messages": _converse_messages(conv, parts)}
    if conv.system:
        body["system"] = [{"text": conv.system}]
    body["inferenceConfig"] = {"maxTokens": max_tokens, "temperature": temperature}
    i, o = _in_tokens(conv), _out_tokens(conv)
    content: list[JsonDict] = []
    if conv.reasoning:
        content.append({"reasoningContent": {"reasoningText": {"text": conv.reasoning}}})
    content.append({"text": conv.completion})
    total, _ = _latency(rng, spec, o)
    out: JsonDict = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "end_turn",
        "metrics": {"latencyMs": total},
        "usage": {"inputTokens": i, "outputTokens": o, "totalTokens": i + o},
    }
    return Rendered(body, out, i, o)


def _nova(rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {"schemaVersion": "messages-v1"}
    if conv.system:
        body["system"] = [{"text": conv.system}]
    body["messages"] = _converse_messages(conv, (conv.prompt,))
    body["inferenceConfig"] = {"maxTokens": max_tokens, "temperature": temperature}
    i, o = _in_tokens(conv), _out_tokens(conv)
    if not stream:
        out: JsonDict = {
            "output": {"message": {"role": "assistant", "content": [{"text": conv.completion}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": i, "outputTokens": o, "totalTokens": i + o},
        }
        return Rendered(body, out, i, o)
    total, first = _latency(rng, spec, o)
    chunks: list[JsonDict] = [{"messageStart": {"role": "assistant"}}]
    chunks += [
        {"contentBlockDelta": {"delta": {"text": p}, "contentBlockIndex": 0}} for p in _pieces(rng, conv.completion)
    ]
    chunks += [
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "end_turn"}},
        {
            "metadata": {"usage": {"inputTokens": i, "outputTokens": o}, "metrics": {}, "trace": {}},
            _METRICS: _metrics(i, o, total, first),
        },
    ]
    return Rendered(body, chunks, i, o)


def _llama_prompt(conv: Conversation) -> str:
    out = ["<|begin_of_text|>"]
    if conv.system:
        out.append(f"<|start_header_id|>system<|end_header_id|>\n\n{conv.system}<|eot_id|>")
    for q, a in conv.history:
        out.append(f"<|start_header_id|>user<|end_header_id|>\n\n{q}<|eot_id|>")
        out.append(f"<|start_header_id|>assistant<|end_header_id|>\n\n{a}<|eot_id|>")
    out.append(f"<|start_header_id|>user<|end_header_id|>\n\n{conv.prompt}<|eot_id|>")
    out.append("<|start_header_id|>assistant<|end_header_id|>\n\n")
    return "".join(out)


def _llama(rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {
        "prompt": _llama_prompt(conv),
        "max_gen_len": max_tokens,
        "temperature": temperature,
        "top_p": 0.9,
    }
    i, o = _in_tokens(conv, 20), _out_tokens(conv)
    if not stream:
        out: JsonDict = {
            "generation": conv.completion,
            "prompt_token_count": i,
            "generation_token_count": o,
            "stop_reason": "stop",
        }
        return Rendered(body, out, i, o)
    total, first = _latency(rng, spec, o)
    pieces = _pieces(rng, conv.completion)
    chunks: list[JsonDict] = []
    for n, p in enumerate(pieces):
        last = n == len(pieces) - 1
        chunk: JsonDict = {
            "generation": p,
            "prompt_token_count": i if n == 0 else None,
            "generation_token_count": o if last else max(1, round(o * (n + 1) / len(pieces))),
            "stop_reason": "stop" if last else None,
        }
        if last:
            chunk[_METRICS] = _metrics(i, o, total, first)
        chunks.append(chunk)
    return Rendered(body, chunks, i, o)


def _chat_messages(conv: Conversation, system_role: str) -> list[JsonDict]:
    messages: list[JsonDict] = []
    if conv.system:
        messages.append({"role": system_role, "content": conv.system})
    for q, a in conv.history:
        messages.append({"role": "user", "content": q})
        messages.append({"role": "assistant", "content": a})
    messages.append({"role": "user", "content": conv.prompt})
    return messages


def _mistral_chat(rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {
        "messages": _chat_messages(conv, "system"),
        "max_tokens": max_tokens,
        "temperature": temperature,
    }
    i, o = _in_tokens(conv), _out_tokens(conv)
    if not stream:
        out: JsonDict = {
            "id": f"{rng.getrandbits(128):032x}",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": conv.completion},
                    "stop_reason": "stop",
                }
            ],
        }
        return Rendered(body, out, i, o)
    total, first = _latency(rng, spec, o)
    pieces = _pieces(rng, conv.completion)
    chunks: list[JsonDict] = []
    for n, p in enumerate(pieces):
        last = n == len(pieces) - 1
        chunk: JsonDict = {
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": p},
                    "stop_reason": "stop" if last else None,
                }
            ]
        }
        if last:
            chunk[_METRICS] = _metrics(i, o, total, first)
        chunks.append(chunk)
    return Rendered(body, chunks, i, o)


def _mistral_inst(rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {
        "prompt": f"<s>[INST] {conv.prompt} [/INST]",
        "max_tokens": max_tokens,
        "temperature": temperature,
    }
    i, o = _in_tokens(conv), _out_tokens(conv)
    text = " " + conv.completion
    if not stream:
        return Rendered(body, {"outputs": [{"text": text, "stop_reason": "stop"}]}, i, o)
    total, first = _latency(rng, spec, o)
    pieces = _pieces(rng, text)
    chunks: list[JsonDict] = []
    for n, p in enumerate(pieces):
        last = n == len(pieces) - 1
        chunk: JsonDict = {"outputs": [{"text": p, "stop_reason": "stop" if last else None}]}
        if last:
            chunk[_METRICS] = _metrics(i, o, total, first)
        chunks.append(chunk)
    return Rendered(body, chunks, i, o)


def _titan(rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {
        "inputText": f"User: {conv.prompt}\nBot:",
        "textGenerationConfig": {
            "maxTokenCount": max_tokens,
            "temperature": temperature,
            "topP": 0.9,
            "stopSequences": [],
        },
    }
    i, o = _in_tokens(conv, 4), _out_tokens(conv)
    text = "\n" + conv.completion
    if not stream:
        out: JsonDict = {
            "inputTextTokenCount": i,
            "results": [{"tokenCount": o, "outputText": text, "completionReason": "FINISH"}],
        }
        return Rendered(body, out, i, o)
    total, first = _latency(rng, spec, o)
    pieces = _pieces(rng, text)
    chunks: list[JsonDict] = []
    for n, p in enumerate(pieces):
        last = n == len(pieces) - 1
        chunk: JsonDict = {
            "outputText": p,
            "index": 0,
            "totalOutputTextTokenCount": o if last else max(1, round(o * (n + 1) / len(pieces))),
            "completionReason": "FINISH" if last else None,
        }
        if n == 0:
            chunk["inputTextTokenCount"] = i
        if last:
            chunk[_METRICS] = _metrics(i, o, total, first)
        chunks.append(chunk)
    return Rendered(body, chunks, i, o)


def _cohere(rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {"message": conv.prompt}
    if conv.system:
        body["preamble"] = conv.system
    if conv.history:
        body["chat_history"] = [
            turn
            for q, a in conv.history
            for turn in ({"role": "USER", "message": q}, {"role": "CHATBOT", "message": a})
        ]
    if conv.documents:
        body["documents"] = conv.documents
    body["max_tokens"] = max_tokens
    body["temperature"] = temperature
    i, o = _in_tokens(conv), _out_tokens(conv)
    generation_id = random_uuid(rng)
    if not stream:
        out: JsonDict = {
            "response_id": random_uuid(rng),
            "text": conv.completion,
            "generation_id": generation_id,
            "finish_reason": "COMPLETE",
            "chat_history": [],
            "meta": {
                "api_version": {"version": "1"},
                "billed_units": {"input_tokens": i, "output_tokens": o},
            },
        }
        return Rendered(body, out, i, o)
    total, first = _latency(rng, spec, o)
    chunks: list[JsonDict] = [{"is_finished": False, "event_type": "stream-start", "generation_id": generation_id}]
    chunks += [
        {"is_finished": False, "event_type": "text-generation", "text": p} for p in _pieces(rng, conv.completion)
    ]
    chunks.append(
        {
            "is_finished": True,
            "event_type": "stream-end",
            "finish_reason": "COMPLETE",
            "response": {"text": conv.completion},
            _METRICS: _metrics(i, o, total, first),
        }
    )
    return Rendered(body, chunks, i, o)


def _deepseek_prompt(conv: Conversation) -> str:
    out = ["<｜begin▁of▁sentence｜>", conv.system]
    for q, a in conv.history:
        out.append(f"<｜User｜>{q}<｜Assistant｜>{a}<｜end▁of▁sentence｜>")
    out.append(f"<｜User｜>{conv.prompt}<｜Assistant｜><think>\n")
    return "".join(out)


def _deepseek(rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {
        "prompt": _deepseek_prompt(conv),
        "max_tokens": max_tokens,
        "temperature": temperature,
        "top_p": 0.9,
    }
    i, o = _in_tokens(conv, 12), _out_tokens(conv)
    text = f"{conv.reasoning}\n</think>\n\n{conv.completion}"
    if not stream:
        return Rendered(body, {"choices": [{"text": text, "stop_reason": "stop"}]}, i, o)
    total, first = _latency(rng, spec, o)
    pieces = _pieces(rng, text)
    chunks: list[JsonDict] = []
    for n, p in enumerate(pieces):
        last = n == len(pieces) - 1
        chunk: JsonDict = {"choices": [{"text": p, "stop_reason": "stop" if last else None}]}
        if last:
            chunk[_METRICS] = _metrics(i, o, total, first)
        chunks.append(chunk)
    return Rendered(body, chunks, i, o)


def _openai(rng: random.Random, conv: Conversation, spec: ModelSpec, *, stream: bool, created: int) -> Rendered:
    max_tokens, temperature = _sampling(rng)
    body: JsonDict = {
        "messages": _chat_messages(conv, rng.choice(("developer", "system"))),
        "max_completion_tokens": max_tokens,
        "temperature": temperature,
    }
    i, o = _in_tokens(conv), _out_tokens(conv)
    if not stream:
        message: JsonDict = {"role": "assistant", "content": conv.completion}
        if conv.reasoning:
            message["reasoning_content"] = conv.reasoning
        out: JsonDict = {
            "id": f"chatcmpl-{rng.getrandbits(96):024x}",
            "object": "chat.completion",
            "created": created,
            "model": spec.model_id,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": i, "completion_tokens": o, "total_tokens": i + o},
        }
        return Rendered(body, out, i, o)
    total, first = _latency(rng, spec, o)
    chunks: list[JsonDict] = [{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}]
    pieces = _pieces(rng, conv.completion)
    for n, p in enumerate(pieces):
        last = n == len(pieces) - 1
        choice: JsonDict = {"index": 0, "delta": {"content": p}}
        if last:
            choice["finish_reason"] = "stop"
        chunk: JsonDict = {"choices": [choice]}
        if last:
            chunk[_METRICS] = _metrics(i, o, total, first)
        chunks.append(chunk)
    return Rendered(body, chunks, i, o)
