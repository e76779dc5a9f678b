"""Chunking for Comprehend's limits and putting answers back together."""

from __future__ import annotations

import json
import math

from shared.backends.comprehend import assemble, plan, split_for_payload
from shared.limits import (
    COMPREHEND_SENTIMENT_MAX_DOC_BYTES,
    COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES,
    STEP_FUNCTIONS_MAX_PAYLOAD_BYTES,
)
from shared.text import split_utf8, truncate_utf8


def test_sentiment_batches_of_25_and_toxicity_calls_of_10_segments() -> None:
    texts = [f"text number {i} " * 20 for i in range(60)]
    p = plan(texts, sentiment=True, toxicity=True)
    assert [len(b) for b in p.sentiment_batches] == [25, 25, 10]
    assert len(p.toxicity_batches) == math.ceil(60 / 10)
    assert all(len(b) <= 10 for b in p.toxicity_batches)
    assert p.sentiment_offset == [0, 25, 50]


def test_long_text_is_cut_on_character_boundaries() -> None:
    text = "é" * 3000 + "日本" * 2000  # 6 KB + 12 KB of multi-byte characters
    p = plan([text], sentiment=True, toxicity=True)
    (doc,) = p.sentiment_batches[0]
    assert len(doc.encode()) <= 5000 and text.startswith(doc)
    segments = [s for b in p.toxicity_batches for s in b]
    assert len(segments) == 10  # at most 10 segments per text
    assert all(len(s.encode()) <= COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES for s in segments)
    assert "".join(segments) == text[: len("".join(segments))]  # nothing dropped or mangled in between


def test_a_default_length_completion_with_curly_quotes_never_makes_a_segment_over_1_kb() -> None:
    """DetectToxicContent takes segments of "1 KB"; Comprehend's KB is 1,000 bytes (its "5 KB" document
    limit is 5,000 bytes), so a segment of 1,001 to 1,024 bytes is refused. The sentiment monitor sends
    1,000 characters by default; curly quotes and dashes are 3 bytes each in UTF-8."""
    kb = COMPREHEND_SENTIMENT_MAX_DOC_BYTES // 5
    assert kb == 1_000 and kb >= COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES
    sentence = "“Reset it,” she said — then wait. "  # 34 characters, 40 bytes
    completion = (sentence * 40)[:1000]
    assert len(completion) == 1000 and len(completion.encode()) > kb
    p = plan([completion], sentiment=True, toxicity=True)
    segments = [s for b in p.toxicity_batches for s in b]
    assert all(len(s.encode()) <= kb for s in segments)
    assert "".join(segments) == completion  # cut, not dropped: every character is still scored


def test_split_prefers_word_boundaries() -> None:
    parts = split_utf8("word " * 500, 100)
    assert all(p.endswith(" ") for p in parts[:-1])
    assert truncate_utf8("aé", 2) == "a"


def test_assemble_takes_the_worst_segment_and_maps_errors() -> None:
    p = plan(["a " * 700, "b", "c"], sentiment=True, toxicity=True)
    owners = p.segment_owner[0]
    assert owners[:2] == [0, 0]
    sentiment = [
        {
            "ResultList": [
                {"Index": 0, "SentimentScore": {"Positive": 0.1, "Negative": 0.7, "Neutral": 0.1, "Mixed": 0.1}},
                {"Index": 2, "SentimentScore": {"Positive": 0.9, "Negative": 0.0, "Neutral": 0.1, "Mixed": 0.0}},
            ],
            "ErrorList": [{"Index": 1, "ErrorCode": "INTERNAL_SERVER_ERROR"}],
        }
    ]
    toxicity = [
        {
            "ResultList": [
                {"Toxicity": 0.2, "Labels": [{"Name": "INSULT", "Score": 0.1}]},
                {"Toxicity": 0.9, "Labels": [{"Name": "INSULT", "Score": 0.8}]},
                {"Toxicity": 0.0, "Labels": []},
                {"Toxicity": 0.1, "Labels": []},
            ]
        }
    ]
    first, second, third = assemble(p, sentiment, toxicity).analyses
    assert first.sentiment.negative == 0.7
    assert first.toxicity.toxicity == 0.9 and first.toxicity.labels == {"INSULT": 0.8}
    assert second.error and "INTERNAL_SERVER_ERROR" in second.error
    assert third.sentiment.positive == 0.9 and third.toxicity.toxicity == 0.1


def test_payloads_stay_under_the_step_functions_limit() -> None:
    texts = ["x" * 1000 + str(i) for i in range(400)]
    plans = split_for_payload(texts, sentiment=True, toxicity=True)
    assert len(plans) > 1
    assert sum(p.texts for _, p in plans) == 400
    assert [offset for offset, _ in plans] == sorted(offset for offset, _ in plans)
    for _, p in plans:
        assert len(json.dumps(p.workflow_input()).encode()) < STEP_FUNCTIONS_MAX_PAYLOAD_BYTES
    # A typical Lambda batch (100 texts cut to 1,000 characters) is one execution.
    assert len(split_for_payload(texts[:100], sentiment=True, toxicity=True)) == 1
