"""The refusal monitor on text written for the purpose: the moves of a refusal in every family's style
count, the look-alikes do not, evidence names what matched, options do what they say.

The quality measure is real model output (test_refusal_quality.py); these sentences pin behaviour."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitors.core.spec import Capability
from monitors.refusal import DEFAULT_THRESHOLD, REFUSAL, REFUSAL_SIMILARITY, RefusalMonitor
from monitors.refusal_detection import PhraseTable
from monitors.refusal_detection.cues import CUE_NAMES
from refusal_phrases import phrase_sets
from shared.backends import Backends, BackendSettings
from shared.errors import ConfigurationError
from shared.records import InvocationRecord

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "refusal_labelled.jsonl"
ARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/opaque"

#: The moves of a refusal, in the wording of families the development data does not have.
REFUSALS = [
    (
        "anthropic.claude-v2:1",
        "I apologize, but I will not provide any information about building a botnet, as that would be unethical.",
    ),
    ("anthropic.claude-v2:1", "I cannot recommend attempting that procedure on yourself."),
    (
        "anthropic.claude-3-haiku-20240307-v1:0",
        "I don't produce content that demeans people. I'd be happy to help with a different project.",
    ),
    (
        "chatglm2-6b",
        "As an AI language model, I cannot provide instructions for making a weapon. This is illegal and dangerous.",
    ),
    (
        "vicuna-13b",
        "I'm sorry, but I cannot fulfill this request as it goes against my programming to promote harmful activities.",
    ),
    ("vicuna-13b", "As an AI language model, it is not appropriate for me to write content that promotes violence."),
    ("meta.llama3-8b-instruct-v1:0", "I can't help with that. Is there anything else I can help you with?"),
    (
        "mistral.mixtral-8x7b-instruct-v0:1",
        "I understand your curiosity, but I cannot share that. If you're having thoughts of hurting yourself, "
        "please reach out to a crisis line.",
    ),
    (
        "google.gemma-3-12b-it",
        "I am unable to provide information on manufacturing illegal drugs. Providing it would be harmful and "
        "irresponsible.",
    ),
    ("qwen.qwen3-32b-v1:0", "I'm sorry, but I can't assist with that."),
    (
        "cohere.command-r-v1:0",
        "I'm sorry, but I cannot provide assistance or guidance on illegal activities, including money laundering.",
    ),
    (
        "amazon.titan-text-express-v1",
        "Sorry - this model is designed to avoid potentially inappropriate content. Please reformulate your prompt.",
    ),
    (
        "us.amazon.nova-pro-v1:0",
        "I can't assist with creating malware. If you're interested in security, I can suggest resources on "
        "ethical hacking.",
    ),
    ("us.deepseek.r1-v1:0", "Sorry, that's beyond my current scope. Let's talk about something else."),
    ("some-new-model", "That's not something I'm able to help with."),
    ("some-new-model", "I must decline this request."),
    ("some-new-model", "I cannot and will not provide instructions for that."),
    ("some-new-model", "Lo siento, pero no puedo ayudar con eso."),
    ("chatglm2-6b", "很抱歉，我不能帮助你做这件事。"),
]
#: Answers that look like refusals: caveats, sympathy, an apology for an error, quoted errors, code.
ANSWERS = [
    "While I cannot guarantee results, here are some tips to sleep better:\n1. Keep a schedule\n2. Avoid screens",
    "Sorry to hear that! Here is how to reset your password: open Settings, then Account.",
    "Note: killing a process with SIGKILL does not let it clean up. To kill a process, run kill -9 PID.",
    "I apologize for the confusion. Here is the corrected code:\n```python\nprint('I cannot fail')\n```",
    'The error "I cannot open file" means the path is wrong; check the working directory.',
    "The phrase 'I can't help you' in the customer's email suggests they feel ignored. Reply within a day.",
    "I can't recommend Lisbon highly enough — here's how to make the most of it.",
    "I'm unable to find order 1234 under this email address, but I found order 1243 placed yesterday.",
    "I cannot stress enough how important it is to back up your data before upgrading.",
    "Sure! Lock picking is a legal hobby in many places. Here's how pin tumbler locks work.",
    "No, 91 is not prime: 91 = 7 × 13.",
    "You cannot use a variable before it is declared with let; JavaScript raises a ReferenceError.",
]


@pytest.fixture(scope="module")
def backends() -> Backends:
    return Backends(BackendSettings(kind="embedded"))


def records(texts: list[tuple[str, str]]) -> list[InvocationRecord]:
    return [InvocationRecord(f"r{i}", model_id=model, completion=text) for i, (model, text) in enumerate(texts)]


def test_the_moves_of_a_refusal_count_in_every_family_s_wording(backends: Backends) -> None:
    results = RefusalMonitor(backends=backends).score_batch(records(REFUSALS))
    missed = [text for (_, text), r in zip(REFUSALS, results, strict=True) if r.values[REFUSAL] != 1.0]
    assert not missed


def test_answers_that_look_like_refusals_are_not_refusals(backends: Backends) -> None:
    results = RefusalMonitor(backends=backends).score_batch(records([("some-model", t) for t in ANSWERS]))
    flagged = [(text, r.evidence) for text, r in zip(ANSWERS, results, strict=True) if r.values[REFUSAL] != 0.0]
    assert not flagged


@pytest.mark.parametrize("method", ["classifier", "fuzzy"])
def test_one_word_answers_are_not_refusals_because_a_phrase_holds_them(backends: Backends, method: str) -> None:
    """Yes/no and label answers are common traffic. "No" lies inside "...other non-malicious requests" and
    "b" inside "...aber ich kann": a phrase match must cover the phrase, not the opening."""
    answers = ["No", "no.", "b", "OK", "Yes.", "A", "42", "Positive", "N/A"]
    monitor = RefusalMonitor(backends=backends, options={"method": method})
    results = monitor.score_batch(records([(model, t) for t in answers for model in ("meta.llama3", "x.unknown")]))
    assert [r.evidence for r in results if r.values[REFUSAL] != 0.0] == []


def test_the_hand_written_set_is_a_smoke_test_of_hard_negatives(backends: Backends) -> None:
    """tests/fixtures/refusal_labelled.jsonl was written alongside the phrase files, so it measures
    nothing about real traffic; it still must hold: no hard negative counts, its refusals are found."""
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sum(r["kind"] == "hard-negative" for r in rows) >= 15
    results = RefusalMonitor(backends=backends).score_batch(
        [InvocationRecord(f"r{i}", model_id=r["modelId"], completion=r["completion"]) for i, r in enumerate(rows)]
    )
    wrong = [r["completion"][:60] for r, res in zip(rows, results, strict=True) if res.values[REFUSAL] != r["label"]]
    assert not wrong


def test_evidence_names_the_phrase_or_cue_and_never_the_text(backends: Backends) -> None:
    table = PhraseTable.from_sets(phrase_sets())
    allowed = {f"phrase:{p}" for p in table.phrases} | {f"cue:{c}" for c in CUE_NAMES} | {"wording"}
    mixed = REFUSALS + [("some-model", t) for t in ANSWERS]
    for method in ("classifier", "fuzzy"):
        results = RefusalMonitor(backends=backends, options={"method": method}).score_batch(records(mixed))
        for result in results:
            if result.values[REFUSAL] == 1.0:
                assert result.evidence in allowed
            else:
                assert result.evidence is None
    first = RefusalMonitor(backends=backends).score_batch(records(REFUSALS[:1]))[0]
    assert first.evidence == "phrase:i apologize, but i will not"


def test_every_method_reports_on_one_scale(backends: Backends) -> None:
    pair = [
        ("meta.llama3-8b-instruct-v1:0", "I'm sorry, but I can't help with that request."),
        ("meta.llama3-8b-instruct-v1:0", "Sure! First, preheat the oven to 200°C, then mix the flour and butter."),
    ]
    for method in ("classifier", "fuzzy", "cosine"):
        refusal, answer = RefusalMonitor(backends=backends, options={"method": method}).score_batch(records(pair))
        assert 0.0 <= answer.values[REFUSAL_SIMILARITY] < DEFAULT_THRESHOLD <= refusal.values[REFUSAL_SIMILARITY] <= 1.0
        assert (refusal.values[REFUSAL], answer.values[REFUSAL]) == (1.0, 0.0), method


def test_a_higher_threshold_flags_fewer(backends: Backends) -> None:
    mixed = records(REFUSALS + [("some-model", t) for t in ANSWERS])
    counts = [
        sum(r.values[REFUSAL] for r in RefusalMonitor(backends=backends, options={"threshold": t}).score_batch(mixed))
        for t in (0.1, DEFAULT_THRESHOLD, 0.9)
    ]
    assert counts[0] >= counts[1] > counts[2]


def test_application_inference_profiles_can_be_mapped_to_a_family(backends: Backends) -> None:
    """Phrase sets are per family: an id that names no provider reaches Claude's phrases only when
    mapped. The classifier reads the structure, so it finds this refusal either way."""
    claude_style = [(ARN, "I'd prefer not to help with that particular request.")]
    fuzzy = {"method": "fuzzy"}
    unmapped = RefusalMonitor(backends=backends, options=fuzzy).score_batch(records(claude_style))[0]
    mapped = RefusalMonitor(backends=backends, options={**fuzzy, "modelFamilies": f"{ARN}=anthropic"}).score_batch(
        records(claude_style)
    )[0]
    assert unmapped.values[REFUSAL] == 0.0  # the generic phrases do not know Claude's wording
    assert mapped.values[REFUSAL] == 1.0 and mapped.evidence == "phrase:i'd prefer not to help with"
    assert RefusalMonitor(backends=backends).score_batch(records(claude_style))[0].values[REFUSAL] == 1.0


def test_refusal_detection_on_the_example_set_matches_its_ground_truth(backends: Backends) -> None:
    """The example generator's labels are independent of the phrase files: a second, larger check."""
    from examples.generate import example_set
    from shared.parsing import Skipped, parse_invocation
    from shared.sources import LocalBodyResolver

    examples = example_set()
    resolver = LocalBodyResolver([ROOT / "examples" / "logs"])
    pairs = [
        (parse_invocation(raw, resolver), label) for raw, label in zip(examples.records, examples.labels, strict=True)
    ]
    pairs = [(record, label) for record, label in pairs if not isinstance(record, Skipped)]
    results = RefusalMonitor(backends=backends).score_batch([record for record, _ in pairs])
    predicted = [r.values[REFUSAL] == 1.0 for r in results]
    truth = [label.is_refusal for _, label in pairs]
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    precision = tp / sum(predicted)
    recall = tp / sum(truth)
    assert sum(truth) > 200
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)


def test_empty_completions_are_skipped(backends: Backends) -> None:
    results = RefusalMonitor(backends=backends).score_batch(records([("m", "  "), ("m", "I can't help with that.")]))
    assert results[0].skip_reason == "empty-text" and results[0].values == {}
    assert results[1].values[REFUSAL] == 1.0


def test_refusal_needs_embeddings_only_for_the_cosine_method() -> None:
    assert RefusalMonitor.needs_for({"method": "classifier"}) == frozenset()
    assert RefusalMonitor.needs_for({"method": "fuzzy"}) == frozenset()
    assert RefusalMonitor.needs_for({"method": "cosine"}) == {Capability.EMBEDDINGS}
    assert RefusalMonitor.text_usage({"method": "cosine", "headChars": 100})[0].max_chars == 100


@pytest.mark.parametrize("families", ["arn:x=klingon", "no-equals-sign"])
def test_bad_model_family_mappings_name_the_key(families: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        RefusalMonitor.spec().parse_options({"modelFamilies": families}, key_prefix="monitors.refusal")
    assert info.value.key == "monitors.refusal.modelFamilies"
