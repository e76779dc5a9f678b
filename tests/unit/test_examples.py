"""The bundled example logs: reproducible from the generator, parseable, and with the promised properties.

Ground truth comes from the generator's labels (kept outside the records), never from re-implementing
detection here.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import types
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from examples import generate as gen
from shared.parsing import ParseStats, parse_stream
from shared.records import InvocationRecord
from shared.sources import local_sources

COMMITTED = gen.LOGS_DIR
OBJECT_KEY = re.compile(
    r"^AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/(\d{4})/(\d{2})/(\d{2})/(\d{2})/"
    r"(\d{8}T\d{6}\d{3}Z)_[0-9a-f]{16}\.json\.gz$"
)
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SPIKE_HOUR = gen.SPIKE_HOUR.hour


@pytest.fixture(scope="module")
def examples() -> gen.ExampleSet:
    return gen.example_set()


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("logs")
    owned = root.joinpath(gen.LOG_PREFIX, "2026", "01", "01", "00")
    owned.mkdir(parents=True)
    (owned / "20260101T000000000Z_0000000000000000.json.gz").write_bytes(b"stale")
    (root / "NOTES.md").write_text("not the generator's\n")
    gen.write_example_set(root)
    return root


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, InvocationRecord], ParseStats]:
    stats = ParseStats()
    records: dict[str, InvocationRecord] = {}
    for source in local_sources(COMMITTED):
        with source.open() as stream:
            # A missing offloaded body raises here instead of being skipped.
            for _, record in parse_stream(stream, source=source.name, resolver=source.resolver, stats=stats):
                records[record.request_id] = record
    return records, stats


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*.json.gz")}


def _generations(examples: gen.ExampleSet) -> list[gen.Label]:
    return [label for label in examples.labels if label.kind == "generation"]


def _records_of_kind(examples: gen.ExampleSet, kind: str) -> list[dict]:
    return [r for r, label in zip(examples.records, examples.labels, strict=True) if label.kind == kind]


# ------------------------------------------------------------------------------------------ reproducible


def test_committed_files_are_exactly_what_the_generator_writes(regenerated: Path) -> None:
    committed, fresh = _files(COMMITTED), _files(regenerated)
    assert sorted(committed) == sorted(fresh), "run `python -m examples.generate` and commit examples/logs"
    for key, path in committed.items():
        assert gzip.decompress(path.read_bytes()) == gzip.decompress(fresh[key].read_bytes()), key
        assert path.read_bytes() == fresh[key].read_bytes(), f"{key}: same content, different gzip bytes"


def test_regenerating_removes_stale_owned_files_only(regenerated: Path) -> None:
    assert not list(regenerated.rglob("20260101T000000000Z_*"))
    assert not (regenerated / "AWSLogs/123456789012/BedrockModelInvocationLogs/us-east-1/2026/01").exists()
    assert (regenerated / "NOTES.md").read_text() == "not the generator's\n"


def test_committed_set_stays_small() -> None:
    assert sum(p.stat().st_size for p in COMMITTED.rglob("*") if p.is_file()) < 4 * 1024 * 1024


# ------------------------------------------------------------------------------------------ layout


def test_objects_are_laid_out_like_bedrock_writes_them() -> None:
    logs = {k: p for k, p in _files(COMMITTED).items() if "/data/" not in k}
    assert 60 <= len(logs) <= 80  # one object per ~5 minutes over 6 hours
    for key, path in logs.items():
        match = OBJECT_KEY.match(key)
        assert match, key
        year, month, day, hour, stamp = match.groups()
        lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
        stamps = [json.loads(line)["timestamp"] for line in lines]
        assert stamps == sorted(stamps), key
        assert all(TIMESTAMP.match(s) for s in stamps), key
        first = datetime.strptime(stamps[0], "%Y-%m-%dT%H:%M:%S.%fZ")
        last = datetime.strptime(stamps[-1], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert (year, month, day, hour) == (f"{first:%Y}", f"{first:%m}", f"{first:%d}", f"{first:%H}"), key
        assert stamp == stamps[0].replace("-", "").replace(":", "").replace(".", ""), key
        assert last - first < timedelta(minutes=5), key
        assert first.minute // 5 == last.minute // 5 and first.hour == last.hour, key


def test_offloaded_input_bodies_exist_under_the_same_hour_prefix(examples: gen.ExampleSet) -> None:
    offloaded = [(r, lab) for r, lab in zip(examples.records, examples.labels, strict=True) if lab.offloaded]
    assert 1 <= len(offloaded) <= 2
    for record, label in offloaded:
        section = record["input"]
        assert "inputBodyJson" not in section
        uri = section["inputBodyS3Path"]
        day, hour = label.timestamp[:10].replace("-", "/"), label.timestamp[11:13]
        prefix = f"s3://{gen.BUCKET}/{gen.LOG_PREFIX}/{day}/{hour}/data/"
        assert uri == f"{prefix}{label.request_id}_input.json.gz"
        body_file = COMMITTED / uri.removeprefix(f"s3://{gen.BUCKET}/")
        body = json.loads(gzip.decompress(body_file.read_bytes()))
        assert len(json.dumps(body, ensure_ascii=False).encode()) > 100 * 1024
        assert body == examples.offloaded[uri]


# ------------------------------------------------------------------------------------------ parsing


def test_parse_reads_every_line_and_knows_every_shape(
    examples: gen.ExampleSet, parsed: tuple[dict[str, InvocationRecord], ParseStats]
) -> None:
    records, stats = parsed
    kinds = Counter(label.kind for label in examples.labels)
    assert stats.malformed == 0
    assert not stats.unknown_shapes
    assert dict(stats.skipped) == {"embedding": kinds["embedding"], "error": kinds["error"]}
    assert stats.emitted == len(records) == kinds["generation"]


def test_parser_extracts_the_labelled_texts(
    examples: gen.ExampleSet, parsed: tuple[dict[str, InvocationRecord], ParseStats]
) -> None:
    records, _ = parsed
    for label in _generations(examples):
        record = records[label.request_id]
        assert record.prompt == label.prompt
        assert record.system == label.system
        assert record.completion == label.completion
        assert (record.model_id, record.operation) == (label.model_id, label.operation)
        assert record.timestamp == label.timestamp
        assert record.body_shape


# ------------------------------------------------------------------------------------------ composition


def test_six_hours_of_about_a_thousand_records(examples: gen.ExampleSet) -> None:
    assert 5500 <= len(examples.records) <= 6500
    by_hour = Counter(label.hour for label in examples.labels)
    assert sorted(by_hour) == [8, 9, 10, 11, 12, 13]
    assert all(900 <= n <= 1100 for n in by_hour.values()), by_hour
    assert examples.labels[0].timestamp.startswith("2026-11-20T08:")
    assert [lab.timestamp for lab in examples.labels] == sorted(lab.timestamp for lab in examples.labels)


def test_models_operations_and_ids(examples: gen.ExampleSet) -> None:
    generations = _generations(examples)
    models = {label.model_id for label in generations}
    assert len(models) >= 7
    assert {label.operation for label in generations} == {
        "InvokeModel",
        "InvokeModelWithResponseStream",
        "Converse",
        "ConverseStream",
    }
    assert any(m.startswith("us.") for m in models)
    assert any(m.startswith("arn:aws:bedrock:") for m in models)
    assert {"meta.llama3-1-70b-instruct-v1:0", "us.deepseek.r1-v1:0", "cohere.command-r-plus-v1:0"} <= models


def test_non_generations_in_small_numbers(examples: gen.ExampleSet) -> None:
    n = len(examples.records)
    embeddings = _records_of_kind(examples, "embedding")
    errors = _records_of_kind(examples, "error")
    assert 0.03 <= len(embeddings) / n <= 0.07
    assert {r["modelId"] for r in embeddings} == {"amazon.titan-embed-text-v2:0"}
    assert 0.002 <= len(errors) / n <= 0.01
    assert {r["errorCode"] for r in errors} == {"ThrottlingException", "ValidationException"}
    assert all("output" not in r for r in errors)


def test_most_records_carry_request_metadata(examples: gen.ExampleSet) -> None:
    with_metadata = [r for r in examples.records if "requestMetadata" in r]
    assert len(with_metadata) / len(examples.records) >= 0.8
    assert {r["requestMetadata"]["app"] for r in with_metadata} == {
        "support-bot",
        "code-assistant",
        "travel-planner",
        "docs-search",
    }


# ------------------------------------------------------------------------------------------ ground truth


def test_refusal_spike_is_one_model_for_one_hour(examples: gen.ExampleSet) -> None:
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for label in _generations(examples):
        counts[(label.model_id, label.hour)][0] += label.is_refusal
        counts[(label.model_id, label.hour)][1] += 1
    refused, total = counts[(gen.SPIKE_MODEL, SPIKE_HOUR)]
    assert total >= 100
    assert 0.45 <= refused / total <= 0.60
    for (model, hour), (refused, total) in counts.items():
        if (model, hour) != (gen.SPIKE_MODEL, SPIKE_HOUR):
            assert refused / total <= 0.05, (model, hour, refused, total)


def test_spike_shows_in_every_five_minute_period(examples: gen.ExampleSet) -> None:
    windows: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for label in _generations(examples):
        if label.model_id == gen.SPIKE_MODEL:
            key = (label.hour, int(label.timestamp[14:16]) // 5)
            windows[key][0] += label.is_refusal
            windows[key][1] += 1
    for (hour, _), (refused, total) in windows.items():
        if hour == SPIKE_HOUR:
            assert refused / total >= 0.3
        else:
            assert refused / total <= 0.25


def test_baseline_rates(examples: gen.ExampleSet) -> None:
    generations = _generations(examples)
    n = len(generations)
    outside = [lab for lab in generations if not (lab.model_id == gen.SPIKE_MODEL and lab.hour == SPIKE_HOUR)]
    assert 0.02 <= sum(lab.is_refusal for lab in outside) / len(outside) <= 0.04
    assert 0.015 <= sum(lab.is_toxic for lab in generations) / n <= 0.03
    assert 0.04 <= sum(lab.category == "negative" for lab in generations) / n <= 0.065
    assert 0.02 <= sum(lab.is_hard_negative for lab in generations) / n <= 0.06
    languages = Counter(lab.language for lab in generations)
    assert set(languages) == {"en", "es", "fr", "de"}
    assert 0.02 <= 1 - languages["en"] / n <= 0.045


def test_labels_are_consistent(examples: gen.ExampleSet) -> None:
    for label in _generations(examples):
        assert label.is_refusal == (label.category == "refusal")
        assert not (label.is_refusal and (label.is_toxic or label.is_hard_negative))
        assert label.is_negative == (label.category in ("negative", "toxic"))


def test_hard_negatives_read_like_refusals_but_answer(examples: gen.ExampleSet) -> None:
    hard = [lab.completion for lab in _generations(examples) if lab.is_hard_negative]
    assert any(c.startswith("I'm sorry to hear that your order is late") for c in hard)
    assert any("I cannot stress enough how important backups are" in c for c in hard)
    assert any("I can't open file" in c for c in hard)
    assert all(len(c) >= 150 for c in hard)


def test_refusals_speak_each_family_s_language(examples: gen.ExampleSet) -> None:
    refusals = [lab for lab in _generations(examples) if lab.is_refusal and lab.language == "en"]
    texts = " ".join(lab.completion for lab in refusals)
    for phrase in ("I can't", "I apologize, but I cannot", "I'm not able to assist", "As an AI"):
        assert phrase in texts, phrase
    assert all(len(lab.completion) < 400 for lab in refusals)


def test_answers_have_realistic_length(examples: gen.ExampleSet) -> None:
    lengths = [len(lab.completion) for lab in _generations(examples) if not lab.is_refusal]
    assert min(lengths) >= gen.MIN_COMPLETION_CHARS
    assert max(lengths) <= gen.MAX_COMPLETION_CHARS
    assert sum(n > 1000 for n in lengths) > 50


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]{4,}", text.lower()))


def test_answers_share_vocabulary_with_their_questions(examples: gen.ExampleSet) -> None:
    """What makes prompt/completion similarity meaningful: on-topic answers overlap with the question."""
    normal = [lab for lab in _generations(examples) if lab.category == "normal" and lab.language == "en"]
    rng = random.Random(0)
    own = shuffled = 0.0
    for label in normal:
        other = rng.choice(normal)
        q = _words(label.prompt)
        own += len(q & _words(label.completion)) / max(1, len(q))
        shuffled += len(q & _words(other.completion)) / max(1, len(q))
    assert own / len(normal) > 0.4
    assert own > 2 * shuffled


# ------------------------------------------------------------------------------------------ bulk mode


def _parse_file(path: Path) -> tuple[int, ParseStats]:
    stats = ParseStats()
    (source,) = local_sources(path)
    with source.open() as stream:
        records = parse_stream(stream, source=source.name, resolver=source.resolver, stats=stats)
        emitted = sum(1 for _ in records)
    return emitted, stats


def test_bulk_writes_exactly_n_parseable_records(tmp_path: Path) -> None:
    out = tmp_path / "bulk.json.gz"
    result = gen.write_bulk(out, records=400, seed=7)
    assert result.records == 400
    assert len(gzip.decompress(out.read_bytes()).splitlines()) == 400
    emitted, stats = _parse_file(out)
    assert stats.malformed == 0 and not stats.unknown_shapes
    assert emitted + sum(stats.skipped.values()) == 400
    assert set(stats.skipped) <= {"embedding", "error"}


def test_bulk_is_deterministic_and_streams(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    gen.write_bulk(a, records=50, seed=3)
    gen.write_bulk(b, records=50, seed=3)
    assert a.read_bytes() == b.read_bytes()
    stream = gen.iter_records(None, seed=3)
    assert isinstance(stream, types.GeneratorType)
    first = [next(stream) for _ in range(5)]
    assert [r["requestId"] for r in first] == [r["requestId"] for r in gen.iter_records(5, seed=3)]


def test_bulk_mixes_shapes_and_operations() -> None:
    records = list(gen.iter_records(600, seed=1))
    assert len({r["operation"] for r in records}) == 4
    assert len({r["modelId"] for r in records}) >= 9
    stamps = [r["timestamp"] for r in records]
    assert stamps == sorted(stamps)


def test_bulk_target_size(tmp_path: Path) -> None:
    out = tmp_path / "sized.json.gz"
    result = gen.write_bulk(out, target_bytes=300_000, seed=2)
    assert 300_000 <= out.stat().st_size <= 600_000
    assert result.compressed_bytes == out.stat().st_size


def test_cli_bulk_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.json.gz"
    assert gen.main(["--records", "20", "--out", str(out), "--seed", "4"]) == 0
    assert len(gzip.decompress(out.read_bytes()).splitlines()) == 20
    assert "wrote 20 records" in capsys.readouterr().err
    for argv in (
        ["--records", "5"],
        ["--out", str(out)],
        ["--records", "5", "--target-mb", "1", "--out", str(out)],
    ):
        with pytest.raises(SystemExit) as exc:
            gen.main(argv)
        assert exc.value.code == 2
