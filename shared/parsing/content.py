"""Text out of content blocks, whatever the provider calls them.

Anthropic blocks carry a `type` ("text", "tool_use", "image", "thinking", ...); Converse and Nova blocks are
single-key objects ({"text": ...}, {"toolUse": ...}, {"reasoningContent": ...}); OpenAI-style content is a
string or a list of {"type": "text" | "image_url"}. Non-text blocks are counted, not scored.
"""

from __future__ import annotations

import re

# Block type (Anthropic / OpenAI style "type" values, and Converse/Nova keys) -> counted kind.
_TYPED_BLOCKS = {
    "image": "image",
    "image_url": "image",
    "input_image": "image",
    "document": "document",
    "file": "document",
    "tool_use": "toolUse",
    "server_tool_use": "toolUse",
    "tool_result": "toolResult",
    "thinking": "reasoning",
    "redacted_thinking": "reasoning",
    "video": "video",
}
_KEYED_BLOCKS = {
    "image": "image",
    "document": "document",
    "video": "video",
    "toolUse": "toolUse",
    "toolResult": "toolResult",
    "reasoningContent": "reasoning",
}
_TEXT_TYPES = frozenset({"text", "input_text", "output_text"})

# Non-text content blocks counted by kind (a plain dict: this is the parser's hot path).
Counts = dict[str, int]


def bump(counts: Counts, kind: str, n: int) -> None:
    if n:
        counts[kind] = counts.get(kind, 0) + n


_THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)


def content_text(content: object, counts: Counts) -> str:
    """All text in a message's `content`, blocks joined by newlines; other blocks counted in `counts`."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
            continue
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if isinstance(kind, str):
            if kind in _TEXT_TYPES:
                text = block.get("text")
                if isinstance(text, str):
                    parts.append(text)
            elif kind in _TYPED_BLOCKS:
                bump(counts, _TYPED_BLOCKS[kind], 1)
            continue
        text = block.get("text")
        if isinstance(text, str):
            parts.append(text)
            continue
        guard = block.get("guardContent")
        if isinstance(guard, dict):
            inner = guard.get("text")
            if isinstance(inner, dict) and isinstance(inner.get("text"), str):
                parts.append(inner["text"])
            continue
        for key, counted in _KEYED_BLOCKS.items():
            if key in block:
                bump(counts, counted, 1)
                break
    return "\n".join(p for p in parts if p)


def strip_reasoning(text: str, counts: Counts) -> str:
    """Drop `<think>…</think>` spans that reasoning models (DeepSeek-R1 and kin) put in plain completions."""
    if "<think>" not in text and "</think>" not in text:
        return text
    bump(counts, "reasoning", 1)
    text = _THINK_RE.sub("", text)
    if "</think>" in text:  # the opening tag was in the prompt template: everything before the close is reasoning
        text = text.split("</think>", 1)[1]
    return text
