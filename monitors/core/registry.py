"""Finding monitors: every module in the `monitors` package, plus modules the configuration names.

No global registry is mutated on import (that would force every test to reset shared state): discovery
imports modules and collects the concrete Monitor subclasses defined in them. A user adds a monitor by
adding one module to `monitors/` (or naming any importable module in `monitorModules`).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence

from monitors.core.base import Monitor
from shared.errors import ConfigurationError, MonitorDefinitionError


class MonitorRegistry(Mapping[str, type[Monitor]]):
    """Monitor classes by declared name, checked for clashes across monitors."""

    def __init__(self, classes: Iterable[type[Monitor]]) -> None:
        self._classes: dict[str, type[Monitor]] = {}
        metric_owner: dict[str, str] = {}
        for cls in classes:
            spec = cls.spec()
            existing = self._classes.get(spec.name)
            if existing is not None and existing is not cls:
                raise MonitorDefinitionError(
                    f"two monitors are named {spec.name!r}: {_where(existing)} and {_where(cls)}"
                )
            self._classes[spec.name] = cls
            for metric in spec.metrics:
                owner = metric_owner.setdefault(metric.name, spec.name)
                if owner != spec.name:
                    raise MonitorDefinitionError(
                        f"metric {metric.name!r} is declared by both {owner!r} and {spec.name!r}: "
                        "metric names share one namespace"
                    )

    def __getitem__(self, name: str) -> type[Monitor]:
        return self._classes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._classes))

    def __len__(self) -> int:
        return len(self._classes)

    def select(self, names: Sequence[str] | None, *, key: str = "monitors") -> list[type[Monitor]]:
        """The named monitors (all when `names` is None); an unknown name fails with the known ones."""
        if names is None:
            return [self._classes[n] for n in self]
        unknown = [n for n in names if n not in self._classes]
        if unknown:
            raise ConfigurationError(key, f"unknown monitor(s) {', '.join(unknown)}; known: {', '.join(self)}")
        return [self._classes[n] for n in names]


def _where(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def monitors_in_module(module_name: str) -> list[type[Monitor]]:
    """Concrete Monitor subclasses defined in one module (not ones it merely imports)."""
    if not module_name.strip() or module_name.startswith(".") or "\0" in module_name:
        raise ConfigurationError("monitorModules", f"{module_name!r} is not an absolute module name")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError("monitorModules", f"cannot import {module_name!r}: {exc}") from exc
    except (Exception, SystemExit) as exc:  # the module's own code failed: say where in one line
        raise MonitorDefinitionError(
            f"importing monitor module {module_name!r} failed at {_failed_at(exc)}: {type(exc).__name__}: {exc}"
        ) from exc
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Monitor)
        and obj is not Monitor
        and not inspect.isabstract(obj)
        and obj.__module__ == module.__name__
    ]


def _failed_at(exc: BaseException) -> str:
    """file:line where importing a module raised `exc` (for a SyntaxError, the offending line)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "import"


def builtin_module_names() -> list[str]:
    import monitors

    return sorted(
        f"monitors.{info.name}"
        for info in pkgutil.iter_modules(monitors.__path__)
        if not info.ispkg and not info.name.startswith("_")
    )


def discover(extra_modules: Sequence[str] = (), *, builtin: bool = True) -> MonitorRegistry:
    """Every monitor in the `monitors` package (unless `builtin=False`) and in `extra_modules`."""
    names = (builtin_module_names() if builtin else []) + [m for m in extra_modules if m]
    classes: list[type[Monitor]] = []
    for name in dict.fromkeys(names):
        classes.extend(monitors_in_module(name))
    return MonitorRegistry(classes)
