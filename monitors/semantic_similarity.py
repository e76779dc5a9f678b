"""Semantic similarity: how on-topic each completion is for its prompt.

`PromptCompletionSimilarity` is the cosine of the prompt's and the completion's embeddings. A falling
average means answers drifting away from what was asked (wrong retrieval context, template bugs, a model
change). Both texts are embedded in one batched call; a text seen before in this process (by any
monitor) is not embedded again. A record whose prompt or completion the model refuses (Titan's
ValidationException) is skipped ("rejected-text"); one whose embedding failed after retries is retried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from monitors.core.base import Monitor
from monitors.core.results import EMPTY_TEXT, REJECTED_TEXT, RecordResult
from monitors.core.spec import AlarmSpec, Capability, CostLever, LambdaSpec, MetricSpec, Option, TextUsage, Unit
from shared.records import InvocationRecord

SIMILARITY = "PromptCompletionSimilarity"


class SemanticSimilarityMonitor(Monitor):
    name = "semantic-similarity"
    description = "Cosine similarity of prompt and completion embeddings (Titan Text Embeddings V2 or embedded)."
    enabled_by_default = True
    metrics = (
        MetricSpec(
            SIMILARITY,
            Unit.NONE,
            "Cosine similarity of the prompt's and the completion's embeddings, in [-1, 1]; higher is more on-topic.",
            alarm=AlarmSpec.below(
                0.2, description="Completions are drifting off-topic: average prompt/completion similarity is low."
            ),
        ),
    )
    max_chars = Option(
        4000,
        "characters of each text sent to the embedding model",
        minimum=100,
        maximum=50_000,
        lever=CostLever.scale(0.5),
    )
    needs = frozenset({Capability.EMBEDDINGS})
    skip_reasons = frozenset({EMPTY_TEXT, REJECTED_TEXT})
    lambda_spec = LambdaSpec(memory_mb=512, timeout_seconds=120, batch_size=100)

    @classmethod
    def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
        limit = cls.max_chars.value_in(options)
        return (
            TextUsage(Capability.EMBEDDINGS, "prompt", limit),
            TextUsage(Capability.EMBEDDINGS, "completion", limit),
        )

    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        from shared.embedding_text import embedding_text
        from shared.vectors import row_cosines

        max_chars = self.max_chars
        scorable = [i for i, r in enumerate(records) if r.prompt.strip() and r.completion.strip()]
        results = [RecordResult.skip(EMPTY_TEXT) for _ in records]
        if not scorable:
            return results
        texts = [embedding_text(records[i].prompt, max_chars) for i in scorable]
        texts += [embedding_text(records[i].completion, max_chars) for i in scorable]
        batch = self.backends.embeddings.embed_batch(texts)
        n = len(scorable)
        similarities = row_cosines(batch.vectors[:n], batch.vectors[n:])
        for position, index in enumerate(scorable):
            value = float(similarities[position])
            if position in batch.rejected or position + n in batch.rejected:
                results[index] = RecordResult.skip(REJECTED_TEXT)
            elif value != value:  # NaN: an embedding failed after retries
                results[index] = RecordResult.fail("embedding failed")
            else:
                results[index] = RecordResult.ok({SIMILARITY: value})
        return results
