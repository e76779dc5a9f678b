"""What a monitor row and the pipeline-health rows share: the graph grid, the period, SEARCH expressions.

Written once so that both parts line up on the same grid, aggregate over the same period and build their
per-dimension series the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from cdk_monitoring_constructs import IDashboardSegment

PERIOD = Duration.minutes(5)
GRAPH_WIDTH = 8
GRAPH_HEIGHT = 6
#: CloudWatch dashboards are 24 grid units wide.
DASHBOARD_WIDTH = 24


def search(
    namespace: str,
    metric: str,
    *,
    dimensions: Sequence[str],
    statistic: str,
    filters: Mapping[str, str] | None = None,
    period: Duration = PERIOD,
) -> str:
    """A SEARCH over exactly this dimension set, so every value (model id, reason) gets its own series.

    Dashboards use it where the values are not known at synth time; alarms cannot (CloudWatch does not
    alarm on SEARCH), which is why monitor alarms watch the dimensionless aggregate instead.
    """
    schema = ",".join([f'"{namespace}"', *dimensions])
    terms = [f'MetricName="{metric}"'] + [f'{k}="{v}"' for k, v in (filters or {}).items()]
    return f"SEARCH('{{{schema}}} {' '.join(terms)}', '{statistic}', {int(period.to_seconds())})"


@jsii.implements(IDashboardSegment)
class WidgetSegment:
    """A block of widgets on the facade's detail dashboard (laid out left to right, wrapping).

    Only the detail dashboard is created (the facade's summary and alarm dashboards are off), so the
    summary and alarm views of a segment are empty.
    """

    def __init__(self, widgets: Sequence[cloudwatch.IWidget]) -> None:
        self._widgets = list(widgets)

    def widgets(self) -> list[cloudwatch.IWidget]:
        return self._widgets

    def alarm_widgets(self) -> list[cloudwatch.IWidget]:
        return []

    def summary_widgets(self) -> list[cloudwatch.IWidget]:
        return []
