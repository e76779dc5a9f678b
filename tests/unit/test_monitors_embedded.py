"""Each monitor on real text with the embedded backends: the numbers mean what they claim."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from monitors.core.spec import Capability
from monitors.refusal import RefusalMonitor, normalise_opening
from monitors.semantic_similarity import SemanticSimilarityMonitor
from monitors.sentiment_toxicity import SentimentToxicityMonitor
from shared.backends import Backends, BackendSettings
from shared.errors import ConfigurationError
from shared.records import InvocationRecord

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.refusal_eval import load_labelled, score_at, similarities


@pytest.fixture(scope="module")
def backends() -> Backends:
    return Backends(BackendSettings(kind="embedded"))


def rec(
    prompt: str, completion: str, model: str = "anthropic.claude-3-haiku-20240307-v1:0", i: int = 0
) -> InvocationRecord:
    return InvocationRecord(f"r{i}", model_id=model, prompt=prompt, completion=completion)


def test_on_topic_answers_score_higher_than_off_topic(backends: Backends) -> None:
    monitor = SemanticSimilarityMonitor(backends=backends)
    prompt = "How do I bake sourdough bread at home?"
    on = "Feed your starter, mix flour, water and salt, let the dough rise overnight, then bake the loaf at 230°C."
    off = "The quarterly tax filing deadline for small businesses is the fifteenth of the month."
    values = [
        r.values["PromptCompletionSimilarity"] for r in monitor.score_batch([rec(prompt, on), rec(prompt, off, i=1)])
    ]
    assert values[0] > values[1] + 0.2


def test_shared_embeddings_are_computed_once_per_process(backends: Backends) -> None:
    monitor = SemanticSimilarityMonitor(backends=backends)
    record = rec("What is a haiku?", "A haiku is a three-line Japanese poem of five, seven and five syllables.")
    before = backends.embeddings.misses
    monitor.score_batch([record])
    monitor.score_batch([record])
    SemanticSimilarityMonitor(backends=backends).score_batch([record])
    assert backends.embeddings.misses - before == 2  # prompt and completion, once


def test_sentiment_and_toxicity_on_real_text(backends: Backends) -> None:
    monitor = SentimentToxicityMonitor(backends=backends, options={"scorePrompts": True})
    results = monitor.score_batch(
        [
            rec("Thanks!", "You're welcome, I'm so glad this helped. Have a wonderful day!"),
            rec("Where is my order?", "Unfortunately your order was lost and it is a terrible mess, I'm sorry.", i=1),
            rec("hi", "Shut up, you stupid idiot. This is a damn waste of my time.", i=2),
            rec("¿Dónde está mi pedido?", "Su pedido llegará mañana por la tarde.", i=3),
        ]
    )
    happy, sad, rude, spanish = results
    assert happy.values["SentimentPositive"] > 0.6
    assert sad.values["SentimentNegative"] > 0.4
    assert rude.values["Toxicity"] > 0.9 > happy.values["Toxicity"]
    assert "PromptSentimentPositive" in happy.values  # prompts scored too when switched on
    assert spanish.skip_reason == "non-english" and spanish.values == {}
    for result in (happy, sad, rude):
        total = sum(result.values[f"Sentiment{s}"] for s in ("Positive", "Negative", "Neutral", "Mixed"))
        assert total == pytest.approx(1.0)


def test_refusal_fuzzy_detects_refusals_and_ignores_look_alikes(backends: Backends) -> None:
    monitor = RefusalMonitor(backends=backends)
    cases = [
        ("I'm sorry, but I can't help with that request.", 1.0),
        ("I can’t provide guidance on that. Is there anything else?", 1.0),
        ("Sure, I can help with that! First, open the settings page.", 0.0),
        ("I'm sorry to hear that. Here are the steps to fix it: restart the router.", 0.0),
        ('The message "I cannot open the file" means the path is wrong.', 0.0),
    ]
    results = monitor.score_batch([rec("q", text, i=i) for i, (text, _) in enumerate(cases)])
    assert [r.values["Refusal"] for r in results] == [expected for _, expected in cases]
    assert all(0.0 <= r.values["RefusalSimilarity"] <= 1.0 for r in results)


def test_quotes_and_code_are_removed_but_contractions_kept() -> None:
    assert normalise_opening("I'm sorry, I can't.", 100) == "i'm sorry, i can't."
    assert normalise_opening('Error: "I cannot open file" in `open()`', 100) == "error: in"
    assert normalise_opening("It said 'access denied' again", 100) == "it said again"


def test_default_refusal_method_meets_f1_on_the_labelled_set() -> None:
    rows = load_labelled()
    assert len(rows) >= 60 and sum(r["kind"] == "hard-negative" for r in rows) >= 15
    defaults = RefusalMonitor.spec().default_options()
    rows, sims = similarities(str(defaults["method"]))
    scores = score_at(rows, sims, str(defaults["method"]), float(defaults["threshold"]))
    assert scores.f1 >= 0.9, (scores.false_positives, scores.false_negatives)
    hard = [s for row, s in zip(rows, sims, strict=True) if row["kind"] == "hard-negative"]
    assert max(hard) < float(defaults["threshold"])  # no hard negative counts as a refusal


def test_application_inference_profiles_can_be_mapped_to_a_family(backends: Backends) -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/opaque"
    claude_style = "I'd prefer not to help with that particular request."
    unmapped = RefusalMonitor(backends=backends).score_batch([rec("q", claude_style, model=arn)])
    mapped = RefusalMonitor(backends=backends, options={"modelFamilies": f"{arn}=anthropic"}).score_batch(
        [rec("q", claude_style, model=arn)]
    )
    assert unmapped[0].values["Refusal"] == 0.0  # generic phrases do not know Claude's wording
    assert mapped[0].values["Refusal"] == 1.0


def test_refusal_detection_on_the_example_set_matches_its_ground_truth(backends: Backends) -> None:
    """The example generator's labels are independent of the phrase files: a second, larger check."""
    from examples.generate import example_set
    from shared.parsing import Skipped, parse_invocation
    from shared.sources import LocalBodyResolver

    examples = example_set()
    resolver = LocalBodyResolver([Path(__file__).resolve().parents[2] / "examples" / "logs"])
    pairs = [
        (parse_invocation(raw, resolver), label) for raw, label in zip(examples.records, examples.labels, strict=True)
    ]
    pairs = [(record, label) for record, label in pairs if not isinstance(record, Skipped)]
    results = RefusalMonitor(backends=backends).score_batch([record for record, _ in pairs])
    predicted = [r.values["Refusal"] == 1.0 for r in results]
    truth = [label.is_refusal for _, label in pairs]
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    precision = tp / sum(predicted)
    recall = tp / sum(truth)
    assert sum(truth) > 200
    assert precision >= 0.95 and recall >= 0.9, (precision, recall)


def test_prompt_sentiment_metrics_appear_only_when_switched_on() -> None:
    spec = SentimentToxicityMonitor.spec()
    assert "PromptToxicity" not in {m.name for m in spec.active_metrics(spec.default_options())}
    on = spec.parse_options({"scorePrompts": "true"}, key_prefix="monitors.sentiment-toxicity")
    assert "PromptToxicity" in {m.name for m in spec.active_metrics(on)}
    assert [u.field for u in SentimentToxicityMonitor.text_usage(on)] == ["completion", "prompt"]


def test_refusal_needs_embeddings_only_for_the_cosine_method() -> None:
    assert RefusalMonitor.needs_for({"method": "fuzzy"}) == frozenset()
    assert RefusalMonitor.needs_for({"method": "cosine"}) == {Capability.EMBEDDINGS}
    assert RefusalMonitor.text_usage({"method": "cosine", "headChars": 100})[0].max_chars == 100


@pytest.mark.parametrize("families", ["arn:x=klingon", "no-equals-sign"])
def test_bad_model_family_mappings_name_the_key(families: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        RefusalMonitor.spec().parse_options({"modelFamilies": families}, key_prefix="monitors.refusal")
    assert info.value.key == "monitors.refusal.modelFamilies"
