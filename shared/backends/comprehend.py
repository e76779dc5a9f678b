"""Cutting texts into Comprehend-sized calls and putting the answers back together.

BatchDetectSentiment takes ≤25 documents of ≤5 KB; DetectToxicContent takes ≤10 segments of ≤1 KB. A
text is cut on UTF-8 character boundaries (never mid-character, which Comprehend rejects), its
toxicity segments are packed with other texts' segments into full calls, and a text's toxicity is its
worst segment's. The Step Functions workflow and the direct client share this planning, so both make
the same number of calls: sentiment calls = ceil(texts / 25).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Required, TypedDict

from shared.backends.types import SentimentScores, TextAnalysis, ToxicityScores
from shared.limits import (
    COMPREHEND_SENTIMENT_BATCH_MAX_DOCS,
    COMPREHEND_SENTIMENT_MAX_DOC_BYTES,
    COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES,
    COMPREHEND_TOXICITY_MAX_SEGMENTS,
    STEP_FUNCTIONS_MAX_PAYLOAD_BYTES,
)
from shared.text import split_utf8, truncate_utf8

LANGUAGE = "en"
# Leave room under the 256 KiB Step Functions payload limit for the envelope and JSON escaping.
_PAYLOAD_BUDGET = STEP_FUNCTIONS_MAX_PAYLOAD_BYTES - 16 * 1024


# --- Comprehend's wire formats, as far as the plan and the assembly use them ------------------------------


class TextSegment(TypedDict):
    Text: str


class BatchDetectSentimentRequest(TypedDict):
    LanguageCode: str
    TextList: list[str]


class DetectToxicContentRequest(TypedDict):
    LanguageCode: str
    TextSegments: list[TextSegment]


class SentimentScore(TypedDict):
    Positive: float
    Negative: float
    Neutral: float
    Mixed: float


class SentimentResult(TypedDict, total=False):
    Index: Required[int]
    Sentiment: str
    SentimentScore: Required[SentimentScore]


class BatchItemError(TypedDict, total=False):
    Index: Required[int]
    ErrorCode: str
    ErrorMessage: str


class BatchDetectSentimentResponse(TypedDict, total=False):
    """BatchDetectSentiment's answer (the workflow keeps these two keys of it)."""

    ResultList: list[SentimentResult]
    ErrorList: list[BatchItemError]


class ToxicLabel(TypedDict):
    Name: str
    Score: float


class ToxicResult(TypedDict, total=False):
    Labels: list[ToxicLabel]
    Toxicity: float


class DetectToxicContentResponse(TypedDict, total=False):
    """DetectToxicContent's answer: one result per segment, in order."""

    ResultList: list[ToxicResult]


class WorkflowInput(TypedDict):
    """The text-analysis state machine's input: one Comprehend request per batch of the plan."""

    sentimentBatches: list[BatchDetectSentimentRequest]
    toxicityBatches: list[DetectToxicContentRequest]


@dataclass
class ComprehendPlan:
    """Calls for a batch of texts. `segment_owner[b][j]` is the text index of toxicity batch b, segment j."""

    texts: int
    sentiment_batches: list[list[str]] = field(default_factory=list)
    toxicity_batches: list[list[str]] = field(default_factory=list)
    segment_owner: list[list[int]] = field(default_factory=list)
    sentiment_offset: list[int] = field(default_factory=list)  # text index of each sentiment batch's first doc

    def workflow_input(self) -> WorkflowInput:
        return {
            "sentimentBatches": [{"LanguageCode": LANGUAGE, "TextList": b} for b in self.sentiment_batches],
            "toxicityBatches": [
                {"LanguageCode": LANGUAGE, "TextSegments": [{"Text": s} for s in b]} for b in self.toxicity_batches
            ],
        }


def plan(texts: Sequence[str], *, sentiment: bool, toxicity: bool) -> ComprehendPlan:
    result = ComprehendPlan(texts=len(texts))
    if sentiment:
        docs = [truncate_utf8(t, COMPREHEND_SENTIMENT_MAX_DOC_BYTES) for t in texts]
        for start in range(0, len(docs), COMPREHEND_SENTIMENT_BATCH_MAX_DOCS):
            result.sentiment_batches.append(docs[start : start + COMPREHEND_SENTIMENT_BATCH_MAX_DOCS])
            result.sentiment_offset.append(start)
    if toxicity:
        batch: list[str] = []
        owners: list[int] = []
        for index, text in enumerate(texts):
            for segment in split_utf8(
                text, COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES, max_parts=COMPREHEND_TOXICITY_MAX_SEGMENTS
            ):
                if len(batch) == COMPREHEND_TOXICITY_MAX_SEGMENTS:
                    result.toxicity_batches.append(batch)
                    result.segment_owner.append(owners)
                    batch, owners = [], []
                batch.append(segment)
                owners.append(index)
        if batch:
            result.toxicity_batches.append(batch)
            result.segment_owner.append(owners)
    return result


def split_for_payload(texts: Sequence[str], *, sentiment: bool, toxicity: bool) -> list[tuple[int, ComprehendPlan]]:
    """Plans for consecutive slices of `texts` (with each slice's first index) whose workflow input fits
    in one Step Functions payload. Usually a single plan: one execution per Lambda batch."""
    whole = plan(texts, sentiment=sentiment, toxicity=toxicity)
    if len(texts) <= 1 or _payload_size(whole) <= _PAYLOAD_BUDGET:
        return [(0, whole)]
    middle = len(texts) // 2
    left = split_for_payload(texts[:middle], sentiment=sentiment, toxicity=toxicity)
    right = split_for_payload(texts[middle:], sentiment=sentiment, toxicity=toxicity)
    return left + [(offset + middle, p) for offset, p in right]


def _payload_size(p: ComprehendPlan) -> int:
    return len(json.dumps(p.workflow_input()).encode("utf-8"))


def assemble(
    p: ComprehendPlan,
    sentiment_results: Sequence[BatchDetectSentimentResponse],
    toxicity_results: Sequence[DetectToxicContentResponse],
) -> list[TextAnalysis]:
    """Per-text analyses from per-call responses (BatchDetectSentiment's ResultList/ErrorList,
    DetectToxicContent's ResultList), in the plan's call order."""
    sentiments: list[SentimentScores | None] = [None] * p.texts
    errors: dict[int, str] = {}
    for offset, response in zip(p.sentiment_offset, sentiment_results, strict=True):
        for item in response.get("ResultList", []) or []:
            score = item["SentimentScore"]
            sentiments[offset + int(item["Index"])] = SentimentScores(
                float(score["Positive"]), float(score["Negative"]), float(score["Neutral"]), float(score["Mixed"])
            )
        for error in response.get("ErrorList", []) or []:
            errors[offset + int(error["Index"])] = f"Comprehend {error.get('ErrorCode', 'error')}"
    toxicity: dict[int, float] = {}
    labels: dict[int, dict[str, float]] = {}
    for owners, toxic_response in zip(p.segment_owner, toxicity_results, strict=True):
        segments = list(toxic_response.get("ResultList", []) or [])
        if len(segments) != len(owners):
            for index in owners:
                errors[index] = "Comprehend returned a different number of toxicity results than segments"
            continue
        for index, segment in zip(owners, segments, strict=True):
            toxicity[index] = max(toxicity.get(index, 0.0), float(segment.get("Toxicity", 0.0)))
            text_labels = labels.setdefault(index, {})
            for label in segment.get("Labels", []) or []:
                name = str(label["Name"])
                text_labels[name] = max(text_labels.get(name, 0.0), float(label["Score"]))
    out = []
    for index in range(p.texts):
        if index in errors:
            out.append(TextAnalysis(error=errors[index]))
            continue
        tox = ToxicityScores(toxicity[index], labels.get(index, {})) if index in toxicity else None
        out.append(TextAnalysis(sentiments[index], tox))
    return out
