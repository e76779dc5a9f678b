"""Decoded JSON objects out of a log file, streaming, with the line each starts on.

Bedrock writes gzipped JSON lines; people also paste a JSON array or one pretty-printed record from the
documentation. Gzip is detected by its magic bytes, not the file name. JSON lines are read one line at a
time, so memory does not grow with the file; arrays and pretty-printed documents are decoded value by
value from a sliding buffer. A line that does not decode is reported by number (never by content) and the
rest of the file is still read.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from shared import limits
from shared.untrusted_json import loads as json_loads
from shared.untrusted_json import may_hold_surrogate, scrub

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
# One value in an array or pretty-printed document may be at most this large before we give up on it.
_MAX_DOCUMENT_VALUE_CHARS = 256 << 20
# What gzip raises for a truncated stream (EOFError), a damaged one (zlib.error) or a bad header or CRC.
_CORRUPT_COMPRESSION = (EOFError, zlib.error, gzip.BadGzipFile)
CORRUPT_COMPRESSION_REASON = "gzip data truncated or corrupt; the rest of the file is unreadable"


@dataclass(frozen=True, slots=True)
class Decoded:
    line: int
    value: dict[str, object]


@dataclass(frozen=True, slots=True)
class Malformed:
    line: int
    reason: str


def open_maybe_gzip(stream: BinaryIO) -> io.BufferedIOBase:
    """The decompressed view of `stream` if it starts with the gzip magic, else the stream itself."""
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(_RawAdapter(stream), _CHUNK)
    if buffered.peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered, mode="rb")
    return buffered


def iter_values(stream: BinaryIO) -> Iterator[Decoded | Malformed]:
    """Every top-level JSON object in a (possibly gzipped) log stream, in order."""
    data = open_maybe_gzip(stream)
    last_line = 0
    try:
        for item in _values(data):
            last_line = item.line
            yield item
    except _CORRUPT_COMPRESSION:
        yield Malformed(last_line + 1, CORRUPT_COMPRESSION_REASON)


def _values(data: io.BufferedIOBase) -> Iterator[Decoded | Malformed]:
    lines = _content_lines(data)
    for item in lines:
        if isinstance(item, Malformed):
            yield item
            continue
        number, line = item
        stripped = line.strip()
        # A JSON array, or a pretty-printed document (its first line is a lone brace). Anything else is
        # JSON lines, so one broken first line cannot make us buffer a whole large file.
        if stripped.startswith(b"[") or stripped == b"{":
            yield from _document_values(number, line, data)
            return
        yield _decode_line(number, line)
        break
    for item in lines:  # the hot loop: the bound, the blank check and the decode
        yield item if isinstance(item, Malformed) else _decode_line(*item)


def _content_lines(data: io.BufferedIOBase) -> Iterator[tuple[int, bytes] | Malformed]:
    """Numbered non-blank lines, read with a bound (limits.MAX_LOG_LINE_BYTES): a longer one is a
    Malformed in its place, read through to its newline a chunk at a time and never held whole (a gzip
    bomb is one long line)."""
    limit = limits.MAX_LOG_LINE_BYTES
    readline = data.readline
    number = 0
    while line := readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            yield _skip_long_line(number, limit, data)
        elif line.strip():
            yield number, line


def _skip_long_line(number: int, limit: int, data: io.BufferedIOBase) -> Malformed:
    """Read the rest of an over-long line a chunk at a time, keeping none of it."""
    while True:
        tail = data.readline(_CHUNK)
        if not tail or tail.endswith(b"\n"):
            return Malformed(number, f"line longer than {_size(limit)}")


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 and not n % (1 << 20) else f"{n:,} bytes"


def _decode_line(number: int, line: bytes) -> Decoded | Malformed:
    try:
        value = json_loads(line)
    except UnicodeDecodeError:
        return Malformed(number, "not valid UTF-8")
    except ValueError:
        return Malformed(number, "invalid JSON")
    except RecursionError:
        return Malformed(number, "JSON nested too deeply")
    if not isinstance(value, dict):
        return Malformed(number, "not a JSON object")
    return Decoded(number, value)


def _document_values(line_no: int, first: bytes, data: io.BufferedIOBase) -> Iterator[Decoded | Malformed]:
    """Objects of a JSON array or of concatenated (pretty-printed) objects, decoded incrementally."""
    decoder = json.JSONDecoder()
    utf8 = codecs.getincrementaldecoder("utf-8")("replace")
    buffer = utf8.decode(first)
    pos = 0
    line = line_no  # line number at `pos`
    eof = False
    while True:
        # Skip whitespace and the array's punctuation between values.
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n[],":
                if buffer[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buffer) or eof:
                break
            chunk = data.read(_CHUNK)
            if not chunk:
                eof = True
                buffer = buffer[pos:] + utf8.decode(b"", final=True)
            else:
                buffer = buffer[pos:] + utf8.decode(chunk)
            pos = 0
        if pos >= len(buffer):
            return
        try:
            value, end = decoder.raw_decode(buffer, pos)
        except RecursionError:
            value, end = _TOO_DEEP, _end_of_line(buffer, pos)
        except ValueError:
            if not eof and len(buffer) - pos < _MAX_DOCUMENT_VALUE_CHARS:
                chunk = data.read(_CHUNK)
                if chunk:
                    buffer = buffer[pos:] + utf8.decode(chunk)
                    pos = 0
                    continue
                eof = True
                buffer = buffer[pos:] + utf8.decode(b"", final=True)
                pos = 0
                continue
            yield Malformed(line, "invalid JSON")
            # Resynchronise at the next line that opens an object at the start of a line.
            next_start = buffer.find("\n{", pos + 1)
            if next_start < 0:
                return
            line += buffer.count("\n", pos, next_start + 1)
            pos = next_start + 1
            continue
        if value is not _TOO_DEEP and may_hold_surrogate(buffer, pos, end):
            value = scrub(value)
        if value is _TOO_DEEP:
            yield Malformed(line, "JSON nested too deeply")
        elif isinstance(value, dict):
            yield Decoded(line, value)
        elif isinstance(value, list):
            # A nested array (e.g. a file holding one array per line): decode its objects one level down.
            for item in value:
                yield Decoded(line, item) if isinstance(item, dict) else Malformed(line, "not a JSON object")
        else:
            yield Malformed(line, "not a JSON object")
        line += buffer.count("\n", pos, end)
        pos = end


_TOO_DEEP = object()  # marker: a value nested beyond the recursion limit, skipped to the end of its line


def _end_of_line(buffer: str, pos: int) -> int:
    end = buffer.find("\n", pos)
    return len(buffer) if end < 0 else end


class _RawAdapter(io.RawIOBase):
    """Lets a plain `read()`-only stream (botocore's StreamingBody) sit under io.BufferedReader."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer)
        data = self._stream.read(len(view))
        n = len(data)
        view[:n] = data
        return n

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()
        super().close()
