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
LAMBDA_LIMIT_BYTES = 250 * 1024 * 1024
#: Our goal for the default (aws) backend and for the dispatcher.
LIMIT_BYTES = 50 * 1024 * 1024
#: Project packages no Lambda runs: the laptop runtime and CLI, the CDK app, offline tools, demo data.
NEVER_BUNDLED = ("local_runtime", "infra", "tools", "examples", "bench", "tests")


def assert_only_what_the_function_runs(asset: Path, spec: bundling.AssetSpec) -> None:
    for package in NEVER_BUNDLED:
        assert not (asset / package).exists(), f"{package} is not Lambda code"
    for package in ("shared", "monitors", "dispatcher", "canary", "refusal_phrases"):
        for path in (asset / package).rglob("*.py") if (asset / package).is_dir() else ():
            relative = path.relative_to(asset).with_suffix("")
            module = ".".join(relative.parts[:-1] if relative.name == "__init__" else relative.parts)
            assert module in spec.modules, f"{module} is bundled but the handler never imports it"


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
    assert (asset / "monitors" / "core" / "base.py").is_file()
    assert (asset / "monitors" / "aws" / "handler.py").is_file()
    assert_only_what_the_function_runs(asset, bundling.monitor_asset(embedded_backend=False))
    assert not (asset / "monitors" / "core" / "alarms.py").exists(), "alarm resolution runs at synth, not in Lambda"
    assert list((asset / "refusal_phrases").glob("*.txt")), "phrase files travel with the package"
    assert (asset / "monitors" / "refusal_detection" / "classifier.json").is_file(), "so do the refusal weights"
    assert not list(asset.rglob("*.jsonl")), "development data never ships"
    assert not (asset / "shared" / "embedded" / "model").exists(), "embedded model only for backend=embedded"
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
    assert_only_what_the_function_runs(asset, bundling.dispatcher_asset())
    assert not (asset / "shared" / "backends").exists() and not (asset / "shared" / "embedded").exists()
    size = directory_size(asset)
    print(f"dispatcher asset: {size:,} bytes ({size / 2**20:.1f} MiB) unzipped")
    assert size < LIMIT_BYTES
    # Everything the handler imports at module level is in the asset (pure Python: any CPython runs it).
    env = {"PYTHONPATH": str(asset), "PATH": os.environ.get("PATH", "")}
    code = "import dispatcher.handler as h; print(h.lambda_handler.__name__)"
    result = subprocess.run([sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "lambda_handler"


@pytest.mark.slow
def test_asset_hash_is_stable_and_follows_the_inputs() -> None:
    first = bundling.monitor_asset(embedded_backend=False)
    assert first.asset_hash() == bundling.monitor_asset(embedded_backend=False).asset_hash()
    assert first.asset_hash() != bundling.monitor_asset(embedded_backend=True).asset_hash()
    assert first.asset_hash() != bundling.dispatcher_asset().asset_hash()


def test_canary_asset_holds_its_handlers_closure_and_nothing_of_synth_time(tmp_path: Path) -> None:
    """The canary runs the refusal monitor, so the monitors' framework and phrases travel with it; its
    configuration, schedule and alarm code run at synth and in the CLI only."""
    spec = bundling.canary_asset(embedded_backend=False)
    for module in ("canary.handler", "canary.runner", "canary.scoring", "canary.catalog", "monitors.refusal"):
        assert module in spec.modules, module
    for module in ("canary.config", "canary.alarms", "canary.schedule", "monitors.core.alarms", "monitors.aws.handler"):
        assert module not in spec.modules, module
    assert not [m for m in spec.modules if m.split(".")[0] in (*NEVER_BUNDLED, "dispatcher")]
    files = {relative.as_posix() for _, relative in spec.source_files()}
    assert "canary/default_catalog.jsonl" in files and "monitors/refusal_detection/classifier.json" in files
    assert any(f.startswith("refusal_phrases/") and f.endswith(".txt") for f in files)
    assert not any(f.startswith("canary_catalog/") for f in files)
    # A configured catalog goes where the Lambda's settings say, and changes the asset.
    mine = tmp_path / "mine.jsonl"
    mine.write_text('{"id": "a", "prompt": "q", "expect": "answer"}\n')
    with_catalog = bundling.canary_asset(embedded_backend=False, catalog=mine)
    assert (mine, Path("canary_catalog/catalog.jsonl")) in list(with_catalog.source_files())
    assert with_catalog.asset_hash() != spec.asset_hash()
    assert {r.split("==")[0] for r in spec.requirements} == {
        r.split("==")[0] for r in bundling.monitor_asset(embedded_backend=False).requirements
    }


@pytest.mark.slow
def test_canary_asset_builds_and_only_holds_what_its_function_runs(tmp_path: Path) -> None:
    spec = bundling.canary_asset(embedded_backend=False)
    bundling.build_asset(spec, tmp_path)
    assert (tmp_path / "canary" / "handler.py").is_file() and (tmp_path / "canary" / "default_catalog.jsonl").is_file()
    assert (tmp_path / "rapidfuzz").is_dir() and (tmp_path / "numpy").is_dir()
    assert not (tmp_path / "canary" / "config.py").exists() and not (tmp_path / "canary" / "alarms.py").exists()
    assert not (tmp_path / "dispatcher").exists() and not (tmp_path / "monitors" / "aws").exists()
    assert_only_what_the_function_runs(tmp_path, spec)
    for path in (tmp_path / "canary").rglob("*.py"):
        module = ".".join(path.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__")
        assert module in spec.modules, f"{module} is bundled but the canary handler never imports it"
    size = directory_size(tmp_path)
    print(f"canary asset: {size:,} bytes ({size / 2**20:.1f} MiB) unzipped")
    assert size < LIMIT_BYTES


def test_pip_command_targets_the_lambda_platform() -> None:
    spec = bundling.monitor_asset(embedded_backend=False)
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


@pytest.mark.slow
def test_embedded_backend_asset_fits_lambda(tmp_path: Path) -> None:
    """`backend=embedded` adds tokenizers, VADER, profanity-check (scikit-learn, SciPy) and the model."""
    spec = bundling.monitor_asset(embedded_backend=True)
    bundling.build_asset(spec, tmp_path)
    assert (tmp_path / "shared" / "embedded" / "model" / "embeddings.npy").is_file()
    for package in ("tokenizers", "vaderSentiment", "profanity_check", "sklearn", "scipy"):
        assert (tmp_path / package).is_dir(), package
    for package in ("huggingface_hub", "hf_xet", "requests", "tqdm", "yaml"):
        assert not (tmp_path / package).exists(), f"{package} is never imported in Lambda"
    assert_only_what_the_function_runs(tmp_path, spec)
    size = directory_size(tmp_path)
    print(f"monitor asset (backend=embedded): {size:,} bytes ({size / 2**20:.1f} MiB) unzipped")
    assert size < LAMBDA_LIMIT_BYTES


def test_embedded_backend_bundles_the_embedded_model() -> None:
    spec = bundling.monitor_asset(embedded_backend=True)
    files = {relative.as_posix() for _, relative in spec.source_files()}
    assert any(f.startswith("shared/embedded/model/") for f in files)
    assert not any(
        f.startswith("shared/embedded/model/")
        for _, f in ((s, r.as_posix()) for s, r in bundling.monitor_asset(embedded_backend=False).source_files())
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
import importlib.abc, importlib.metadata, io, json, sys

# What the asset leaves out cannot be imported: a finder refuses it, as its absence would on Lambda.
owners = importlib.metadata.packages_distributions()
absent_tops = {t for t, dists in owners.items() if any(d.lower().replace("_", "-") in NOT_FOR_LAMBDA for d in dists)}
absent = {p.replace("/", ".") for p in PRUNED_PATHS}

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in absent_tops or any(name == a or name.startswith(a + ".") for a in absent):
            raise ModuleNotFoundError(f"No module named {name!r} (not in the asset)")
        return None

sys.meta_path.insert(0, Absent())

from monitors.core.config import MonitorEnvironment, MonitoringConfig
from monitors.aws import handler
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
    config = MonitoringConfig.from_context({"backend": BACKEND, **extra})
    environment = MonitorEnvironment.from_env(config.monitor_env(name))
    rt = handler.build_runtime(environment, client_factory=lambda s: FakeAws())
    results = rt.monitor.score_batch(records)
    assert all(r.values for r in results), results
print("ok")
"""


@pytest.mark.parametrize("backend", ["aws", "embedded"])
def test_every_monitor_runs_without_what_its_asset_leaves_out(backend: str) -> None:
    """The monitor asset drops numpy's unused subpackages (aws backend: 6 MB) and the distributions in
    NOT_FOR_LAMBDA (the hub and HTTP stack `tokenizers` pulls in). The bundle itself is for aarch64 and
    cannot run here, so run every monitor's scoring path in a fresh interpreter where those modules cannot
    be imported."""
    spec = bundling.monitor_asset(embedded_backend=backend == "embedded")
    paths = [p for p in spec.pruned if "*" not in p]
    if backend == "aws":
        assert {"numpy/random", "numpy/fft", "numpy/polynomial", "numpy/ma", "numpy/testing"} <= set(paths)
    code = (
        f"BACKEND = {backend!r}\nPRUNED_PATHS = {paths!r}\nNOT_FOR_LAMBDA = {sorted(bundling.NOT_FOR_LAMBDA)!r}\n"
        + LAMBDA_SCORING
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=bundling.PROJECT_ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "ok"
