"""The example generator's text banks (examples/banks/): complete, consistent with the code that draws
from them, and loud about a malformed file. The generated output itself is checked in test_examples.py."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from examples.generate import banks, models, slots

SLOT = re.compile(r"\{([a-z_0-9]+)\}")


def _topic_texts(topic: banks.TopicBank) -> Iterator[str]:
    for intent in topic.intents + topic.negatives:
        yield from intent.questions
        for answer in intent.answers:
            yield from answer
    yield from (topic.extras + topic.hard_openers + topic.toxic_openers + topic.toxic_closers + topic.alternatives)
    for request, refused in topic.harmful:
        yield from (request, refused)


def test_every_slot_a_template_names_is_drawn() -> None:
    """A misspelt slot would otherwise reach the logs as literal text ({prodcut})."""
    for name, topic in banks.topics().items():
        drawn = set(slots.draw_slots(random.Random(0), topic)) | {"company"}
        texts = list(_topic_texts(topic))
        for language in banks.languages().values():
            texts += [q + a for q, a in language.conversations[name]]
        used = {slot for text in texts for slot in SLOT.findall(text)}
        assert used <= drawn, (name, sorted(used - drawn))


def test_banks_cover_every_topic_family_and_language_the_traffic_reaches() -> None:
    topics, apps = banks.topics(), banks.apps()
    reached = {topic for model in models.MODELS for app, _ in model.apps for topic in apps[app].topics}
    assert reached == set(topics)
    for language in banks.languages().values():
        assert set(language.conversations) == set(topics)
    assert {model.family for model in models.MODELS} <= set(banks.refusals().by_family)
    assert any(intent.hard for topic in topics.values() for intent in topic.intents)


@pytest.fixture
def bank_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty banks directory in place of the real one, with the loaders' caches cleared around it."""
    monkeypatch.setattr(banks, "BANKS_DIR", tmp_path)
    banks.refusals.cache_clear()
    banks.topics.cache_clear()
    yield tmp_path
    banks.refusals.cache_clear()
    banks.topics.cache_clear()


def test_a_malformed_bank_names_its_file_and_key(bank_dir: Path) -> None:
    (bank_dir / "refusals.json").write_text(
        json.dumps(
            {
                "by_family": {"llama": ["I can't."]},
                "over_cautious": [{"text": "No.", "weight": "5"}],
                "offers": ["?"],
            }
        )
    )
    with pytest.raises(
        banks.BankError, match=r"refusals\.json\.over_cautious\[0\]\.weight: expected a positive number"
    ):
        banks.refusals()


def test_a_typo_in_a_key_fails_instead_of_being_ignored(bank_dir: Path) -> None:
    (bank_dir / "refusals.json").write_text(json.dumps({"by_family": {}, "over_cautious": [], "offer": []}))
    with pytest.raises(banks.BankError, match=r"missing keys \['offers'\], unknown keys \['offer'\]"):
        banks.refusals()


def test_a_pool_of_mixed_kinds_is_rejected(bank_dir: Path) -> None:
    topic = json.loads((Path(banks.__file__).parents[1] / "banks" / "topics" / "health.json").read_text())
    topic["slot_values"]["weight"] = [55, "65"]
    (bank_dir / "topics").mkdir()
    (bank_dir / "topics" / "health.json").write_text(json.dumps(topic))
    with pytest.raises(banks.BankError, match=r"topics/health\.json\.slot_values\.weight: .* not a mix"):
        banks.topics()
