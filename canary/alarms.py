"""The canary's alarms, resolved once from its declarations, the schedule and `alarms.<Metric>.*`.

The stack deploys exactly these and `llm-monitor canary score --fail-on-alarm` judges a run against
exactly these thresholds. One alarm per alarmed metric and canary model (dimension `ModelId`): the
canary's cases differ by model in what they measure, so there is no all-models alarm. Every default
period is the time between two runs of `canary.schedule` (one run per period); overrides work as for
every other alarm (`configured_alarm_spec`). Checked against the schedule at synth: a period shorter
than the time between runs would leave periods without a run, and an alarm that treats missing data as
breaching must not fire in every gap of an irregular schedule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from canary.config import CanaryConfig
from canary.metrics import CANARY_METRICS, DATAPOINTS_TO_ALARM, EVALUATION_PERIODS
from canary.schedule import SCHEDULE_KEY, Schedule
from monitors.core.alarms import AlarmDefinition, alarm_name, configured_alarm_spec
from monitors.core.config import MonitoringConfig
from monitors.core.spec import MAX_ALARM_WINDOW_SECONDS, AlarmSpec, MissingData
from shared.canary import CANARY_MONITOR_NAME
from shared.errors import ConfigurationError
from shared.model_ids import model_name
from shared.pipeline_metrics import MODEL_DIMENSION

#: CloudWatch alarm periods longer than a day are of no use to a canary: it should run at least daily.
MAX_PERIOD_SECONDS = 86_400


def default_period(schedule: Schedule) -> int:
    """One run per period: the shortest time between runs, in whole minutes (CloudWatch's periods)."""
    period = math.ceil(schedule.shortest_gap_seconds / 60) * 60
    if period > MAX_PERIOD_SECONDS:
        raise ConfigurationError(
            SCHEDULE_KEY, f"{schedule.describe()}: the canary's alarms need a run at least once a day"
        )
    return period


def resolve_canary_alarms(
    config: MonitoringConfig, canary: CanaryConfig, *, model_ids: Sequence[str] | None = None
) -> list[AlarmDefinition]:
    """Every canary alarm, per alarmed metric and model (`canary.modelIds` unless `model_ids` is given),
    in a stable order. ConfigurationError names a bad override or a clash with the schedule."""
    models = canary.model_ids if model_ids is None else tuple(model_ids)
    period = default_period(canary.schedule)
    alarms: list[AlarmDefinition] = []
    for metric in CANARY_METRICS:
        overrides = config.alarm_overrides.get(metric.name, {})
        default = _with_period(metric.alarm, period) if metric.alarm is not None else None
        spec = configured_alarm_spec(metric.name, default, overrides)
        if spec is None:
            continue
        if default is None:  # a whole alarm from configuration: the canary's per-run defaults where unset
            spec = _per_run_defaults(metric.name, spec, overrides, period)
        check_against_schedule(metric.name, spec, canary.schedule)
        for model_id in models:
            model = model_name(model_id, config.model_id_aliases)
            alarms.append(
                AlarmDefinition(
                    name=alarm_name(config.stack_name, metric.name, model),
                    monitor=CANARY_MONITOR_NAME,
                    metric_name=metric.name,
                    namespace=config.namespace,
                    spec=spec,
                    dimensions={MODEL_DIMENSION: model},
                )
            )
    return alarms


def _with_period(spec: AlarmSpec, period: int) -> AlarmSpec:
    """The declared alarm at the schedule's period (fewer evaluation periods if 7 days would not hold)."""
    periods = min(spec.evaluation_periods, max(1, MAX_ALARM_WINDOW_SECONDS // period))
    return replace(
        spec,
        period_seconds=period,
        evaluation_periods=periods,
        datapoints_to_alarm=min(spec.datapoints_to_alarm, periods),
    )


def _per_run_defaults(metric: str, spec: AlarmSpec, overrides: Mapping[str, object], period: int) -> AlarmSpec:
    """Settings a configured canary alarm leaves out take the declared alarms' values (one period per run,
    two of two runs, missing data not breaching) rather than the monitors' five-minute defaults."""
    given = set(overrides)
    evaluation = spec.evaluation_periods if "evaluationPeriods" in given else EVALUATION_PERIODS
    try:
        return replace(
            spec,
            period_seconds=spec.period_seconds if given & {"period", "periodSeconds"} else period,
            evaluation_periods=evaluation,
            datapoints_to_alarm=(
                spec.datapoints_to_alarm if "datapointsToAlarm" in given else min(DATAPOINTS_TO_ALARM, evaluation)
            ),
            treat_missing_data=spec.treat_missing_data if "treatMissingData" in given else MissingData.NOT_BREACHING,
        )
    except ValueError as exc:
        raise ConfigurationError(f"alarms.{metric}", str(exc)) from None


def check_against_schedule(metric: str, spec: AlarmSpec, schedule: Schedule) -> None:
    """ConfigurationError when the alarm cannot work with this schedule (see the module docstring)."""
    if spec.period_seconds < schedule.shortest_gap_seconds:
        raise ConfigurationError(
            f"alarms.{metric}.period",
            f"{spec.period_seconds} s is shorter than the time between canary runs ({schedule.describe()}): "
            "most periods would hold no run; use at least "
            f"{math.ceil(schedule.shortest_gap_seconds / 60) * 60} s",
        )
    if spec.treat_missing_data is MissingData.BREACHING:
        empty = math.ceil(schedule.longest_gap_seconds / spec.period_seconds) - 1
        if empty >= spec.datapoints_to_alarm:
            raise ConfigurationError(
                f"alarms.{metric}",
                f"treats missing data as breaching, but {schedule.describe()} leaves up to {empty} periods of "
                f"{spec.period_seconds} s without a run, so it would alarm in every gap; set "
                f"alarms.{metric}.treatMissingData=notBreaching (a stopped canary then goes unnoticed) or "
                f"alarms.{metric}.period to at least {math.ceil(schedule.longest_gap_seconds / 60) * 60}",
            )
