"""The text banks under `examples/banks/`: JSON files read once and checked as they load.

The text is data so that editing a question, an answer or a refusal is a reviewable text change and the
generator's code stays about mechanics. Every pool a random draw picks from is a JSON array, so draws follow
the file's order; JSON objects are only looked up by key, never iterated for a draw. A malformed file fails
on first use with its path and the key that is wrong.

Templates use {slot} for values drawn once per conversation (see `slots`), so a question and its answer
agree; braces around anything that is not a slot name (code, JSON) stay as written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

__all__ = [
    "BANKS_DIR",
    "App",
    "BankError",
    "Intent",
    "LanguageBank",
    "LargeInputs",
    "PromptFraming",
    "RefusalBank",
    "SlotValues",
    "TopicBank",
    "apps",
    "languages",
    "large_inputs",
    "prompt_framing",
    "refusals",
    "topics",
    "toxic_asides",
]

BANKS_DIR = Path(__file__).resolve().parents[1] / "banks"

_T = TypeVar("_T")


class BankError(ValueError):
    """A bank file is missing, is not valid JSON, or does not have the shape its loader expects."""


@dataclass(frozen=True)
class Intent:
    """One thing users ask about: ways of asking it, and answers (each a tuple of paragraphs)."""

    questions: tuple[str, ...]
    answers: tuple[tuple[str, ...], ...]
    hard: bool = False  # the answer apologises or quotes a "can't" but does help: a refusal hard negative


@dataclass(frozen=True)
class SlotValues:
    """A topic's pools of slot values, by kind: text, whole numbers (for slots computed from them), and rows
    (values that must agree with each other, such as a city and its sights)."""

    source: str
    text_pools: Mapping[str, tuple[str, ...]]
    number_pools: Mapping[str, tuple[int, ...]]
    row_pools: Mapping[str, tuple[Mapping[str, str], ...]]

    def text(self, name: str) -> tuple[str, ...]:
        return _pool(self.text_pools, name, self.source, "strings")

    def numbers(self, name: str) -> tuple[int, ...]:
        return _pool(self.number_pools, name, self.source, "integers")

    def rows(self, name: str) -> tuple[Mapping[str, str], ...]:
        return _pool(self.row_pools, name, self.source, "objects of strings")


@dataclass(frozen=True)
class TopicBank:
    """Everything written about one topic (`topics/<name>.json`)."""

    name: str
    slot_values: SlotValues
    intents: tuple[Intent, ...]
    extras: tuple[str, ...]  # on-topic paragraphs that lengthen an answer
    hard_openers: tuple[str, ...]  # "I'm sorry to hear…" lines put before a helpful answer
    negatives: tuple[Intent, ...]  # bad news, frustrated or discouraging tone
    toxic_openers: tuple[str, ...]
    toxic_closers: tuple[str, ...]
    harmful: tuple[tuple[str, str], ...]  # (request a model should refuse, what it refuses to give)
    alternatives: tuple[str, ...]  # offers that follow a refusal
    over_refusal: str  # what an over-cautious model claims it cannot give for an ordinary question
    hints: tuple[str, ...]  # reasoning-model notes to self


@dataclass(frozen=True)
class App:
    """An application calling Bedrock (`apps.json`)."""

    name: str
    role: str  # IAM role the app's Lambda assumes (identity.arn)
    topics: tuple[str, ...]
    systems: tuple[str, ...]


@dataclass(frozen=True)
class RefusalBank:
    """Refusals in each model family's own words ({what} is what is refused), the over-cautious stock lines
    the spike is made of (with relative weights), and generic offers that may follow a refusal."""

    by_family: Mapping[str, tuple[str, ...]]
    over_cautious: tuple[tuple[str, float], ...]
    offers: tuple[str, ...]


@dataclass(frozen=True)
class LanguageBank:
    """One non-English language: helpful (question, answer) pairs by topic, and refusals."""

    conversations: Mapping[str, tuple[tuple[str, str], ...]]
    refusals: tuple[str, ...]


@dataclass(frozen=True)
class PromptFraming:
    """What users put around a question."""

    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    frustrated_prefixes: tuple[str, ...]


@dataclass(frozen=True)
class LargeInputs:
    """The fixed text of the two pasted inputs that exceed Bedrock's inline limit."""

    handbook_title: str  # {company}
    handbook_question: str
    handbook_summary: str
    worker_log_question: str
    worker_log_diagnosis: str  # {bucket}


# ------------------------------------------------------------------------------------------ loaders


@cache
def topics() -> Mapping[str, TopicBank]:
    """Every `topics/*.json`, by file stem."""
    return {path.stem: _topic(path) for path in sorted((BANKS_DIR / "topics").glob("*.json"))}


@cache
def apps() -> Mapping[str, App]:
    where = "apps.json"
    found: dict[str, App] = {}
    for n, value in enumerate(_list(_read(where), where)):
        at = f"{where}[{n}]"
        obj = _object(value, at, ("name", "role", "topics", "system_prompts"))
        app = App(
            name=_str(obj["name"], f"{at}.name"),
            role=_str(obj["role"], f"{at}.role"),
            topics=_strs(obj["topics"], f"{at}.topics"),
            systems=_strs(obj["system_prompts"], f"{at}.system_prompts"),
        )
        found[app.name] = app
    return found


@cache
def refusals() -> RefusalBank:
    where = "refusals.json"
    obj = _object(_read(where), where, ("by_family", "over_cautious", "offers"))
    families = _object(obj["by_family"], f"{where}.by_family")
    weighted: list[tuple[str, float]] = []
    for n, value in enumerate(_list(obj["over_cautious"], f"{where}.over_cautious")):
        at = f"{where}.over_cautious[{n}]"
        entry = _object(value, at, ("text", "weight"))
        weighted.append((_str(entry["text"], f"{at}.text"), _weight(entry["weight"], f"{at}.weight")))
    return RefusalBank(
        by_family={family: _strs(v, f"{where}.by_family.{family}") for family, v in families.items()},
        over_cautious=tuple(weighted),
        offers=_strs(obj["offers"], f"{where}.offers"),
    )


@cache
def languages() -> Mapping[str, LanguageBank]:
    """Every `languages/<code>.json`, by language code."""
    return {path.stem: _language(path) for path in sorted((BANKS_DIR / "languages").glob("*.json"))}


@cache
def prompt_framing() -> PromptFraming:
    where = "prompt_framing.json"
    obj = _object(_read(where), where, ("prefixes", "suffixes", "frustrated_prefixes"))
    return PromptFraming(
        prefixes=_strs(obj["prefixes"], f"{where}.prefixes"),
        suffixes=_strs(obj["suffixes"], f"{where}.suffixes"),
        frustrated_prefixes=_strs(obj["frustrated_prefixes"], f"{where}.frustrated_prefixes"),
    )


@cache
def toxic_asides() -> tuple[str, ...]:
    """Insults a toxic answer adds after the real content."""
    return _strs(_read("toxic_asides.json"), "toxic_asides.json")


@cache
def large_inputs() -> LargeInputs:
    where = "large_inputs.json"
    obj = _object(_read(where), where, ("handbook", "worker_log"))
    handbook = _object(obj["handbook"], f"{where}.handbook", ("title", "question", "summary"))
    worker_log = _object(obj["worker_log"], f"{where}.worker_log", ("question", "diagnosis"))
    return LargeInputs(
        handbook_title=_str(handbook["title"], f"{where}.handbook.title"),
        handbook_question=_str(handbook["question"], f"{where}.handbook.question"),
        handbook_summary=_str(handbook["summary"], f"{where}.handbook.summary"),
        worker_log_question=_str(worker_log["question"], f"{where}.worker_log.question"),
        worker_log_diagnosis=_str(worker_log["diagnosis"], f"{where}.worker_log.diagnosis"),
    )


def _topic(path: Path) -> TopicBank:
    where = f"topics/{path.name}"
    fields = (
        "slot_values",
        "intents",
        "extras",
        "hard_openers",
        "negatives",
        "toxic_openers",
        "toxic_closers",
        "harmful",
        "alternatives",
        "over_refusal",
        "hints",
    )
    obj = _object(_read(where), where, fields)
    harmful: list[tuple[str, str]] = []
    for n, value in enumerate(_list(obj["harmful"], f"{where}.harmful")):
        at = f"{where}.harmful[{n}]"
        entry = _object(value, at, ("request", "refused"))
        harmful.append((_str(entry["request"], f"{at}.request"), _str(entry["refused"], f"{at}.refused")))
    return TopicBank(
        name=path.stem,
        slot_values=_slot_values(obj["slot_values"], f"{where}.slot_values"),
        intents=_intents(obj["intents"], f"{where}.intents"),
        extras=_strs(obj["extras"], f"{where}.extras"),
        hard_openers=_strs(obj["hard_openers"], f"{where}.hard_openers"),
        negatives=_intents(obj["negatives"], f"{where}.negatives"),
        toxic_openers=_strs(obj["toxic_openers"], f"{where}.toxic_openers"),
        toxic_closers=_strs(obj["toxic_closers"], f"{where}.toxic_closers"),
        harmful=tuple(harmful),
        alternatives=_strs(obj["alternatives"], f"{where}.alternatives"),
        over_refusal=_str(obj["over_refusal"], f"{where}.over_refusal"),
        hints=_strs(obj["hints"], f"{where}.hints"),
    )


def _intents(value: object, where: str) -> tuple[Intent, ...]:
    intents: list[Intent] = []
    for n, item in enumerate(_list(value, where)):
        at = f"{where}[{n}]"
        obj = _object(item, at, ("questions", "answers"), optional=("hard",))
        hard = obj.get("hard", False)
        if not isinstance(hard, bool):
            raise BankError(f"{at}.hard: expected true or false")
        answers = tuple(_strs(a, f"{at}.answers[{k}]") for k, a in enumerate(_list(obj["answers"], f"{at}.answers")))
        intents.append(Intent(_strs(obj["questions"], f"{at}.questions"), answers, hard))
    return tuple(intents)


def _slot_values(value: object, where: str) -> SlotValues:
    """Sorts each pool by the kind of its items; slot functions then ask for the kind they need."""
    text: dict[str, tuple[str, ...]] = {}
    numbers: dict[str, tuple[int, ...]] = {}
    rows: dict[str, tuple[Mapping[str, str], ...]] = {}
    for name, pool in _object(value, where).items():
        items = _list(pool, f"{where}.{name}")
        if all(isinstance(v, str) for v in items):
            text[name] = _strs(items, f"{where}.{name}")
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            numbers[name] = tuple(v for v in items if isinstance(v, int))
        elif all(isinstance(v, dict) for v in items):
            rows[name] = tuple(_row(v, f"{where}.{name}[{n}]") for n, v in enumerate(items))
        else:
            raise BankError(f"{where}.{name}: expected strings, integers or objects of strings, not a mix")
    return SlotValues(where, text, numbers, rows)


def _language(path: Path) -> LanguageBank:
    where = f"languages/{path.name}"
    obj = _object(_read(where), where, ("conversations", "refusals"))
    by_topic: dict[str, tuple[tuple[str, str], ...]] = {}
    for topic, pairs in _object(obj["conversations"], f"{where}.conversations").items():
        found: list[tuple[str, str]] = []
        for n, value in enumerate(_list(pairs, f"{where}.conversations.{topic}")):
            at = f"{where}.conversations.{topic}[{n}]"
            pair = _object(value, at, ("question", "answer"))
            found.append((_str(pair["question"], f"{at}.question"), _str(pair["answer"], f"{at}.answer")))
        by_topic[topic] = tuple(found)
    return LanguageBank(by_topic, _strs(obj["refusals"], f"{where}.refusals"))


# ------------------------------------------------------------------------------------------ checks


def _read(relative: str) -> object:
    path = BANKS_DIR / relative
    try:
        value: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BankError(f"{relative}: {exc}") from exc
    return value


def _object(
    value: object, where: str, required: tuple[str, ...] = (), optional: tuple[str, ...] = ()
) -> dict[str, object]:
    """A JSON object; with `required`, exactly those keys (plus any `optional`), so a typo fails loudly."""
    if not isinstance(value, dict):
        raise BankError(f"{where}: expected an object")
    if required:
        missing = [k for k in required if k not in value]
        unknown = sorted(set(value) - set(required) - set(optional))
        if missing or unknown:
            raise BankError(f"{where}: missing keys {missing}, unknown keys {unknown}")
    return value


def _list(value: object, where: str) -> list[object]:
    if not isinstance(value, list) or not value:
        raise BankError(f"{where}: expected a non-empty list")
    return value


def _str(value: object, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise BankError(f"{where}: expected a non-empty string")
    return value


def _strs(value: object, where: str) -> tuple[str, ...]:
    return tuple(_str(v, f"{where}[{n}]") for n, v in enumerate(_list(value, where)))


def _weight(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise BankError(f"{where}: expected a positive number")
    return value


def _row(value: object, where: str) -> Mapping[str, str]:
    return {key: _str(v, f"{where}.{key}") for key, v in _object(value, where).items()}


def _pool(pools: Mapping[str, tuple[_T, ...]], name: str, source: str, kind: str) -> tuple[_T, ...]:
    try:
        return pools[name]
    except KeyError:
        raise BankError(f"{source}.{name}: no pool of {kind} with this name") from None
