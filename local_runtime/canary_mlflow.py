"""`llm-monitor canary score --mlflow-uri URI`: one MLflow run per model, for side-by-side comparison.

Each run: parameters (the model, the catalog's SHA-256 and file, the scoring configuration and the alarm
thresholds), the canary metrics of the model's run (under each alarm's statistic) and its case and
error counts, and the per-case table as an artifact (`cases.jsonl`: case id, expectation, tags, outcome,
scores; no prompt or response text). MLflow is an optional extra (`pip install 'llm-monitor[mlflow]'`,
the MLflow project's client-only `mlflow-skinny`); any tracking URI MLflow accepts works. A local file
store (`file:///path` or a directory) needs `MLFLOW_ALLOW_FILE_STORE=true` with MLflow 3.x, which
otherwise refuses it in favour of a database store.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path

from local_runtime.canary_report import CanaryReport
from shared.errors import ConfigurationError, OutputError

DEFAULT_EXPERIMENT = "llm-monitor-canary"
ARTIFACT = "cases.jsonl"


def log_to_mlflow(
    report: CanaryReport, *, uri: str, experiment: str = DEFAULT_EXPERIMENT, params: Mapping[str, object]
) -> dict[str, str]:
    """One run per model; returns {model id: MLflow run id}. ConfigurationError when MLflow is not
    installed, OutputError when the tracking store refuses."""
    try:
        import mlflow
        from mlflow.exceptions import MlflowException
    except ImportError:
        raise ConfigurationError(
            "--mlflow-uri", "needs MLflow: pip install 'llm-monitor[mlflow]' (or mlflow / mlflow-skinny)"
        ) from None
    runs: dict[str, str] = {}
    try:
        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment(experiment)
        for model, summary in report.summaries.items():
            with mlflow.start_run(run_name=f"canary {model}") as run:
                mlflow.log_params(
                    {
                        "model": model,
                        "catalogSha256": report.catalog.sha256,
                        "catalog": report.catalog.source,
                        "catalogCases": len(report.catalog),
                        **{k: _param(v) for k, v in params.items()},
                        **{
                            f"alarm.{v.alarm.metric_name}": (
                                f"{v.alarm.spec.statistic} {v.alarm.spec.comparison.symbol} {v.alarm.spec.threshold:g}"
                            )
                            for v in report.verdicts
                            if v.model_id == model
                        },
                    }
                )
                metrics = {name: value for name, value in summary.values.items() if value is not None}
                metrics.update({"cases": float(summary.cases), "errors": float(summary.errors)})
                metrics["breaches"] = float(sum(v.breaching for v in report.verdicts if v.model_id == model))
                mlflow.log_metrics(metrics)
                mlflow.set_tag("llm-monitor.kind", "canary")
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / ARTIFACT
                    path.write_text(_case_table(report, model), encoding="utf-8")
                    mlflow.log_artifact(str(path))
                runs[model] = run.info.run_id
    except MlflowException as exc:
        raise OutputError(f"MLflow ({uri}): {exc}") from None
    return runs


def _param(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text[:500]  # MLflow's parameter value limit is generous, but keep them readable


def _case_table(report: CanaryReport, model: str) -> str:
    rows = []
    for score in report.scores:
        if score.model_id != model:
            continue
        rows.append(
            {
                "caseId": score.case.id,
                "expect": score.case.expect.value,
                "tags": list(score.case.tags),
                "outcome": score.outcome,
                "refusalScore": _round(score.refusal_score),
                "evidence": score.evidence,
                "referenceSimilarity": _round(score.reference_similarity),
                "referenceOverlap": _round(score.reference_overlap),
                "latencyMs": score.response.latency_ms,
                "error": score.response.error,
                "requestId": score.response.request_id,
            }
        )
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
