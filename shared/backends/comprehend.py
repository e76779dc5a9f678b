"""Cutting texts into Comprehend-sized calls, putting the answers back together, and isolating a text
Comprehend refuses.

BatchDetectSentiment takes ≤25 documents of ≤5 KB; DetectToxicContent takes ≤10 segments of ≤1 KB. A
text is cut on UTF-8 character boundaries (never mid-character, which Comprehend rejects), its
toxicity segments are packed with other texts' segments into full calls, and a text's toxicity is its
worst segment's. The Step Functions workflow and the direct client share this planning, so both make
the same number of calls: sentiment calls = ceil(texts / 25).

Comprehend refuses a whole call for one bad text (TextSizeLimitExceeded, InvalidRequest,
UnsupportedLanguage), and no retry changes that. `analyse_isolating` runs a plan and, for each refused
call, runs that call's texts again in halves down to the single text, so the refusal costs only the text
that caused it (a counted skip) and a few small calls; everything else keeps its scores. A failure that
is not a refusal (throttling after every retry, a timeout) is not about any one text: those texts fail
as a whole, to be retried later, and are never split (smaller calls would only add load).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
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

#: Comprehend's errors that refuse the input itself; botocore's model declares all three for both
#: BatchDetectSentiment and DetectToxicContent. Permanent for that input: never retried as it was.
REJECTION_ERRORS = ("TextSizeLimitExceededException", "InvalidRequestException", "UnsupportedLanguageException")
#: The same errors as Step Functions names them in an aws-sdk:comprehend task (`Comprehend.<error>`).
WORKFLOW_REJECTION_ERRORS = tuple(f"Comprehend.{name}" for name in REJECTION_ERRORS)
#: Substrings of a BatchDetectSentiment ErrorList code that say the document failed for a passing reason
#: (any other per-document error refuses the document itself).
_TRANSIENT_ITEM_ERRORS = ("INTERNAL", "THROTTL", "TOO_MANY", "UNAVAILABLE")


def is_rejection(error: str | None) -> bool:
    """Whether `error` (a bare code or a `Service.code` name) is Comprehend refusing the input itself."""
    return error is not None and error.rsplit(".", 1)[-1] in REJECTION_ERRORS


def _is_transient_item_error(code: str) -> bool:
    upper = code.upper()
    return any(marker in upper for marker in _TRANSIENT_ITEM_ERRORS)


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
    """BatchDetectSentiment's answer (the workflow keeps these two keys of it), or `Rejected`: the error
    with which Comprehend refused the whole call (e.g. "Comprehend.TextSizeLimitExceededException")."""

    ResultList: list[SentimentResult]
    ErrorList: list[BatchItemError]
    Rejected: str


class ToxicLabel(TypedDict):
    Name: str
    Score: float


class ToxicResult(TypedDict, total=False):
    Labels: list[ToxicLabel]
    Toxicity: float


class DetectToxicContentResponse(TypedDict, total=False):
    """DetectToxicContent's answer: one result per segment, in order; or `Rejected` as for sentiment."""

    ResultList: list[ToxicResult]
    Rejected: str


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


@dataclass
class Assembly:
    """Per-text analyses of one plan, and the texts that took part in a refused call: `suspects` maps a
    text's index to the refusal. A suspect's analysis holds what its other calls gave and `rejected` set;
    whether the refusal was its own or a neighbour's only a smaller call can tell."""

    analyses: list[TextAnalysis]
    suspects: dict[int, str] = field(default_factory=dict)


def assemble(
    p: ComprehendPlan,
    sentiment_results: Sequence[BatchDetectSentimentResponse],
    toxicity_results: Sequence[DetectToxicContentResponse],
) -> Assembly:
    """Per-text analyses from per-call responses (BatchDetectSentiment's ResultList/ErrorList,
    DetectToxicContent's ResultList, or a call's `Rejected`), in the plan's call order.

    A document in BatchDetectSentiment's ErrorList is refused on its own (Comprehend names it), unless
    its error code says the failure was passing (an internal error), which fails the text."""
    sentiments: list[SentimentScores | None] = [None] * p.texts
    errors: dict[int, str] = {}
    rejected: dict[int, str] = {}
    suspects: dict[int, str] = {}
    for offset, docs, response in zip(p.sentiment_offset, p.sentiment_batches, sentiment_results, strict=True):
        refusal = response.get("Rejected")
        if refusal is not None:
            suspects.update(dict.fromkeys(range(offset, offset + len(docs)), refusal))
            continue
        for item in response.get("ResultList", []) or []:
            score = item["SentimentScore"]
            sentiments[offset + int(item["Index"])] = SentimentScores(
                float(score["Positive"]), float(score["Negative"]), float(score["Neutral"]), float(score["Mixed"])
            )
        for error in response.get("ErrorList", []) or []:
            code = str(error.get("ErrorCode", "error"))
            index = offset + int(error["Index"])
            if _is_transient_item_error(code):
                errors[index] = f"Comprehend {code}"
            else:
                rejected[index] = f"Comprehend {code}"
    toxicity: dict[int, float] = {}
    labels: dict[int, dict[str, float]] = {}
    toxicity_refused: set[int] = set()
    for owners, toxic_response in zip(p.segment_owner, toxicity_results, strict=True):
        refusal = toxic_response.get("Rejected")
        if refusal is not None:
            toxicity_refused.update(owners)
            for index in owners:
                suspects.setdefault(index, refusal)
            continue
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
        # A text with one of its segments in a refused call has no toxicity: a worst segment needs them all.
        scored = index in toxicity and index not in toxicity_refused
        tox = ToxicityScores(toxicity[index], labels.get(index, {})) if scored else None
        refusal = suspects.get(index, rejected.get(index))
        out.append(TextAnalysis(sentiments[index], tox, rejected=refusal))
    return Assembly(out, {i: r for i, r in suspects.items() if i not in errors})


# --- running plans, and isolating a refused text -------------------------------------------------------


@dataclass(frozen=True)
class PlanRun:
    """What running one plan's calls gave: every call's response in the plan's order, or `failure`, the
    error that failed the run as a whole (a workflow execution's error, an exception's name)."""

    sentiment: Sequence[BatchDetectSentimentResponse] = ()
    toxicity: Sequence[DetectToxicContentResponse] = ()
    failure: str | None = None


#: Runs one plan's calls: one workflow execution, or the direct Comprehend calls.
RunPlan = Callable[[ComprehendPlan], PlanRun]
#: Whether there is still time to start another run (the Lambda must outlive every run it starts).
MayStart = Callable[[], bool]
NO_TIME_LEFT = "no time left in this invocation to run the texts again"


def analyse_isolating(
    texts: Sequence[str], *, sentiment: bool, toxicity: bool, run: RunPlan, may_start: MayStart
) -> list[TextAnalysis]:
    """Sentiment and toxicity of every text: one run per payload-sized plan (usually one per batch); a
    refused call's texts are run again in halves, down to the single text, which is then `rejected`.

    A run that fails as a whole with a refusal (a definition that does not catch it) is split the same
    way. A run that fails otherwise fails its texts (`error`): throttling past every retry, a timeout or
    an unknown error is not about one text. Costs at most two runs per halving for each refused call."""
    out: list[TextAnalysis | None] = [None] * len(texts)

    def analyse(group: list[int]) -> None:
        for offset, p in split_for_payload([texts[i] for i in group], sentiment=sentiment, toxicity=toxicity):
            members = group[offset : offset + p.texts]
            if not may_start():
                for index in members:
                    out[index] = TextAnalysis(error=NO_TIME_LEFT)
                continue
            result = run(p)
            if result.failure is not None:
                if not is_rejection(result.failure):
                    for index in members:
                        out[index] = TextAnalysis(error=f"Comprehend failed: {result.failure}")
                elif len(members) == 1:
                    out[members[0]] = TextAnalysis(rejected=result.failure)
                else:
                    halves(members)
                continue
            assembly = assemble(p, result.sentiment, result.toxicity)
            for local, analysis in enumerate(assembly.analyses):
                if local not in assembly.suspects or len(members) == 1:  # alone in its run: its own refusal
                    out[members[local]] = analysis
            if assembly.suspects and len(members) > 1:
                halves([members[local] for local in sorted(assembly.suspects)])

    def halves(group: list[int]) -> None:
        """Run a refused group again, in two halves (a single text on its own)."""
        middle = max(1, len(group) // 2)
        for part in (group[:middle], group[middle:]):
            if part:
                analyse(part)

    analyse(list(range(len(texts))))
    return [analysis if analysis is not None else TextAnalysis(error="not analysed") for analysis in out]
