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

from monitors.core.results import EMPTY_TEXT, MAX_EVIDENCE_CHARS, RecordResult, valid_skip_reason
from monitors.core.spec import (
    SAMPLING_OPTION,
    Capability,
    CostLever,
    LambdaSpec,
    MetricSpec,
    MonitorSpec,
    Option,
    OptionSpec,
    Permission,
    TextUsage,
)
from shared.errors import ConfigurationError, MonitorDefinitionError
from shared.limits import EMF_MAX_METRICS_PER_DIRECTIVE
from shared.records import InvocationRecord

if TYPE_CHECKING:
    from shared.backends import Backends

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


class Monitor(ABC):
    """Base class. Declare the class attributes below and any `Option`s; implement `score`; optionally
    `setup`, `needs_for` and `text_usage`."""

    name: ClassVar[str]
    description: ClassVar[str]
    metrics: ClassVar[tuple[MetricSpec, ...]]
    #: Whether `cdk deploy` deploys this monitor when the configuration does not mention it. A new module
    #: with True adds its Lambda and alarms to every installation on its next deploy; with False, users
    #: opt in with `-c monitors.<name>.enabled=true`. Every monitor must say which.
    enabled_by_default: ClassVar[bool]
    needs: ClassVar[frozenset[Capability]] = frozenset()
    permissions: ClassVar[tuple[Permission, ...]] = ()
    #: Reasons `score` may give to `RecordResult.skip`: they become the `Reason` dimension of the
    #: `ScoringSkipped` metric, so the set is declared (bounded), not free text.
    skip_reasons: ClassVar[frozenset[str]] = frozenset({EMPTY_TEXT})
    lambda_spec: ClassVar[LambdaSpec] = LambdaSpec()
    #: Whether results carry `evidence` (why a record scored as it did): the saved drill-down query then
    #: shows it in a column.
    gives_evidence: ClassVar[bool] = False

    #: Fraction of requests scored, by a hash of the request id: every monitor samples the same requests.
    #: A monitor changes the default with `sampling_rate = Monitor.sampling_rate.with_default(0.25)`.
    sampling_rate = Option(
        1.0,
        "fraction of requests scored, chosen by a hash of the request id",
        minimum=0.0,
        maximum=1.0,
        lever=CostLever.scale(0.5),
        key=SAMPLING_OPTION,
    )

    def __init__(self, *, backends: Backends, options: Mapping[str, object] | None = None) -> None:
        self.backends = backends
        spec = self.spec()
        self.config: Mapping[str, object] = spec.parse_options(options or {}, key_prefix=f"monitors.{self.name}")
        self._active = {m.name for m in spec.active_metrics(self.config)}
        self._skip_reasons = spec.skip_reasons
        self._ready = False

    @classmethod
    def declared_options(cls) -> tuple[OptionSpec, ...]:
        """Every `Option` of the class and its bases, in declaration order (base options first)."""
        found: dict[str, OptionSpec] = {}
        for klass in reversed(cls.__mro__):
            for value in vars(klass).values():
                if isinstance(value, Option):
                    found[value.spec.name] = value.spec
        return tuple(found.values())

    @classmethod
    def spec(cls) -> MonitorSpec:
        """The validated declaration. MonitorDefinitionError says what is inconsistent."""
        for attr in ("name", "description", "metrics", "enabled_by_default"):
            if not hasattr(cls, attr):
                hint = (
                    " (True: the next `cdk deploy` adds it everywhere; False: users opt in with "
                    "-c monitors.<name>.enabled=true)"
                    if attr == "enabled_by_default"
                    else ""
                )
                raise MonitorDefinitionError(f"{cls.__qualname__} must declare {attr!r}{hint}")
        if not _NAME.match(cls.name):
            raise MonitorDefinitionError(
                f"{cls.__qualname__}.name {cls.name!r} must be lowercase letters, digits and '-' (2-40 chars)"
            )
        if not isinstance(cls.enabled_by_default, bool):
            raise MonitorDefinitionError(f"monitor {cls.name!r}: enabled_by_default must be True or False")
        if not cls.metrics:
            raise MonitorDefinitionError(f"monitor {cls.name!r} declares no metrics")
        if len(cls.metrics) > EMF_MAX_METRICS_PER_DIRECTIVE:
            raise MonitorDefinitionError(
                f"monitor {cls.name!r} declares {len(cls.metrics)} metrics; one EMF document holds at most "
                f"{EMF_MAX_METRICS_PER_DIRECTIVE}"
            )
        names = [m.name for m in cls.metrics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise MonitorDefinitionError(f"monitor {cls.name!r} declares metric(s) twice: {', '.join(duplicates)}")
        options = cls.declared_options()
        bool_options = {o.name for o in options if isinstance(o.default, bool)}
        for metric in cls.metrics:
            if metric.enabled_by is not None and metric.enabled_by not in bool_options:
                raise MonitorDefinitionError(
                    f"metric {metric.name!r} of monitor {cls.name!r} is enabled by {metric.enabled_by!r}, "
                    "which is not a declared boolean option"
                )
        for option in options:
            try:
                option.parse(option.default, key=option.name)
            except ConfigurationError as exc:
                raise MonitorDefinitionError(f"monitor {cls.name!r}: default of option {exc}") from None
        for need in cls.needs:
            if not isinstance(need, Capability):
                raise MonitorDefinitionError(f"monitor {cls.name!r}: needs must be Capability members, got {need!r}")
        for reason in cls.skip_reasons:
            if not valid_skip_reason(reason):
                raise MonitorDefinitionError(
                    f"monitor {cls.name!r}: skip reason {reason!r} must be lowercase words joined by '-'"
                )
        for key, problem in cls.lambda_spec.problems():
            raise MonitorDefinitionError(f"monitor {cls.name!r}: lambda_spec {key} {problem}")
        return MonitorSpec(
            name=cls.name,
            description=cls.description,
            metrics=tuple(cls.metrics),
            options=options,
            needs=frozenset(cls.needs),
            permissions=tuple(cls.permissions),
            enabled_by_default=cls.enabled_by_default,
            skip_reasons=frozenset(cls.skip_reasons),
            lambda_spec=cls.lambda_spec,
            gives_evidence=cls.gives_evidence,
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

    def setup(self) -> None:
        """Load what scoring needs, once per process (models, phrase embeddings). Default: nothing."""

    def score_batch(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        """`score` with the contract checked: one result per record, only declared, active metrics,
        declared skip reasons and short evidence."""
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
            if result.skip_reason is not None and result.skip_reason not in self._skip_reasons:
                raise MonitorDefinitionError(
                    f"monitor {self.name!r} skipped a record for undeclared reason {result.skip_reason!r}; "
                    "add it to skip_reasons"
                )
            if result.evidence is not None and not self.gives_evidence:
                raise MonitorDefinitionError(f"monitor {self.name!r} gave evidence; declare gives_evidence = True")
            if result.evidence is not None and len(result.evidence) > MAX_EVIDENCE_CHARS:
                raise MonitorDefinitionError(
                    f"monitor {self.name!r} gave {len(result.evidence)} characters of evidence; "
                    f"at most {MAX_EVIDENCE_CHARS} (a phrase or pattern name, never the record's text)"
                )
        return results

    @abstractmethod
    def score(self, records: Sequence[InvocationRecord]) -> list[RecordResult]:
        """Score a whole batch at once (batch the backend calls); return one result per record, in order."""
