"""The part of a completion a refusal lives in: its opening, with quotes and code taken out.

Refusals say so up front ("I'm sorry, but I can't…", "As an AI, I cannot…", "It is not appropriate to…"),
sometimes after a short preamble ("Thank you for your question. However, I cannot…"). Text the model
quotes or writes as code is not the model speaking: an answer that explains the error message
"I can't open file" is not refusing anything, so quoted spans and code are removed before any matching.
"""

from __future__ import annotations

import re

# Code and quoted text. A single quote opens a quotation only when no letter touches it from outside
# (so "I'm" is not one), and an apostrophe between two letters inside it ('I can't help you') does not
# close it.
# Every alternative starts with its quote character (the lookbehind comes after it), so the regex engine
# jumps from quote to quote instead of trying each position.
_QUOTED = re.compile(
    r"```.*?(```|$)|`[^`\n]*`|\"[^\"\n]{0,300}\"|“[^”\n]{0,300}”"
    r"|'(?<![\w']')(?:[^'\n]|(?<=\w)'(?=\w)){1,300}'(?![\w'])",
    re.DOTALL,
)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})
_SPACES = re.compile(r"\s+")
# A sentence ends at . ! ? or a line break followed by space; "e.g." and decimals rarely matter this early.
_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")


def normalise_opening(text: str, head_chars: int) -> str:
    """The first `head_chars` characters as the matchers see them: quotes and code removed, apostrophes
    unified, whitespace collapsed, lower case."""
    text = text[: head_chars * 3]
    if "’" in text or "‘" in text or "ʼ" in text:
        text = text.translate(_APOSTROPHES)
    text = _QUOTED.sub(" ", text)
    return " ".join(text.split()).lower()[:head_chars]


def normalise_phrase(phrase: str) -> str:
    """A phrase from the phrase files in the form `normalise_opening` gives text."""
    return _SPACES.sub(" ", phrase.translate(_APOSTROPHES)).strip().lower().rstrip(".")


def lead_end(opening: str, sentences: int = 1) -> int:
    """Where the first `sentences` sentences of a normalised opening end (its length if it has fewer)."""
    end = 0
    for _ in range(sentences):
        found = _SENTENCE_END.search(opening, end)
        if found is None:
            return len(opening)
        end = found.end()
    return end
