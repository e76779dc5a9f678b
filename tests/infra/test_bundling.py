"""Lambda code assets built for real (pip, manylinux aarch64 wheels, no Docker): contents and size.

Slow (pip fetches wheels for the Lambda platform); CI runs it. The fast tests skip bundling.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra import bundling
from infra.app import create_app
from infra.bundling import directory_size
from infra.pipeline import DISPATCHER_HANDLER, MONITOR_HANDLER
from tests.infra.conftest import Synthesized, base_context

#: Lambda's own "250 MB" unzipped limit is 262,144,000 bytes, i.e. MiB; the goal is counted the same way.
LIMIT_BYTES = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    outdir = tmp_path_factory.mktemp("bundled")
    context = {**base_context(), "skipBundling": False}
    built = create_app(context, outdir=str(outdir), env={})
    assembly = built.app.synth()
    return assembly.get_stack_by_name(built.stack.stack_name).template, outdir


def asset_dirs(template: dict, outdir: Path, handler: str) -> set[Path]:
    dirs = set()
    for resource in template["Resources"].values():
        props = resource["Properties"]
        if resource["Type"] == "AWS::Lambda::Function" and props.get("Handler") == handler:
            key = props["Code"]["S3Key"]
            dirs.add(outdir / f"asset.{key.removesuffix('.zip')}")
    return dirs


@pytest.mark.slow
def test_monitor_asset_holds_packages_and_wheels_and_is_under_the_goal(bundled: tuple[dict, Path]) -> None:
    template, outdir = bundled
    (asset,) = asset_dirs(template, outdir, MONITOR_HANDLER)  # one asset for every monitor Lambda
    assert not (asset / "dispatcher").exists(), "the monitor asset does not carry the dispatcher"
    for package in (
        "shared",
        "monitors",
        "refusal_phrases",
        "aws_lambda_powertools",
        "numpy",
        "rapidfuzz",
        "jmespath",
    ):
        assert (asset / package).is_dir(), package
    assert (asset / "monitors" / "base.py").is_file()
    assert list((asset / "refusal_phrases").glob("*.txt")), "phrase files travel with the package"
    assert not (asset / "shared" / "embedded" / "model").exists(), "embedded model only for backend=local"
    assert not (asset / "boto3").exists()
    # Built for the Lambda: CPython 3.14 on aarch64 Linux.
    extensions = [p.name for p in (asset / "numpy" / "_core").glob("_multiarray_umath*.so")]
    assert extensions and all("cpython-314-aarch64-linux-gnu" in e for e in extensions)
    # Stripped: no byte code, stubs or test suites; dist-info reduced to metadata.
    assert not list(asset.rglob("__pycache__")) and not list(asset.rglob("*.pyi"))
    assert not [p for p in asset.rglob("tests") if p.is_dir()]
    assert not list(asset.rglob("RECORD"))
    size = directory_size(asset)
    print(f"monitor asset: {size:,} bytes ({size / 2**20:.1f} MiB) unzipped")
    assert size < LIMIT_BYTES


@pytest.mark.slow
def test_dispatcher_asset_is_small_and_self_contained(bundled: tuple[dict, Path]) -> None:
    template, outdir = bundled
    (asset,) = asset_dirs(template, outdir, DISPATCHER_HANDLER)
    assert (asset / "dispatcher" / "handler.py").is_file() and (asset / "aws_lambda_powertools").is_dir()
    assert not (asset / "numpy").exists() and not (asset / "monitors").exists()
    size = directory_size(asset)
    print(f"dispatcher asset: {size:,} bytes ({size / 2**20:.1f} MiB) unzipped")
    assert size < LIMIT_BYTES
    # Everything the handler imports at module level is in the asset (pure Python: any CPython runs it).
    env = {"PYTHONPATH": str(asset), "PATH": os.environ.get("PATH", "")}
    code = "import dispatcher.handler as h; print(h.lambda_handler.__name__)"
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "lambda_handler"


@pytest.mark.slow
def test_asset_hash_is_stable_and_follows_the_inputs() -> None:
    first = bundling.monitor_asset(local_backend=False)
    assert first.asset_hash() == bundling.monitor_asset(local_backend=False).asset_hash()
    assert first.asset_hash() != bundling.monitor_asset(local_backend=True).asset_hash()
    assert first.asset_hash() != bundling.dispatcher_asset().asset_hash()


def test_pip_command_targets_the_lambda_platform() -> None:
    spec = bundling.monitor_asset(local_backend=False)
    command = bundling.pip_command(spec, Path("/tmp/x"))
    assert "--only-binary=:all:" in command and "--no-compile" in command
    assert command[command.index("--python-version") + 1] == bundling.PYTHON_VERSION == "3.14"
    assert command[command.index("--implementation") + 1] == "cp"
    platforms = [command[i + 1] for i, part in enumerate(command) if part == "--platform"]
    assert "manylinux2014_aarch64" in platforms and "manylinux_2_28_aarch64" in platforms
    assert all(p.endswith("_aarch64") for p in platforms)
    names = {r.split("==")[0] for r in spec.requirements}
    assert {"aws-lambda-powertools", "numpy", "rapidfuzz", "jmespath", "typing-extensions"} <= names
    assert "boto3" not in names and all("==" in r for r in spec.requirements)
    dispatcher = {r.split("==")[0] for r in bundling.dispatcher_asset().requirements}
    assert "numpy" not in dispatcher and "aws-lambda-powertools" in dispatcher


def test_local_backend_bundles_the_embedded_model() -> None:
    spec = bundling.monitor_asset(local_backend=True)
    files = {relative.as_posix() for _, relative in spec.source_files()}
    assert any(f.startswith("shared/embedded/model/") for f in files)
    assert not any(
        f.startswith("shared/embedded/model/")
        for _, f in ((s, r.as_posix()) for s, r in bundling.monitor_asset(local_backend=False).source_files())
    )
    assert "tokenizers" in {r.split("==")[0] for r in spec.requirements}


@pytest.mark.slow
def test_template_does_not_depend_on_skipping(bundled: tuple[dict, Path], default: Synthesized) -> None:
    """skipBundling changes nothing in the template: asset hashes come from the inputs, not the build."""
    template, _ = bundled

    def code_keys(t: dict) -> dict[str, set[str]]:
        keys: dict[str, set[str]] = {}
        for resource in t["Resources"].values():
            props = resource["Properties"]
            if resource["Type"] == "AWS::Lambda::Function" and props.get("Handler") in (
                MONITOR_HANDLER,
                DISPATCHER_HANDLER,
            ):
                keys.setdefault(props["Handler"], set()).add(props["Code"]["S3Key"])
        return keys

    assert code_keys(template) == code_keys(default.template)
    assert len(code_keys(template)[MONITOR_HANDLER]) == 1  # every monitor Lambda runs the same asset
    assert json.dumps(template, sort_keys=True) == json.dumps(default.template, sort_keys=True)


LAMBDA_SCORING = """
import io, json, sys
from monitors.config import MonitorEnvironment, MonitoringConfig
from monitors import handler
from shared.records import InvocationRecord

class Body(io.BytesIO):
    pass

class FakeAws:
    def invoke_model(self, **kw):
        text = json.loads(kw["body"])["inputText"]
        vector = [float((hash(text) >> i) & 1) + 0.1 for i in range(512)]
        return {"body": Body(json.dumps({"embedding": vector}).encode())}
    def batch_detect_sentiment(self, **kw):
        scores = {"Positive": 0.7, "Negative": 0.1, "Neutral": 0.1, "Mixed": 0.1}
        return {"ResultList": [{"Index": i, "SentimentScore": scores} for i, _ in enumerate(kw["TextList"])],
                "ErrorList": []}
    def detect_toxic_content(self, **kw):
        return {"ResultList": [{"Toxicity": 0.1, "Labels": []} for _ in kw["TextSegments"]]}

records = [InvocationRecord(f"r{i}", model_id="meta.llama3-1-70b-instruct-v1:0", prompt="How do I reset it?",
                            completion=c) for i, c in enumerate(["I can't help with that.", "Hold reset for 10 s."])]
for name, extra in (("semantic-similarity", {}), ("refusal", {}), ("refusal", {"monitors.refusal.method": "cosine"}),
                    ("sentiment-toxicity", {"monitors.sentiment-toxicity.samplingRate": "1"})):
    config = MonitoringConfig.from_context({"backend": "aws", **extra})
    rt = handler.build_runtime(MonitorEnvironment.from_env(config.monitor_env(name)), client_factory=lambda s: FakeAws())
    results = rt.monitor.score_batch(records)
    assert all(r.values for r in results), results
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[:2] in [["numpy", p] for p in PRUNED])))
"""


def test_lambda_code_paths_never_import_the_pruned_numpy_subpackages() -> None:
    """The monitor asset drops numpy's random, fft, polynomial, ma and testing (5 MB). The bundle itself is
    for aarch64 and cannot run here, so run every monitor's AWS scoring path in a fresh interpreter and
    check none of those subpackages was imported."""
    pruned = [p.split("/")[1] for p in bundling.PRUNED["numpy"] if p.count("/") == 1 and "*" not in p]
    assert {"random", "fft", "polynomial", "ma", "testing"} <= set(pruned)
    code = f"PRUNED = {pruned!r}\n" + LAMBDA_SCORING
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=bundling.PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
