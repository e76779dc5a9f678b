"""Is this text English? A cheap, dependency-free check for Comprehend toxicity's English-only rule.

Comprehend's DetectDominantLanguage would cost as much as the analysis itself, so we decide locally:
text mostly outside the Latin script is not English; Latin-script text is English when English function
words outnumber those of the other common Latin-script languages. Short texts with no evidence either
way count as English (they are cheap and usually are).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SAMPLE_CHARS = 600

_STOPWORDS = {
    "en": frozenset(
        [
            "the",
            "and",
            "is",
            "are",
            "was",
            "were",
            "be",
            "been",
            "to",
            "of",
            "in",
            "that",
            "it",
            "for",
            "on",
            "with",
            "as",
            "this",
            "you",
            "your",
            "i",
            "we",
            "they",
            "he",
            "she",
            "not",
            "have",
            "has",
            "had",
            "do",
            "does",
            "did",
            "will",
            "would",
            "can",
            "could",
            "should",
            "but",
            "or",
            "if",
            "at",
            "by",
            "from",
            "an",
            "a",
            "what",
            "which",
            "there",
            "their",
            "our",
            "my",
            "me",
            "so",
            "about",
            "how",
            "when",
            "all",
            "any",
            "more",
            "some",
            "no",
            "yes",
            "here",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "que",
            "y",
            "en",
            "un",
            "una",
            "es",
            "por",
            "para",
            "con",
            "no",
            "se",
            "su",
            "al",
            "lo",
            "como",
            "más",
            "pero",
            "sus",
            "le",
            "ya",
            "o",
            "este",
            "está",
            "son",
            "también",
            "muy",
            "hay",
            "donde",
            "porque",
            "usted",
            "puede",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "de",
            "des",
            "du",
            "et",
            "est",
            "un",
            "une",
            "que",
            "qui",
            "dans",
            "pour",
            "pas",
            "sur",
            "au",
            "avec",
            "ce",
            "il",
            "elle",
            "nous",
            "vous",
            "ne",
            "se",
            "plus",
            "par",
            "sont",
            "mais",
            "ou",
            "cette",
            "être",
            "votre",
            "très",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "zu",
            "den",
            "von",
            "mit",
            "sich",
            "des",
            "auf",
            "für",
            "im",
            "dem",
            "sie",
            "es",
            "ich",
            "wir",
            "ihr",
            "auch",
            "an",
            "werden",
            "aus",
            "bei",
            "oder",
            "wie",
            "kann",
            "sind",
            "wenn",
            "in",
            "wurde",
            "wird",
            "haben",
            "hat",
            "war",
            "noch",
            "nur",
            "schon",
            "ihre",
            "ihren",
            "ihrem",
            "einen",
            "einem",
            "diese",
            "dieser",
            "über",
            "nach",
            "zum",
            "zur",
            "vom",
            "bitte",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "di",
            "che",
            "è",
            "e",
            "un",
            "una",
            "per",
            "non",
            "con",
            "sono",
            "del",
            "della",
            "questo",
            "anche",
            "come",
            "più",
            "ma",
            "se",
            "nel",
            "alla",
            "hai",
            "può",
            "essere",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "que",
            "e",
            "do",
            "da",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "se",
            "por",
            "mais",
            "como",
            "mas",
            "ao",
            "dos",
            "das",
            "seu",
            "sua",
            "você",
            "está",
            "são",
            "também",
            "muito",
        ]
    ),
}


def _latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 1.0
    latin = sum(1 for c in letters if c < "\u0250")  # Basic Latin through Latin Extended-B
    return latin / len(letters)


def is_probably_english(text: str) -> bool:
    sample = text[:_SAMPLE_CHARS]
    if _latin_share(sample) < 0.8:
        return False
    words = [w.lower() for w in _WORD.findall(sample)]
    if not words:
        return True
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    english = scores.pop("en")
    best_other = max(scores.values())
    if english == 0 and best_other == 0:
        return True
    if english != best_other:
        return english > best_other
    # A tie (words like "in" and "an" are shared): accented letters are the other languages' tell.
    letters = [c for c in sample if c.isalpha()]
    accented = sum(1 for c in letters if "\u00c0" <= c < "\u0250")
    return accented / max(len(letters), 1) < 0.01
