"""Each monitor on real text with the embedded backends: the numbers mean what they claim (the refusal
monitor has its own files: test_refusal_monitor.py, test_refusal_quality.py)."""

from __future__ import annotations

import pytest

from monitors.semantic_similarity import SemanticSimilarityMonitor
from monitors.sentiment_toxicity import SentimentToxicityMonitor
from shared.backends import Backends, BackendSettings
from shared.errors import ConfigurationError
from shared.records import InvocationRecord


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


def test_prompt_sentiment_metrics_appear_only_when_switched_on() -> None:
    spec = SentimentToxicityMonitor.spec()
    assert "PromptToxicity" not in {m.name for m in spec.active_metrics(spec.default_options())}
    on = spec.parse_options({"scorePrompts": "true"}, key_prefix="monitors.sentiment-toxicity")
    assert "PromptToxicity" in {m.name for m in spec.active_metrics(on)}
    assert [u.field for u in SentimentToxicityMonitor.text_usage(on)] == ["completion", "prompt"]


def test_a_lambda_too_short_for_the_comprehend_workflow_is_rejected() -> None:
    from monitors.core.config import MonitoringConfig

    key = "monitors.sentiment-toxicity.lambda.timeoutSeconds"
    with pytest.raises(ConfigurationError) as info:
        MonitoringConfig.from_context({"backend": "aws", key: "60"})
    assert info.value.key == key and "at least" in str(info.value)
    MonitoringConfig.from_context({"backend": "embedded", key: "60"})  # no workflow to wait for
