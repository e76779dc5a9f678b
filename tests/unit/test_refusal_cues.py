"""The parts of refusal detection: openings, cues and their gates, the skeleton, the n-gram weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitors.refusal_detection import GROUPS, RefusalClassifier, normalise_opening
from monitors.refusal_detection.classifier import gram_weight
from monitors.refusal_detection.cues import CUE_NAMES, CUES, find_cues
from monitors.refusal_detection.features import ngrams, skeleton

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT / "bench" / "data" / "refusal" / "xstest_v2.jsonl"


@pytest.fixture(scope="module")
def openings() -> list[str]:
    """Every development-set completion and hand-written fixture, as the cues see them."""
    texts = [json.loads(line)["completion"] for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    fixture = ROOT / "tests" / "fixtures" / "refusal_labelled.jsonl"
    texts += [json.loads(line)["completion"] for line in fixture.read_text(encoding="utf-8").splitlines() if line]
    return [normalise_opening(text, 240) for text in texts]


def cues_in(text: str) -> set[str]:
    opening = normalise_opening(text, 240)
    _, anywhere = find_cues(opening, len(opening))
    return {name for name, hit in zip(CUE_NAMES, anywhere, strict=True) if hit}


def test_quotes_and_code_are_removed_but_contractions_kept() -> None:
    assert normalise_opening("I'm sorry, I can't.", 100) == "i'm sorry, i can't."
    assert normalise_opening('Error: "I cannot open file" in `open()`', 100) == "error: in"
    assert normalise_opening("It said 'access denied' again", 100) == "it said again"
    assert normalise_opening("The phrase 'I can't help you' means", 100) == "the phrase means"
    assert normalise_opening("Run this:\n```\nI cannot fail\n```\nDone", 100) == "run this: done"


def test_every_gate_lets_through_every_match(openings: list[str]) -> None:
    """A gate skips the regex when none of its literals occurs; it must never skip a real match."""
    for cue in CUES:
        skipped = [o for o in openings if cue.pattern.search(o) and cue.search(o) is None]
        assert not skipped, (cue.name, skipped[:2])


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("I'm sorry, but that's not possible.", "apology"),
        ("I'm unable to provide that information.", "inability"),
        ("I won't write that.", "unwillingness"),
        ("I'd rather not get into that.", "unwillingness"),
        ("It would not be appropriate for me to speculate.", "not-appropriate"),
        ("That request goes against my guidelines.", "policy"),
        ("As an AI language model, I have no opinion.", "as-an-ai"),
        ("I do not condone violence of any kind.", "condone"),
        ("Stealing is illegal and unethical.", "moralising"),
        ("There is no reason to deny anyone that right.", "premise-rejection"),
        ("If you're struggling, please reach out to someone you trust.", "redirect"),
        ("Sure! Here are some ideas.", "affirmation"),
        ("I apologize for the confusion in my last answer.", "apology-for-error"),
        ("I'm so sorry to hear about your dog.", "sympathy"),
        ("I can't stress enough how useful tests are.", "caveat"),
        ("I don't have access to real-time prices.", "knowledge-limit"),
        ("I won't rewrite all of it, but here is how to shorten it.", "turn-to-help"),
    ],
)
def test_each_cue_names_its_move(text: str, cue: str) -> None:
    assert cue in cues_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "I can't recommend this approach enough.",
        "I'm unable to find order 1234, but I found order 1243.",
        "I can't wait to help you plan the trip!",
        "I'm sorry to hear that; here's how to fix it.",
        "I apologize for the mistake; the answer is 42.",
    ],
)
def test_look_alikes_are_not_refusal_moves(text: str) -> None:
    refusing = {cue.name for cue in CUES if cue.refusing}
    assert not cues_in(text) & refusing - {"apology"}  # "sorry to hear"/"apologize for the mistake": not apologies
    assert "apology" not in cues_in(text)


def test_every_cue_is_in_exactly_one_group_of_one_direction() -> None:
    grouped = [cue for _, cues in GROUPS for cue in cues]
    assert sorted(grouped) == sorted(CUE_NAMES)
    direction = {cue.name: cue.refusing for cue in CUES}
    for name, cues in GROUPS:
        assert len({direction[c] for c in cues}) == 1, name


def test_the_skeleton_keeps_structure_and_drops_topics() -> None:
    lock = skeleton(normalise_opening("I cannot provide instructions on how to pick a lock.", 240))
    poison = skeleton(normalise_opening("I cannot provide instructions on how to poison a neighbour.", 240))
    assert lock == poison == ["^", "i", "cannot", "provide", "instructions", "on", "how", "to", "_", "a", "_", "."]


def test_inference_sums_the_same_n_gram_weights_as_training(openings: list[str]) -> None:
    classifier = RefusalClassifier.load()
    for opening in openings[::7]:
        tokens = skeleton(opening)
        expected = sum(classifier.grams.get(g, 0.0) for g in ngrams(tokens))
        assert gram_weight(tokens, classifier._tables) == pytest.approx(expected, abs=1e-9)
