"""Evidence for the drill-down: why a completion counted as a refusal, in the detector's own words.

Every evidence string comes from a bounded vocabulary — `phrase:<a phrase from refusal_phrases/>`,
`cue:<a cue name from cues.py>`, or `wording` when only the opening's skeleton n-grams decided — so it can
ride on each EMF line as a property and be grouped in Logs Insights. It never quotes the completion.
"""

from __future__ import annotations

from monitors.refusal_detection.classifier import RefusalClassifier
from monitors.refusal_detection.features import GROUPS, Features

#: Dense features that are the phrase match, and the one that is a pair of cue groups (its push counts
#: for the decline).
_PHRASE_FEATURES = ("phrase-score", "phrase-match")
_PAIR = ("apology+decline", "decline")
WORDING = "wording"


def phrase_evidence(phrase: str) -> str:
    return f"phrase:{phrase}"


def cue_evidence(cue: str) -> str:
    return f"cue:{cue}"


def explain(classifier: RefusalClassifier, features: Features, phrase: str) -> str:
    """What pushed this completion's score up most: the phrase match, or the first cue found of the cue
    group that added most (`phrase`: the best-matching phrase of the completion's family)."""
    cues_of = dict(GROUPS)
    pushes: dict[str, float] = {}
    for name, value in classifier.contributions(features).items():
        source = name.split(":", 1)[-1]
        if name in _PHRASE_FEATURES:
            source = "phrase"
        elif name == _PAIR[0]:
            source = _PAIR[1]
        pushes[source] = pushes.get(source, 0.0) + value
    for _, source in sorted(((v, s) for s, v in pushes.items() if v > 0), reverse=True):
        if source == "phrase":
            return phrase_evidence(phrase)
        found = [cue for cue in features.cues if cue in cues_of.get(source, ())]
        if found:
            return cue_evidence(found[0])
    return WORDING
