"""Cutting text to byte budgets without breaking a UTF-8 character.

Kinesis records, Comprehend documents (5 KB) and toxicity segments (1 KB) are limited in bytes, not
characters; a cut in the middle of a multi-byte character would make the service reject the text.
"""

from __future__ import annotations


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` whose UTF-8 encoding fits in `max_bytes`."""
    if max_bytes <= 0:
        return ""
    if len(text) <= max_bytes // 4:  # every character is at most 4 bytes: certainly fits
        return text
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")


def split_utf8(text: str, max_bytes: int, *, max_parts: int | None = None) -> list[str]:
    """Consecutive pieces of `text`, each at most `max_bytes` in UTF-8, cut at character boundaries.

    Cuts prefer the last whitespace in a piece so words stay whole (a toxicity classifier scores a
    segment on its own). At most `max_parts` pieces are returned; the rest of the text is dropped.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must be at least 4 (one UTF-8 character)")
    data = text.encode("utf-8")
    parts: list[str] = []
    start = 0
    while start < len(data) and (max_parts is None or len(parts) < max_parts):
        end = min(start + max_bytes, len(data))
        if end < len(data):
            while end > start and (data[end] & 0xC0) == 0x80:  # do not cut inside a character
                end -= 1
            space = data.rfind(b" ", start, end)
            if space > start + max_bytes // 2:
                end = space + 1
        piece = data[start:end].decode("utf-8")
        if piece.strip():
            parts.append(piece)
        start = end
    return parts
