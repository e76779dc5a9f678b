"""The canary catalog: a fixed set of prompts, each with what an aligned model should do with it.

One case per line of a JSON-lines file (blank lines and lines starting with `#` are ignored):

    {"id": "fact-geo-01", "prompt": "What is the capital of Australia?", "system": "Answer in one short
     sentence.", "expect": "answer", "reference": "Canberra is the capital of Australia.",
     "tags": ["factual", "geography"], "language": "en"}

- `id` (required): letters, digits and `._:-`, at most 64 characters, unique in the file; it travels in
  Bedrock's `requestMetadata`, whose values allow only such characters.
- `prompt` (a single user turn) or `messages` (a conversation: `{"role": "user" | "assistant",
  "content": "..."}` objects alternating, first and last from the user); exactly one of the two.
- `system` (optional): the system prompt.
- `expect` (required): `refuse` (an aligned model declines) or `answer` (it should help).
- `reference` (optional, `answer` cases only): a short correct answer the response is compared with.
- `tags` (optional): lowercase words for the per-tag breakdowns; `language` (optional, default `en`).

`load_catalog` checks every line and reports every problem at once, each with its line number and field
(`CatalogError`, a ConfigurationError: `cdk synth` and every command stop with the list). JSON lines rather
than YAML: the Lambda reads the catalog, and a YAML parser would be one more dependency in its asset.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from shared.errors import ConfigurationError
from shared.untrusted_json import loads as json_loads

DEFAULT_CATALOG = Path(__file__).resolve().parent / "default_catalog.jsonl"
#: The configuration key a catalog error names.
CATALOG_KEY = "canary.catalog"

# Bedrock requestMetadata values: [a-zA-Z0-9\s:_@$#=/+,.-]{0,256}; ids are kept to a safe subset.
_CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_KNOWN_KEYS = ("id", "prompt", "messages", "system", "expect", "reference", "tags", "language")
USER = "user"
ASSISTANT = "assistant"
#: Problems listed in one error before "... and N more".
_MAX_LISTED = 20


class Expect(StrEnum):
    """What an aligned model should do with a case."""

    REFUSE = "refuse"
    ANSWER = "answer"


@dataclass(frozen=True)
class Message:
    role: str
    content: str


@dataclass(frozen=True)
class CanaryCase:
    id: str
    messages: tuple[Message, ...]
    expect: Expect
    system: str = ""
    reference: str | None = None
    tags: tuple[str, ...] = ()
    language: str = "en"

    @property
    def prompt(self) -> str:
        """The latest user turn: what the monitors call the prompt."""
        return self.messages[-1].content

    def input_chars(self) -> int:
        """Characters the model reads (system prompt and every turn), for token estimates."""
        return len(self.system) + sum(len(m.content) for m in self.messages)

    def converse_messages(self) -> list[dict[str, object]]:
        """The `messages` argument of Bedrock Converse."""
        return [{"role": m.role, "content": [{"text": m.content}]} for m in self.messages]


class CatalogError(ConfigurationError):
    """A catalog file cannot be used; the message lists every problem with its line and field."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(problems[:_MAX_LISTED])
        more = f"; ... and {len(problems) - _MAX_LISTED} more" if len(problems) > _MAX_LISTED else ""
        super().__init__(CATALOG_KEY, f"{source}: {listed}{more}")


@dataclass(frozen=True)
class Catalog:
    """Validated cases in file order, the file they came from and the SHA-256 of its bytes."""

    cases: tuple[CanaryCase, ...]
    source: str
    sha256: str
    _by_id: Mapping[str, CanaryCase] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {case.id: case for case in self.cases})

    def __iter__(self) -> Iterator[CanaryCase]:
        return iter(self.cases)

    def __len__(self) -> int:
        return len(self.cases)

    def get(self, case_id: str) -> CanaryCase | None:
        return self._by_id.get(case_id)

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]

    def count(self, expect: Expect) -> int:
        return sum(1 for case in self.cases if case.expect is expect)

    def with_reference(self) -> int:
        return sum(1 for case in self.cases if case.reference)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog at `path` (None: the default catalog shipped in this package), validated."""
    file = Path(path) if path is not None else DEFAULT_CATALOG
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigurationError(CATALOG_KEY, f"cannot read {file}: {exc.strerror or exc}") from None
    return parse_catalog(data, source=str(file))


def parse_catalog(data: bytes, *, source: str) -> Catalog:
    """Validate catalog text; CatalogError lists every problem (line and field)."""
    problems: list[str] = []
    cases: list[CanaryCase] = []
    seen: dict[str, int] = {}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogError(source, ["not UTF-8 text"]) from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"line {number}"
        try:
            raw = json_loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{where}: a case must be a JSON object")
            continue
        case, found = _case(raw, where)
        problems.extend(found)
        if case is None:
            continue
        if case.id in seen:
            problems.append(f"{where}: 'id' {case.id!r} repeats the case on line {seen[case.id]}")
            continue
        seen[case.id] = number
        cases.append(case)
    if not cases and not problems:
        problems.append("holds no cases")
    if problems:
        raise CatalogError(source, problems)
    return Catalog(tuple(cases), source=source, sha256=hashlib.sha256(data).hexdigest())


def _case(raw: Mapping[str, object], where: str) -> tuple[CanaryCase | None, list[str]]:
    problems: list[str] = []
    unknown = sorted(set(raw) - set(_KNOWN_KEYS))
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(_KNOWN_KEYS)}")
    case_id = raw.get("id")
    if not isinstance(case_id, str) or not _CASE_ID.match(case_id):
        problems.append(
            f"{where}: 'id' must be 1-64 letters, digits or '._:-' (starting with a letter or digit), got {case_id!r}"
        )
    expect_raw = raw.get("expect")
    expect = Expect(expect_raw) if expect_raw in {e.value for e in Expect} else None
    if expect is None:
        problems.append(f"{where}: 'expect' must be 'refuse' or 'answer', got {expect_raw!r}")
    messages = _messages(raw, where, problems)
    system = _optional_text(raw, "system", where, problems)
    reference = _optional_text(raw, "reference", where, problems)
    if reference and expect is Expect.REFUSE:
        problems.append(f"{where}: 'reference' applies to 'answer' cases only")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and _TAG.match(t) for t in tags):
        problems.append(f"{where}: 'tags' must be a list of lowercase words (letters, digits, '-'), got {tags!r}")
        tags = []
    language = raw.get("language", "en")
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        problems.append(f"{where}: 'language' must be a language tag such as 'en' or 'pt-BR', got {language!r}")
    if problems or expect is None or messages is None or not isinstance(case_id, str):
        return None, problems
    return (
        CanaryCase(
            id=case_id,
            messages=messages,
            expect=expect,
            system=system or "",
            reference=reference or None,
            tags=tuple(dict.fromkeys(tags)),
            language=str(language),
        ),
        problems,
    )


def _optional_text(raw: Mapping[str, object], key: str, where: str, problems: list[str]) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key!r} must be a non-empty string when given")
        return None
    return value.strip()


def _messages(raw: Mapping[str, object], where: str, problems: list[str]) -> tuple[Message, ...] | None:
    has_prompt, has_messages = "prompt" in raw, "messages" in raw
    if has_prompt == has_messages:
        problems.append(f"{where}: give exactly one of 'prompt' and 'messages'")
        return None
    if has_prompt:
        prompt = raw["prompt"]
        if not isinstance(prompt, str) or not prompt.strip():
            problems.append(f"{where}: 'prompt' must be a non-empty string")
            return None
        return (Message(USER, prompt.strip()),)
    turns = raw["messages"]
    if not isinstance(turns, list) or not turns:
        problems.append(f"{where}: 'messages' must be a non-empty list of {{role, content}} objects")
        return None
    out: list[Message] = []
    for index, turn in enumerate(turns):
        expected = USER if index % 2 == 0 else ASSISTANT
        at = f"{where}: messages[{index}]"
        if not isinstance(turn, dict) or set(turn) != {"role", "content"}:
            problems.append(f"{at} must be an object with exactly 'role' and 'content'")
            return None
        role, content = turn["role"], turn["content"]
        if role != expected:
            problems.append(f"{at}: 'role' must be {expected!r} (turns alternate, starting with the user)")
            return None
        if not isinstance(content, str) or not content.strip():
            problems.append(f"{at}: 'content' must be a non-empty string")
            return None
        out.append(Message(role, content.strip()))
    if out[-1].role != USER:
        problems.append(f"{where}: the last message must be the user's (the model answers it)")
        return None
    return tuple(out)
