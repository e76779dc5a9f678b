"""The canary catalog: the default catalog's make-up, and validation that names every problem."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from canary.catalog import DEFAULT_CATALOG, CatalogError, Expect, load_catalog, parse_catalog
from shared.errors import ConfigurationError

# Bedrock's requestMetadata value pattern: case ids travel there.
REQUEST_METADATA_VALUE = re.compile(r"^[a-zA-Z0-9\s:_@$#=/+,.-]{0,256}$")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_the_default_catalog_has_enough_cases_of_each_kind(catalog) -> None:
    expects = Counter(case.expect for case in catalog)
    assert len(catalog) >= 60
    assert expects[Expect.REFUSE] >= 20 and expects[Expect.ANSWER] >= 40
    probes = [c for c in catalog if "over-refusal-probe" in c.tags]
    factual = [c for c in catalog if "factual" in c.tags]
    assert len(probes) >= 20 and all(c.expect is Expect.ANSWER and not c.reference for c in probes)
    assert len(factual) >= 20 and all(c.reference and c.system for c in factual)
    assert all("harmful" in c.tags for c in catalog if c.expect is Expect.REFUSE)
    # over-refusal probes of several kinds, not one trick repeated
    kinds = {
        "homonym",
        "figurative",
        "safe-target",
        "safe-context",
        "definition",
        "history",
        "fiction",
        "public-figure",
    }
    assert kinds <= {tag for c in probes for tag in c.tags}


def test_the_default_catalog_exercises_every_field(catalog) -> None:
    assert any(len(c.messages) > 1 for c in catalog), "a multi-turn case"
    assert {c.language for c in catalog} >= {"en", "fr", "de", "es"}
    assert catalog.with_reference() == sum(1 for c in catalog if c.reference)
    assert len(catalog.sha256) == 64 and catalog.source == str(DEFAULT_CATALOG)


def test_case_ids_are_unique_and_fit_request_metadata(catalog) -> None:
    ids = [c.id for c in catalog]
    assert len(ids) == len(set(ids))
    assert all(REQUEST_METADATA_VALUE.match(i) for i in ids)


def test_harmful_prompts_are_short_requests_without_operational_detail(catalog) -> None:
    for case in catalog:
        if case.expect is Expect.REFUSE:
            assert len(case.prompt) < 160, case.id  # a request, never a recipe
            assert not re.search(r"\d+\s*(g|mg|ml|grams?|litres?)\b", case.prompt), case.id


def write(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "catalog.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path


GOOD = {"id": "a-1", "prompt": "What is 2 + 2?", "expect": "answer", "reference": "4", "tags": ["math"]}


def test_a_valid_catalog_with_comments_blank_lines_and_a_conversation(tmp_path: Path) -> None:
    conversation = {
        "id": "conv-1",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Capital of Peru?"},
        ],
        "system": "Be brief.",
        "expect": "answer",
        "language": "pt-BR",
    }
    catalog = load_catalog(write(tmp_path, "# my cases", GOOD, "", conversation))
    assert [c.id for c in catalog] == ["a-1", "conv-1"]
    second = catalog.get("conv-1")
    assert second is not None and second.prompt == "Capital of Peru?" and second.system == "Be brief."
    assert second.converse_messages()[1] == {"role": "assistant", "content": [{"text": "Hello!"}]}
    assert catalog.get("nope") is None


@pytest.mark.parametrize(
    ("case", "problem"),
    [
        ({**GOOD, "expect": "deny"}, "line 2: 'expect' must be 'refuse' or 'answer', got 'deny'"),
        ({**GOOD, "id": "has space"}, "line 2: 'id' must be 1-64 letters"),
        (
            {**GOOD, "messages": [{"role": "user", "content": "x"}]},
            "line 2: give exactly one of 'prompt' and 'messages'",
        ),
        ({k: v for k, v in GOOD.items() if k != "prompt"}, "line 2: give exactly one of 'prompt' and 'messages'"),
        ({**GOOD, "prompt": "  "}, "line 2: 'prompt' must be a non-empty string"),
        ({**GOOD, "expect": "refuse"}, "line 2: 'reference' applies to 'answer' cases only"),
        ({**GOOD, "tags": "math"}, "line 2: 'tags' must be a list of lowercase words"),
        ({**GOOD, "tags": ["Math"]}, "line 2: 'tags' must be a list of lowercase words"),
        ({**GOOD, "language": "English"}, "line 2: 'language' must be a language tag"),
        ({**GOOD, "colour": "red"}, "line 2: unknown field(s) colour"),
        ({**GOOD, "system": 3}, "line 2: 'system' must be a non-empty string when given"),
        (
            {**{k: v for k, v in GOOD.items() if k != "prompt"}, "messages": [{"role": "assistant", "content": "x"}]},
            "line 2: messages[0]: 'role' must be 'user'",
        ),
        (
            {
                **{k: v for k, v in GOOD.items() if k != "prompt"},
                "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],
            },
            "line 2: the last message must be the user's",
        ),
        ("{not json", "line 2: not valid JSON"),
        ("[1, 2]", "line 2: a case must be a JSON object"),
    ],
)
def test_each_problem_is_named_with_its_line_and_field(tmp_path: Path, case: object, problem: str) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, GOOD | {"id": "first"}, case))
    assert caught.value.key == "canary.catalog"
    assert problem in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, GOOD, GOOD, {**GOOD, "id": "b", "expect": "x"}, "{"))
    problems = caught.value.problems
    assert len(problems) == 3
    assert "line 2: 'id' 'a-1' repeats the case on line 1" in problems[0]
    assert problems[1].startswith("line 3:") and problems[2].startswith("line 4:")


def test_an_empty_or_unreadable_catalog_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="holds no cases"):
        parse_catalog(b"# nothing\n\n", source="empty.jsonl")
    with pytest.raises(CatalogError, match="not UTF-8"):
        parse_catalog(b"\xff\xfe", source="bad.jsonl")
    with pytest.raises(ConfigurationError, match=r"canary\.catalog: cannot read .*missing\.jsonl"):
        load_catalog(tmp_path / "missing.jsonl")
