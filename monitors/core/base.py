"""The one base class every monitor subclasses.

A subclass declares, as class attributes, its name, metrics (with default alarms), options, needs and
sampling rate, and implements `score` over a batch of records. Nothing else is required: the registry
finds it, the stack builds its Lambda, alarms and dashboard row from the declaration, and the local
runtime scores and alarms on it the same way.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from monitors.core.results import RecordResult
from monitors.core.spec import Capability, LambdaSpec, MetricSpec, MonitorSpec, OptionSpec, Permission, TextUsage
from shared.errors import MonitorDefinitionError
from shared.records import InvocationRecord

if TYPE_CHECKING:
    from shared.backends import Backends

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


class Monitor(ABC):
    """Base class. Declare the class attributes below; implement `score`; optionally `setup`."""

    name: ClassVar[str]
    description: ClassVar[str]
    metrics: ClassVar[tuple[MetricSpec, ...]]
    options: ClassVar[tuple[OptionSpec, ...]] = ()
    needs: ClassVar[frozenset[Capability]] = frozenset()
    permissions: ClassVar[tuple[Permission, ...]] = ()
    default_sampling_rate: ClassVar[float] = 1.0
    lambda_spec: ClassVar[LambdaSpec] = LambdaSpec()

    def __init__(self, *, backends: Backends, options: Mapping[str, object] | None = None) -> None:
        self.backends = backends
        self.config = self.spec().parse_options(options or {}, key_prefix=f"monitors.{self.name}")
        self._active = {m.name for m in self.spec().active_metrics(self.config)}
        self._ready = False

    @classmethod
    def spec(cls) -> MonitorSpec:
        """The validated declaration. MonitorDefinitionError says what is inconsistent."""
        for attr in ("name", "description", "metrics"):
            if not hasattr(cls, attr):
                raise MonitorDefinitionError(f"{cls.__qualname__} must declare {attr!r}")
        if not _NAME.match(cls.name):
            raise MonitorDefinitionError(
                f"{cls.__qualname__}.name {cls.name!r} must be lowercase letters, digits and '-' (2-40 chars)"
            )
        if not cls.metrics:
            raise MonitorDefinitionError(f"monitor {cls.name!r} declares no metrics")
        names = [m.name for m in cls.metrics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise MonitorDefinitionError(f"monitor {cls.name!r} declares metric(s) twice: {', '.join(duplicates)}")
        bool_options = {o.name for o in cls.options if isinstance(o.default, bool)}
        for metric in cls.metrics:
            if metric.enabled_by is not None and metric.enabled_by not in bool_options:
                raise MonitorDefinitionError(
                    f"metric {metric.name!r} of monitor {cls.name!r} is enabled by {metric.enabled_by!r}, "
                    "which is not a declared boolean option"
                )
        if not 0.0 <= cls.default_sampling_rate <= 1.0:
            raise MonitorDefinitionError(f"monitor {cls.name!r}: default_sampling_rate must be in [0, 1]")
        for need in cls.needs:
            if not isinstance(need, Capability):
                raise MonitorDefinitionError(f"monitor {cls.name!r}: needs must be Capability members, got {need!r}")
        return MonitorSpec(
            name=cls.name,
            description=cls.description,
            metrics=tuple(cls.metrics),
            options=tuple(cls.options),
            needs=frozenset(cls.needs),
            permissions=tuple(cls.permissions),
            default_sampling_rate=cls.default_sampling_rate,
            lambda_spec=cls.lambda_spec,
        )

    @classmethod
    def needs_for(cls, options: Mapping[str, object]) -> frozenset[Capability]:
        """Capabilities needed under these (parsed) options; override when an option changes them."""
        return frozenset(cls.needs)

    @classmethod
    def text_usage(cls, options: Mapping[str, object]) -> tuple[TextUsage, ...]:
        """What each scored record sends to model-backed capabilities under these (parsed) options.

        Default: prompt and completion, whole, to every capability needed. Override to be exact: the cost
        estimate (`llm-monitor cost`) reads this.
        """
        needs = sorted(cls.needs_for(options), key=lambda c: c.value)
        return tuple(TextUsage(need, field) for need in needs for field in ("prompt", "completion"))

    @property
    def sampling_rate(self) -> float:
        return float(self.config["samplingRate"])  # type: ignore[arg-type]

    @property
    def active_metric_names(self) -> frozenset[str]:
        return frozenset(self._active)

    def setup(self) -> None:
        """Load what scoring needs, once per process (models, phrase embeddings). Default: nothing."""

    def score_batch(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        """`score` with the contract checked: one result per record, only declared, active metrics."""
        if not self._ready:
            self.setup()
            self._ready = True
        if not records:
            return []
        results = self.score(records)
        if len(results) != len(records):
            raise MonitorDefinitionError(
                f"monitor {self.name!r} returned {len(results)} results for {len(records)} records"
            )
        for result in results:
            unknown = set(result.values) - self._active
            if unknown:
                raise MonitorDefinitionError(
                    f"monitor {self.name!r} produced undeclared or inactive metric(s): {', '.join(sorted(unknown))}"
                )
        return results

    @abstractmethod
    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        """Score a whole batch at once (batch the backend calls); return one result per record, in order."""
