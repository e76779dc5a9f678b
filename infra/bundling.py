"""Lambda code assets built without Docker: manylinux wheels for arm64 plus the project's packages.

`PipLocalBundling` is CDK local bundling (`ILocalBundling`): `pip install --platform manylinux_2_X_aarch64
--only-binary=:all: --python-version 3.14 --implementation cp --target <asset>` fetches wheels built for
the Lambda runtime (Amazon Linux 2023, glibc 2.34, aarch64) on any build machine, then the source
packages are copied in and the bloat pip leaves (byte code compiled for the build machine's Python,
type stubs, test suites, dist-info records and licences) is stripped. Docker is never needed: the
`image` CDK insists on is a placeholder that is never pulled because local bundling always answers.

Four assets, each holding what its function runs: the invocation-logging custom resource's (its own
package, no wheels), the canary's, the dispatcher's (Powertools and the project modules
`dispatcher.handler` imports) and the monitors' (+ numpy, rapidfuzz and the modules the monitor handler
and every monitor import, the phrase lists, any `monitorModules` package, and the embedded model and its
libraries only with `backend=embedded`), the latter shared by every monitor Lambda (one `Code` object,
one asset), and the canary's (`canary_asset`: its handler's closure, which includes the refusal
monitor, and a configured catalog). Project modules are chosen by reading the imports (`module_closure`),
so the local runtime, the CLI, the CDK code and the offline tools never travel. Run-time dependencies
come from pyproject.toml (one source of truth), pinned to the versions installed where the stack is
synthesised — the versions the tests ran. boto3 is left out: the Lambda runtime provides it.

Asset hashes are computed here from the inputs (files, pins, runtime, platform), so skipping bundling
(`skipBundling`) leaves the template byte-identical and CDK does not fingerprint the project directory.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, cast

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from canary.settings import BUNDLED_CATALOG

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The newest Python runtime this CDK version offers that Lambda runs on arm64 (Amazon Linux 2023).
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
PYTHON_VERSION = RUNTIME.name.removeprefix("python")  # "3.14"
#: Amazon Linux 2023 ships glibc 2.34; pip (23.x) does not expand a manylinux tag to older ones by itself.
GLIBC_MINOR = 34
PLATFORM_TAGS = (
    *(f"manylinux_2_{minor}_aarch64" for minor in range(GLIBC_MINOR, 16, -1)),
    "manylinux2014_aarch64",
)
#: Bump when the bundling procedure changes, so assets are rebuilt.
BUNDLER_VERSION = "3"

#: Provided by the Lambda Python runtime; never bundled.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
#: Distributions our dependencies declare that no Lambda code path imports: the CLI's progress bars, and
#: what `tokenizers` needs only to download models from the Hugging Face hub (the embedded model is read
#: from files in the asset). Leaving them out keeps the `backend=embedded` asset far below Lambda's limit;
#: `tests/infra/test_bundling.py` runs every monitor on both backends and checks none of them is imported.
NOT_FOR_LAMBDA = frozenset(
    {
        "tqdm",
        "huggingface-hub",
        "hf-xet",
        "fsspec",
        "filelock",
        "pyyaml",
        "requests",
        "urllib3",
        "idna",
        "certifi",
        "charset-normalizer",
        "httpx",
        "httpx2",
        "httpcore",
        "httpcore2",
        "h11",
        "anyio",
        "sniffio",
        "truststore",
        "click",
        "typer",
        "typer-slim",
        "shellingham",
        "rich",
        "packaging",
    }
)

#: What each asset holds: the project modules its handler imports, directly or not (found by reading the
#: code, see `module_closure`), and the wheels of these distributions from pyproject's `dependencies`.
DISPATCHER_DEPENDENCIES = ("aws-lambda-powertools",)
DISPATCHER_ENTRY = "dispatcher.handler"
MONITOR_ENTRY = "monitors.aws.handler"
#: The invocation-logging custom resource: standard library and boto3 (from the runtime) only.
INVOCATION_LOGGING_ENTRY = "invocation_logging.handler"
CANARY_ENTRY = "canary.handler"
#: Every monitor module in `monitors/` is imported by discovery at start-up, so each is an entry point.
MONITORS_PACKAGE = "monitors"
EMBEDDED_MODEL_DIR = Path("shared") / "embedded" / "model"

#: Parts of dependencies Lambda never loads, removed after pip (paths relative to the asset, globs allowed).
PRUNED = {
    # C headers, static libraries and pkg-config files (for compiling against numpy), PyInstaller hooks,
    # and numpy's own test-only extension modules.
    "numpy": (
        "numpy/_core/include",
        "numpy/_core/lib",
        "numpy/random/lib",
        "numpy/_pyinstaller",
        "numpy/_core/_*_tests.*.so",
        "numpy/_core/_simd.*.so",
    ),
    # HTTP/AppSync/Bedrock-agent routers (and the JWT helper built on them): these Lambdas consume S3
    # notifications and Kinesis batches. Powertools reaches event_handler elsewhere only to serialise
    # pydantic models, and pydantic is not bundled.
    "aws-lambda-powertools": (
        "aws_lambda_powertools/event_handler",
        "aws_lambda_powertools/utilities/auth_alpha",
    ),
}
#: Subpackages numpy imports only on first attribute access, which our code never makes (the Fortran
#: wrapper generator, random numbers, FFT, polynomials, masked arrays, test helpers): 6 MB, removed when
#: SciPy is not bundled. SciPy (under scikit-learn, under profanity-check: `backend=embedded`) runs
#: `from numpy import *`, which loads every one of them.
NUMPY_UNUSED_SUBPACKAGES = (
    "numpy/f2py",
    "numpy/random",
    "numpy/fft",
    "numpy/polynomial",
    "numpy/ma",
    "numpy/testing",
)
_IGNORED_DIRS = frozenset({"__pycache__", "tests", "test"})
_IGNORED_SUFFIXES = (".pyc", ".pyo", ".pyi", ".pyx", ".pxd")
_KEPT_DIST_INFO = frozenset({"METADATA", "entry_points.txt", "top_level.txt"})


class BundlingError(RuntimeError):
    """pip could not produce the asset (no wheel for the platform, no index reachable, ...)."""


# The part of pyproject.toml bundling reads ("optional-dependencies" is not an identifier).
_Project = TypedDict("_Project", {"dependencies": list[str], "optional-dependencies": dict[str, list[str]]})


class _PyProject(TypedDict):
    project: _Project


def _pyproject() -> _PyProject:
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as handle:
        return cast(_PyProject, tomllib.load(handle))  # our own file: it has these keys


def _target_environment() -> dict[str, str]:
    env = {key: str(value) for key, value in default_environment().items()}
    env.update(
        python_version=PYTHON_VERSION,
        python_full_version=f"{PYTHON_VERSION}.0",
        sys_platform="linux",
        platform_system="Linux",
        platform_machine="aarch64",
        os_name="posix",
        implementation_name="cpython",
        platform_python_implementation="CPython",
    )
    return env


def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def pinned_requirements(names: Iterable[str]) -> tuple[str, ...]:
    """`names` and everything they need on the Lambda (markers evaluated for it), pinned to the versions
    installed here; a distribution not installed here is left unpinned for pip to resolve."""
    environment = _target_environment()
    seen: dict[str, str] = {}
    queue = [Requirement(n) for n in names]
    while queue:
        requirement = queue.pop(0)
        name = canonicalize_name(requirement.name)
        if name in seen or name in RUNTIME_PROVIDED or name in NOT_FOR_LAMBDA:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({**environment, "extra": ""}):
            continue
        version = _installed_version(requirement.name)
        seen[name] = f"{name}=={version}" if version else str(requirement)
        if version:
            for dependency in importlib.metadata.requires(requirement.name) or ():
                queue.append(Requirement(dependency))
    return tuple(sorted(seen.values()))


def runtime_dependencies(*, embedded_backend: bool) -> tuple[str, ...]:
    """pyproject's run-time dependencies (plus the `embedded` extra for the embedded backend)."""
    project = _pyproject()["project"]
    names = [Requirement(r).name for r in project["dependencies"]]
    if embedded_backend:
        names += [Requirement(r).name for r in project["optional-dependencies"]["embedded"]]
    return tuple(n for n in names if canonicalize_name(n) not in RUNTIME_PROVIDED | NOT_FOR_LAMBDA)


def _package_root(module: str) -> Path | None:
    """The directory (or single file) of the installed top-level package that holds `module`."""
    top = module.split(".", 1)[0]
    spec = importlib.util.find_spec(top)
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin) if spec.origin else None


def _project_file(module: str, root: Path) -> Path | None:
    """The source file of project module `module` (a package's `__init__.py`), or None if not ours."""
    base = root.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _imported_names(tree: ast.Module, module: str, is_package: bool) -> Iterator[str]:
    """Every module name an import statement anywhere in the module could load (incl. lazy imports)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{node.module}" if node.module else anchor
            else:
                base = node.module or ""
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)  # `from pkg import submodule`


def module_closure(entries: Iterable[str], *, root: Path = PROJECT_ROOT) -> frozenset[str]:
    """The project modules `entries` import, transitively, found by reading their code (no import runs).

    Imports inside functions count too (the handlers import heavy modules lazily), so the closure is what
    the function can ever load; third-party imports are left to the wheels.
    """
    seen: set[str] = set()
    queue = list(entries)
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        path = _project_file(name, root)
        if path is None:
            continue
        seen.add(name)
        parts = name.split(".")
        queue.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages run first
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        queue.extend(_imported_names(tree, name, path.name == "__init__.py"))
    return frozenset(seen)


def monitor_module_names(root: Path = PROJECT_ROOT) -> tuple[str, ...]:
    """The built-in monitor modules discovery imports (every module at the top of `monitors/`)."""
    return tuple(
        sorted(
            f"{MONITORS_PACKAGE}.{p.stem}" for p in (root / MONITORS_PACKAGE).glob("*.py") if not p.stem.startswith("_")
        )
    )


@dataclass(frozen=True)
class AssetSpec:
    """One Lambda code asset: project modules, external packages, pinned wheels, the embedded model or not."""

    name: str
    modules: frozenset[str]  # project modules (dotted names) the function can import
    requirements: tuple[str, ...]
    external_packages: tuple[Path, ...] = ()  # `monitorModules` packages installed outside the project
    include_embedded_model: bool = False
    pruned: tuple[str, ...] = ()  # asset-specific removals on top of PRUNED (paths, globs allowed)
    extra_files: tuple[tuple[Path, Path], ...] = ()  # (source, path inside the asset): configured data
    platform_tags: tuple[str, ...] = PLATFORM_TAGS
    python_version: str = PYTHON_VERSION
    root: Path = PROJECT_ROOT

    def source_files(self) -> Iterator[tuple[Path, Path]]:
        """(absolute source, path inside the asset) for every file copied, in a stable order.

        Each module's file; the data files beside a package's `__init__.py` (phrase lists); the embedded
        model when asked; external packages whole; `extra_files` where they are asked to go.
        """
        files: dict[Path, Path] = {}
        for module in self.modules:
            path = _project_file(module, self.root)
            if path is None:
                continue
            files[path.relative_to(self.root)] = path
            if path.name == "__init__.py":
                for data in path.parent.iterdir():
                    if data.is_file() and data.suffix != ".py" and not _ignored(data.relative_to(self.root)):
                        files[data.relative_to(self.root)] = data
        if self.include_embedded_model:
            for data in (self.root / EMBEDDED_MODEL_DIR).rglob("*"):
                if data.is_file():
                    files[data.relative_to(self.root)] = data
        for package in self.external_packages:
            if package.is_file():
                files[Path(package.name)] = package
                continue
            for path in package.rglob("*"):
                relative = path.relative_to(package.parent)
                if path.is_file() and not _ignored(relative):
                    files[relative] = path
        for source, relative in self.extra_files:
            files[relative] = source
        for relative in sorted(files):
            yield files[relative], relative

    def asset_hash(self) -> str:
        digest = hashlib.sha256()
        procedure = (BUNDLER_VERSION, repr(sorted(PRUNED.items())), repr(self.pruned), self.name, self.python_version)
        for part in (*procedure, *self.platform_tags, *self.requirements):
            digest.update(part.encode() + b"\0")
        for source, relative in self.source_files():
            digest.update(relative.as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(source.read_bytes()).digest())
        return digest.hexdigest()


def _ignored(relative: Path) -> bool:
    """Byte code and stubs anywhere; test folders inside a package (not the package itself)."""
    inner_dirs = relative.parts[1:-1]
    return any(part in _IGNORED_DIRS for part in inner_dirs) or relative.name.endswith(_IGNORED_SUFFIXES)


def dispatcher_asset() -> AssetSpec:
    return AssetSpec(
        name="dispatcher",
        modules=module_closure([DISPATCHER_ENTRY]),
        requirements=pinned_requirements(DISPATCHER_DEPENDENCIES),
    )


def invocation_logging_asset() -> AssetSpec:
    """The invocation-logging custom resource's handler: its package alone, no wheels."""
    return AssetSpec(name="invocation-logging", modules=module_closure([INVOCATION_LOGGING_ENTRY]), requirements=())


def monitor_asset(*, embedded_backend: bool, monitor_modules: Sequence[str] = ()) -> AssetSpec:
    """The asset every monitor Lambda runs: the handler, every built-in monitor and `monitorModules`."""
    entries = [MONITOR_ENTRY, *monitor_module_names(), *monitor_modules]
    external: list[Path] = []
    for module in monitor_modules:
        if _project_file(module, PROJECT_ROOT) is None:
            root = _package_root(module)
            if root is not None and root not in external:
                external.append(root)
    return AssetSpec(
        name="monitors",
        modules=module_closure(entries),
        requirements=pinned_requirements(runtime_dependencies(embedded_backend=embedded_backend)),
        external_packages=tuple(external),
        include_embedded_model=embedded_backend,
        pruned=() if embedded_backend else NUMPY_UNUSED_SUBPACKAGES,
    )


def canary_asset(*, embedded_backend: bool, catalog: Path | None = None) -> AssetSpec:
    """The canary Lambda's asset: its handler's closure (the refusal monitor among it), the run-time
    dependencies the monitors use, and a configured catalog file at `BUNDLED_CATALOG` (the default
    catalog is the `canary` package's own data file)."""
    return AssetSpec(
        name="canary",
        modules=module_closure([CANARY_ENTRY]),
        requirements=pinned_requirements(runtime_dependencies(embedded_backend=embedded_backend)),
        include_embedded_model=embedded_backend,
        pruned=() if embedded_backend else NUMPY_UNUSED_SUBPACKAGES,
        extra_files=((catalog, Path(BUNDLED_CATALOG)),) if catalog is not None else (),
    )


def pip_command(spec: AssetSpec, target: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(target),
        "--implementation",
        "cp",
        "--python-version",
        spec.python_version,
        "--only-binary=:all:",
        "--upgrade",
    ]
    if all("==" in r for r in spec.requirements):
        # The requirements are the whole pinned closure already (minus NOT_FOR_LAMBDA): pip adds nothing.
        command.append("--no-deps")
    for tag in spec.platform_tags:
        command += ["--platform", tag]
    return command + list(spec.requirements)


def build_asset(spec: AssetSpec, output_dir: Path) -> None:
    """Install the wheels, copy the sources and strip what Lambda never reads into `output_dir`."""
    output_dir.mkdir(parents=True, exist_ok=True)
    if spec.requirements:
        result = subprocess.run(pip_command(spec, output_dir), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BundlingError(
                f"pip could not install the {spec.name} Lambda dependencies for {spec.platform_tags[0]} / "
                f"Python {spec.python_version}:\n{result.stderr.strip()[-4000:]}"
            )
    strip_dependencies(output_dir)
    prune(output_dir, spec.pruned)
    for source, relative in spec.source_files():
        destination = output_dir / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)


def strip_dependencies(root: Path) -> None:
    """Remove byte code, stubs, test suites, console scripts and dist-info bloat."""
    shutil.rmtree(root / "bin", ignore_errors=True)
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if not path.exists():
            continue
        if path.is_dir():
            if path.name in _IGNORED_DIRS:
                shutil.rmtree(path)
            elif path.name.endswith(".dist-info"):
                for item in path.iterdir():
                    if item.name not in _KEPT_DIST_INFO:
                        shutil.rmtree(item) if item.is_dir() else item.unlink()
        elif path.name.endswith(_IGNORED_SUFFIXES):
            path.unlink()


def prune(root: Path, extra: Sequence[str] = ()) -> None:
    """Remove the PRUNED parts of the dependencies, and `extra` (an asset's own removals)."""
    for pattern in (*(p for patterns in PRUNED.values() for p in patterns), *extra):
        for path in root.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def directory_size(root: Path) -> int:
    """Bytes of every file under `root`: what Lambda counts against its 250 MB unzipped limit."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


@jsii.implements(ILocalBundling)
class PipLocalBundling:
    """CDK local bundling for one AssetSpec. Raises (rather than answering False) when pip fails, so CDK
    never falls back to Docker, which this project does not use."""

    def __init__(self, spec: AssetSpec) -> None:
        self.spec = spec

    def try_bundle(self, output_dir: str, *_args: object, **_kwargs: object) -> bool:
        build_asset(self.spec, Path(output_dir))
        return True


def lambda_code(spec: AssetSpec) -> lambda_.Code:
    """A Code object for the asset; reuse it for every function that runs the same code (one asset)."""
    return lambda_.Code.from_asset(
        str(PROJECT_ROOT),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=spec.asset_hash(),
        bundling=BundlingOptions(
            image=DockerImage.from_registry("local-bundling-only/never-pulled"),
            local=PipLocalBundling(spec),
            command=["false"],
        ),
    )


def skip_bundling_context() -> dict[str, object]:
    """Context that tells CDK to bundle no stack's assets (what `skipBundling` sets on the App)."""
    return {"aws:cdk:bundling-stacks": []}
