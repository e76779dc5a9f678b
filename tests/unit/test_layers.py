"""The floors hold: shared <- monitors, dispatcher <- canary <- local_runtime, infra (import-linter contracts in
pyproject.toml), and the check fails on an import against the direction."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = (
    "shared",
    "refusal_phrases",
    "invocation_logging",
    "monitors",
    "dispatcher",
    "canary",
    "local_runtime",
    "infra",
    "tools",
    "examples",
    "bench",
)


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def copy_sources(target: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            destination = target / path.relative_to(ROOT)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, destination)


def test_the_project_keeps_its_floors() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_an_import_against_the_direction_is_caught(tmp_path: Path) -> None:
    copy_sources(tmp_path)
    records = tmp_path / "shared" / "records.py"
    records.write_text(records.read_text() + "\n\ndef _late() -> None:\n    import local_runtime.store  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "shared.records -> local_runtime.store" in result.stdout
