"""Infrastructure figures: `cdk synth` time with the pinned CLI (with and without bundling), the
unzipped size of each Lambda code asset (goal < 50 MB each), and the resources created by type."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.common import ROOT


def synth(outdir: Path, *extra: str) -> float:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    started = time.perf_counter()
    subprocess.run(
        ["npx", "--no-install", "cdk", "synth", "--no-notices", "-q", "-o", str(outdir), *extra],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cdk.out"
        bundled = synth(out)
        template = json.loads(next(out.glob("*.template.json")).read_text())
        skipped = synth(Path(tmp) / "skip", "-c", "skipBundling=true")
        print(f"synth: cdk synth {bundled:.1f} s with bundling (cached wheels), {skipped:.1f} s with skipBundling")
        functions = {
            name: res["Properties"]
            for name, res in template["Resources"].items()
            if res["Type"] == "AWS::Lambda::Function" and "S3Key" in res["Properties"].get("Code", {})
        }
        sizes: dict[str, list[str]] = {}
        for name, props in functions.items():
            key = props["Code"]["S3Key"]
            if not isinstance(key, str):
                continue
            asset = out / f"asset.{key.removesuffix('.zip')}"
            if asset.is_dir():
                sizes.setdefault(
                    f"{directory_bytes(asset) / 1e6:.1f} MB ({directory_bytes(asset) / 2**20:.1f} MiB)", []
                ).append(props.get("Handler", name))
        for size, handlers in sorted(sizes.items()):
            print(
                f"synth: code asset {size} unzipped, used by {len(handlers)} function(s): "
                f"{', '.join(sorted(set(handlers)))}"
            )
        counts = Counter(res["Type"] for res in template["Resources"].values())
        print(f"synth: {sum(counts.values())} resources: " + ", ".join(f"{n} {t}" for t, n in counts.most_common()))
    shutil.rmtree(Path(tmp), ignore_errors=True)


if __name__ == "__main__":
    main()
