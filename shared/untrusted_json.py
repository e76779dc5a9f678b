"""Decoding untrusted JSON so that every string in it can be written out again as UTF-8.

JSON may escape a lone UTF-16 surrogate (`"\\ud800"`), and `json.loads` on bytes decodes with
`surrogatepass`, so raw CESU-style bytes (`ED A0 80`) become one too. Python keeps such a character in a
`str`, and every later `.encode("utf-8")` (stdout, Kinesis, SQLite, an embedding model) raises. A bad
character is not a bad record: here each lone surrogate becomes U+FFFD and the record goes on.

This is the one place text from outside enters the system (log lines, offloaded bodies, stream records,
`score` and canary input): decode with `loads`, never `json.loads`. The check is cheap on the hot path:
a substring search of the raw input, and the decoded value is walked only when the input may hold a
surrogate (an escape `\\uD800`-`\\uDFFF`, or the bytes of one).
"""

from __future__ import annotations

import json
import re

#: A JSON escape of a surrogate (paired ones match too: the walk then finds nothing to replace), or the
#: UTF-8-style bytes of one (ED A0..BF), which `json.loads` decodes with surrogatepass.
_MAYBE_SURROGATE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
_MAYBE_SURROGATE_TEXT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def may_hold_surrogate(data: str | bytes | bytearray, start: int = 0, end: int | None = None) -> bool:
    """Whether decoding `data[start:end]` as JSON may produce a lone surrogate (False is certain).

    For bytes (the hot path: log lines) two substring searches first; the regular expression runs only
    when they find a candidate.
    """
    end = len(data) if end is None else end
    if isinstance(data, str):
        return _MAYBE_SURROGATE_TEXT.search(data, start, end) is not None
    if data.find(b"\\u", start, end) < 0 and data.find(b"\xed", start, end) < 0:
        return False
    return _MAYBE_SURROGATE_BYTES.search(data, start, end) is not None


def loads(data: str | bytes | bytearray) -> object:
    """`json.loads`, with every lone surrogate in every string (keys included) replaced by U+FFFD.

    Raises what `json.loads` raises (ValueError, incl. UnicodeDecodeError; RecursionError).
    """
    value = json.loads(data)
    if may_hold_surrogate(data):
        value = scrub(value)
    return value


def scrub_text(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (the same object when there is none)."""
    if text.isascii():
        return text
    return _SURROGATE.sub(REPLACEMENT, text)


def scrub(value: object) -> object:
    """A decoded JSON value with every lone surrogate replaced, in place where it can be.

    Iterative, so a value nested as deeply as the decoder allowed cannot exhaust the stack here.
    """
    if isinstance(value, str):
        return scrub_text(value)
    stack: list[object] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, str):
                    node[i] = scrub_text(item)
                elif isinstance(item, (dict, list)):
                    stack.append(item)
        elif isinstance(node, dict):
            if not all(isinstance(k, str) and scrub_text(k) is k for k in node):
                items = [(scrub_text(k) if isinstance(k, str) else k, v) for k, v in node.items()]
                node.clear()
                node.update(items)
            for key, item in node.items():
                if isinstance(item, str):
                    node[key] = scrub_text(item)  # replacing a value does not change the dict's size
                elif isinstance(item, (dict, list)):
                    stack.append(item)
    return value


def identifier(text: str) -> str:
    """An id from outside (a model id, an error code, a case id) with every control character (a newline,
    a terminal escape) replaced by U+FFFD: ids are printed in summaries and become metric dimensions, and
    no real one holds such a character."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else REPLACEMENT for ch in text)
