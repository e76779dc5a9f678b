"""Byte-budget cutting, record truncation for Kinesis, sampling, language detection."""

from __future__ import annotations

import json

import pytest

from shared.language import is_probably_english
from shared.limits import KINESIS_MAX_RECORD_BYTES
from shared.records import InvocationRecord
from shared.sampling import is_sampled, sample_point
from shared.truncation import FieldLimits, fit_record


def test_small_records_are_untouched() -> None:
    record = InvocationRecord("r", prompt="hi", completion="hello")
    data, fitted = fit_record(record, FieldLimits())
    assert fitted is record and json.loads(data)["truncated"] is False


@pytest.mark.parametrize("char", ["a", "é", "日", "🙂", '"', "\n"])
def test_oversized_records_fit_after_truncation_whatever_the_characters(char: str) -> None:
    record = InvocationRecord("req-1", prompt=char * 600_000, completion=char * 600_000, system=char * 10)
    data, _fitted = fit_record(record, FieldLimits(prompt=900_000, completion=900_000, system=900_000))
    assert len(data) + len(b"req-1") <= KINESIS_MAX_RECORD_BYTES
    decoded = json.loads(data)
    assert decoded["truncated"] is True
    assert set(decoded["completion"]) <= {char} and set(decoded["prompt"]) <= {char}


def test_per_field_maxima_are_applied_first() -> None:
    record = InvocationRecord("r", prompt="p" * 2_000_000, completion="c" * 1000)
    _, fitted = fit_record(record, FieldLimits(prompt=10_000))
    assert len(fitted.prompt) == 10_000 and fitted.completion == "c" * 1000


def test_sampling_is_deterministic_and_nested() -> None:
    ids = [f"req-{i}" for i in range(10_000)]
    at_10 = {i for i in ids if is_sampled(i, 0.1)}
    at_50 = {i for i in ids if is_sampled(i, 0.5)}
    assert at_10 <= at_50
    assert 0.08 < len(at_10) / len(ids) < 0.12
    assert sample_point("req-1") == sample_point("req-1")
    assert all(is_sampled(i, 1.0) for i in ids[:10]) and not any(is_sampled(i, 0.0) for i in ids[:10])


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Your refund was processed and should arrive within five days.", True),
        ("Su reembolso fue procesado y llegará en cinco días.", False),
        ("Votre remboursement a été traité et arrivera dans cinq jours.", False),
        ("Ihre Rückerstattung wurde bearbeitet und kommt in fünf Tagen an.", False),
        ("返金は処理されました。", False),
        ("def f(x): return x * 2", True),
    ],
)
def test_language_gate(text: str, english: bool) -> None:
    assert is_probably_english(text) is english
