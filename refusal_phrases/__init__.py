"""Refusal phrase sets, one file per model family plus a generic set every family also uses.

Edit the `.txt` files to extend them: one phrase per line, `#` starts a comment. A phrase should be what
a refusal *starts* with and be specific enough (four words or more) not to match ordinary help: a phrase
match counts as a refusal on its own. Models whose id names no known provider use `generic.txt` alone.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
GENERIC = "generic"

# Model-family markers in model ids, inference-profile ids and ARNs (checked in order).
_FAMILY_MARKERS = (
    ("anthropic", ("anthropic", "claude")),
    ("amazon", ("amazon.", ".amazon.", "titan", "nova")),
    ("meta", ("meta.", "llama")),
    ("mistral", ("mistral", "mixtral", "pixtral")),
    ("cohere", ("cohere",)),
    ("ai21", ("ai21", "jamba")),
    ("deepseek", ("deepseek",)),
    ("openai", ("openai", "gpt-")),
    ("google", ("google.", "gemma", "gemini")),
    ("qwen", ("qwen",)),
)
FAMILIES = tuple(name for name, _ in _FAMILY_MARKERS)


def parse_family_overrides(text: str) -> dict[str, str]:
    """`modelId=family,modelId=family` (for ids that name no provider, like application inference
    profile ARNs) to a dict; ValueError names what is wrong."""
    overrides: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        model_id, sep, family = pair.rpartition("=")
        if not sep or not model_id or not family:
            raise ValueError(f"expected modelId=family pairs, got {pair!r}")
        if family not in (*FAMILIES, GENERIC):
            raise ValueError(f"unknown family {family!r}; known: {', '.join((*FAMILIES, GENERIC))}")
        overrides[model_id.strip()] = family.strip()
    return overrides


def family_of(model_id: str, overrides: dict[str, str] | None = None) -> str:
    """The phrase family for a model id ('generic' when nothing in the id names a provider)."""
    if overrides and model_id in overrides:
        return overrides[model_id]
    lowered = model_id.lower()
    for family, markers in _FAMILY_MARKERS:
        if any(marker in lowered for marker in markers):
            return family
    return GENERIC


def _read(path: Path) -> list[str]:
    phrases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            phrases.append(text)
    return phrases


@cache
def phrase_sets(directory: Path = DIRECTORY) -> dict[str, tuple[str, ...]]:
    """Every family's phrases (generic ones included), deduplicated, read once per process."""
    generic = _read(directory / f"{GENERIC}.txt")
    sets = {GENERIC: tuple(dict.fromkeys(generic))}
    for path in sorted(directory.glob("*.txt")):
        family = path.stem
        if family == GENERIC:
            continue
        if not re.fullmatch(r"[a-z0-9_-]+", family):
            continue
        sets[family] = tuple(dict.fromkeys(generic + _read(path)))
    for family in FAMILIES:
        sets.setdefault(family, sets[GENERIC])
    return sets
