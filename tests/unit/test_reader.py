"""Log files as Bedrock writes them and as people paste them; broken lines lose nothing else."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc

import pytest

from shared.parsing import NoOffloadedBodies, ParseStats, parse_stream
from shared.parsing.reader import Decoded, Malformed, iter_values


def _record(i: int, text: str = "hello") -> dict:
    return {
        "schemaType": "ModelInvocationLog",
        "requestId": f"req-{i}",
        "modelId": "meta.llama3-8b-instruct-v1:0",
        "operation": "InvokeModel",
        "input": {"inputBodyJson": {"prompt": f"{text} {i}"}},
        "output": {"outputBodyJson": {"generation": f"reply {i}"}},
    }


def _lines(records: list[dict]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def _parse(data: bytes, source: str = "f.json") -> tuple[list, ParseStats]:
    stats = ParseStats()
    out = list(parse_stream(io.BytesIO(data), source=source, resolver=NoOffloadedBodies(), stats=stats))
    return out, stats


def test_gzip_is_detected_by_magic_not_name() -> None:
    records = [_record(i) for i in range(3)]
    out, stats = _parse(gzip.compress(_lines(records)), source="no-suffix")
    assert [r.request_id for _, r in out] == ["req-0", "req-1", "req-2"]
    assert stats.emitted == 3


def test_malformed_lines_are_counted_by_line_number_and_the_rest_survives() -> None:
    data = (
        json.dumps(_record(1)).encode()
        + b"\n"
        + b'{"requestId": "secret prompt text", truncated\n'
        + b"\n"
        + b"[1, 2]\n"
        + b"\xff\xfe not utf8\n"
        + json.dumps({"schemaType": "ModelInvocationLog"}).encode()
        + b"\n"
        + json.dumps(_record(2)).encode()
        + b"\n"
    )
    out, stats = _parse(data, source="logs/x.json")
    assert [r.request_id for _, r in out] == ["req-1", "req-2"]
    assert [line for line, _ in out] == [1, 7]
    assert stats.malformed == 4
    assert [(s, n) for s, n, _ in stats.malformed_locations] == [
        ("logs/x.json", 2),
        ("logs/x.json", 4),
        ("logs/x.json", 5),
        ("logs/x.json", 6),
    ]
    # The report never repeats a line's content.
    assert "secret" not in stats.summary()
    assert "secret" not in json.dumps(stats.to_dict())


def test_json_array_and_pretty_printed_records() -> None:
    records = [_record(i) for i in range(4)]
    out, _ = _parse(json.dumps(records, indent=2).encode())
    assert [r.request_id for _, r in out] == [f"req-{i}" for i in range(4)]
    out, _ = _parse(json.dumps(records[0], indent=2).encode())
    assert [r.request_id for _, r in out] == ["req-0"]
    # Several pretty-printed records one after another, as pasted from a console.
    pasted = b"\n".join(json.dumps(r, indent=4).encode() for r in records[:3])
    out, _ = _parse(pasted)
    assert [r.request_id for _, r in out] == ["req-0", "req-1", "req-2"]


def test_pretty_printed_document_reports_the_line_of_a_broken_value() -> None:
    good = json.dumps(_record(1), indent=2)
    text = good + '\n{\n  "requestId": "x",\n  oops\n}\n' + json.dumps(_record(2), indent=2) + "\n"
    values = list(iter_values(io.BytesIO(text.encode())))
    assert isinstance(values[0], Decoded) and values[0].line == 1
    broken_line = good.count("\n") + 2
    assert isinstance(values[1], Malformed) and values[1].line == broken_line
    assert isinstance(values[2], Decoded) and values[2].value["requestId"] == "req-2"


def test_unicode_round_trips() -> None:
    record = _record(1, text="naïve 日本語 🙂 e\u0301")
    out, _ = _parse(_lines([record]))
    assert out[0][1].prompt == "naïve 日本語 🙂 e\u0301 1"


def test_empty_and_whitespace_files_yield_nothing() -> None:
    assert _parse(b"")[0] == []
    assert _parse(b"\n  \n")[0] == []
    assert _parse(gzip.compress(b""))[0] == []


def test_resume_after_line_skips_what_was_already_published() -> None:
    records = [_record(i) for i in range(5)]
    stats = ParseStats()
    out = list(
        parse_stream(io.BytesIO(_lines(records)), source="f", resolver=NoOffloadedBodies(), stats=stats, after_line=3)
    )
    assert [r.request_id for _, r in out] == ["req-3", "req-4"]


class _GeneratedGzip(io.RawIOBase):
    """A gzipped log of `n` records produced on the fly, so the test itself holds no large buffer."""

    def __init__(self, n: int) -> None:
        self._n = n
        self._i = 0
        self._pending = b""
        self._compressor = __import__("zlib").compressobj(6, 8, 31)
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self._pending) < len(buffer) and not self._done:
            if self._i < self._n:
                chunk = b"".join(
                    json.dumps(_record(i, text="x" * 400)).encode() + b"\n"
                    for i in range(self._i, min(self._i + 200, self._n))
                )
                self._i = min(self._i + 200, self._n)
                self._pending += self._compressor.compress(chunk)
            else:
                self._pending += self._compressor.flush()
                self._done = True
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


@pytest.mark.parametrize("records", [2_000, 20_000])
def test_memory_does_not_grow_with_the_file(records: int) -> None:
    stats = ParseStats()
    tracemalloc.start()
    count = 0
    for _ in parse_stream(
        io.BufferedReader(_GeneratedGzip(records)), source="big", resolver=NoOffloadedBodies(), stats=stats
    ):
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == records
    # ~0.5 KB a record: 20,000 records is ~10 MB of JSON; streaming keeps the peak to a few buffers.
    assert peak < 4 * 1024 * 1024


# --- a line bomb: one line far longer than any Bedrock writes --------------------------------------------

LIMIT = 4096  # stands for limits.MAX_LOG_LINE_BYTES (64 MiB), so the test needs no big data


@pytest.fixture
def small_line_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shared.limits.MAX_LOG_LINE_BYTES", LIMIT)


def test_a_line_over_the_limit_is_one_malformed_line_and_the_next_lines_are_read(small_line_limit: None) -> None:
    long_line = json.dumps(_record(1, text="x" * (LIMIT * 10))).encode() + b"\n"
    at_limit = json.dumps(_record(2, text="y" * LIMIT))[: LIMIT - 1].encode()  # LIMIT bytes with its newline
    data = _lines([_record(0)]) + long_line + b"z" * LIMIT * 50 + b"\n" + _lines([_record(3)])
    records, stats = _parse(gzip.compress(data))
    assert [r.request_id for _, r in records] == ["req-0", "req-3"]
    assert stats.malformed_locations == [
        ("f.json", 2, f"line longer than {LIMIT:,} bytes"),
        ("f.json", 3, f"line longer than {LIMIT:,} bytes"),
    ]
    # A line of exactly the limit is read (and here is broken JSON, so it is malformed for that reason).
    values = list(iter_values(io.BytesIO(at_limit + b"\n" + _lines([_record(4)]))))
    assert values[0] == Malformed(1, "invalid JSON") and isinstance(values[1], Decoded)


def test_an_over_long_first_or_last_line_loses_nothing_else(small_line_limit: None) -> None:
    bomb = b"[" + b" " * LIMIT * 20  # looks like an array document: still one bounded line, not a buffer
    data = bomb + b"\n" + _lines([_record(0), _record(1)]) + b"{" + b"q" * LIMIT * 3  # no final newline
    values = list(iter_values(io.BytesIO(gzip.compress(data))))
    assert [type(v).__name__ for v in values] == ["Malformed", "Decoded", "Decoded", "Malformed"]
    assert [v.line for v in values] == [1, 2, 3, 4]


def test_a_gzip_bomb_line_is_never_held_whole(small_line_limit: None) -> None:
    """1 MB of gzip can hold a 1 GiB line; here 32 MiB of one byte stands for it (~32 KB of gzip)."""
    data = gzip.compress(_lines([_record(0)]) + b"a" * (32 << 20) + b"\n" + _lines([_record(1)]))
    tracemalloc.start()
    records, stats = _parse(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [r.request_id for _, r in records] == ["req-0", "req-1"] and stats.malformed == 1
    assert peak < 8 << 20
