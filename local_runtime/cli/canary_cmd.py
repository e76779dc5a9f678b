"""`llm-monitor canary`: the canary suite on a laptop — list the catalog, run it, score what came back.

    llm-monitor canary cases [--json]
    llm-monitor canary run --models a,b --dry-run            # the plan: cases x models, tokens, cost
    llm-monitor canary run --models a,b -o responses.jsonl   # Converse with your AWS credentials
    llm-monitor canary score responses.jsonl [--json] [--fail-on-alarm] [--mlflow-uri URI]

Configuration is cdk.json's context plus `-c key=value`, as for the stack: `canary.catalog`,
`canary.maxTokens`, `canary.prices`, `monitors.refusal.*`, `alarms.<Metric>.*` all apply, so a local score
uses the thresholds the deployed alarms use. `score` exits 1 with `--fail-on-alarm` when any model crosses
an alarm threshold (a CI gate for a model change), or when no response could be scored at all; unreadable
lines, unknown case ids and duplicate responses (the first kept) are reported, never fatal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from local_runtime.cli.options import add_config_arguments, read_context

if TYPE_CHECKING:
    from canary.catalog import Catalog
    from canary.config import CanaryConfig
    from canary.runner import ConverseClient
    from local_runtime.cost.canary_plan import CanaryPlan

NAME = "canary"
HELP = "the canary suite: list its prompt catalog, run it on Bedrock models, score recorded responses"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="canary_action", required=True, metavar="ACTION")

    cases = actions.add_parser("cases", help="list the catalog (id, expect, tags)", description="List the catalog.")
    cases.add_argument("--json", action="store_true", help="print the catalog as JSON")
    _catalog_argument(cases)
    add_config_arguments(cases, backend=False)

    run = actions.add_parser(
        "run",
        help="send every case to every model through Bedrock Converse and write the responses as JSON lines",
        description="Send every case to every model (your AWS credentials); --dry-run prints the plan and cost.",
    )
    run.add_argument("--models", help="comma-separated model or inference-profile ids (default: canary.modelIds)")
    run.add_argument("--dry-run", action="store_true", help="print the plan (cases x models, tokens, cost); no call")
    run.add_argument("-o", "--output", help="write the responses here (default: stdout)")
    run.add_argument("--region", help="AWS region of the Bedrock calls (default: your AWS configuration's)")
    run.add_argument("--json", action="store_true", help="with --dry-run: print the plan as JSON")
    _catalog_argument(run)
    add_config_arguments(run, backend=False)

    score = actions.add_parser(
        "score",
        help="score recorded responses: a side-by-side table of models, per-tag breakdowns, the worst cases",
        description="Score responses (JSON lines with caseId, modelId, completion; optional latencyMs, error).",
    )
    score.add_argument("responses", metavar="RESPONSES.jsonl", help="recorded responses ('-' for stdin)")
    score.add_argument("--json", action="store_true", help="print the results as JSON")
    score.add_argument("--fail-on-alarm", action="store_true", help="exit 1 when any model crosses an alarm threshold")
    score.add_argument("--mlflow-uri", metavar="URI", help="log one MLflow run per model to this tracking URI")
    score.add_argument("--mlflow-experiment", default="llm-monitor-canary", help="MLflow experiment name")
    _catalog_argument(score)
    add_config_arguments(score)


def _catalog_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="PATH", help="catalog file (default: canary.catalog, else the default)")


def run(args: argparse.Namespace) -> int:
    action = {"cases": _cases, "run": _run, "score": _score}[args.canary_action]
    return action(args)


def _canary(args: argparse.Namespace, context: dict[str, object]) -> tuple[CanaryConfig, Catalog]:
    from dataclasses import replace

    from canary.config import CanaryConfig

    base = Path(args.project_dir or ".")
    canary = CanaryConfig.from_context(context, base_dir=base)
    if args.catalog:
        canary = replace(canary, catalog_path=Path(args.catalog))
    return canary, canary.catalog()


# --- cases -----------------------------------------------------------------------------------------------


def _cases(args: argparse.Namespace) -> int:
    _, catalog = _canary(args, read_context(args))
    expects = Counter(case.expect.value for case in catalog)
    tags = Counter(tag for case in catalog for tag in case.tags)
    if args.json:
        print(
            json.dumps(
                {
                    "catalog": {"source": catalog.source, "sha256": catalog.sha256, "cases": len(catalog)},
                    "counts": {"expect": dict(sorted(expects.items())), "withReference": catalog.with_reference()},
                    "tags": dict(sorted(tags.items())),
                    "cases": [
                        {
                            "id": case.id,
                            "expect": case.expect.value,
                            "tags": list(case.tags),
                            "language": case.language,
                            "reference": case.reference is not None,
                            "turns": len(case.messages),
                        }
                        for case in catalog
                    ],
                },
                indent=2,
            )
        )
        return 0
    width = max(len(case.id) for case in catalog)
    print(f"{'id':<{width}}  {'expect':<6}  tags")
    for case in catalog:
        print(f"{case.id:<{width}}  {case.expect.value:<6}  {', '.join(case.tags)}")
    counts = ", ".join(f"{n} {expect}" for expect, n in sorted(expects.items()))
    print(
        f"\n{len(catalog)} cases ({counts}; {catalog.with_reference()} with a reference) from {catalog.source} "
        f"(sha256 {catalog.short_hash})",
        file=sys.stderr,
    )
    return 0


# --- run -------------------------------------------------------------------------------------------------


def converse_client(region: str | None, max_concurrency: int) -> ConverseClient:
    """A bedrock-runtime client with your credentials and no SDK retries (the runner's backoff decides);
    ConfigurationError when no credentials can be found."""
    from botocore.config import Config

    from canary.runner import converse_client_config
    from local_runtime.cli.options import aws_session

    session = aws_session(region, region_option="--region")
    client: ConverseClient = session.client("bedrock-runtime", config=Config(**converse_client_config(max_concurrency)))
    return client


def _run(args: argparse.Namespace) -> int:
    from canary.config import parse_model_ids
    from canary.responses import write_responses
    from canary.runner import CanaryRunner
    from local_runtime.cli import EXIT_FAILED_CHECK
    from local_runtime.cost.canary_plan import plan_canary
    from shared.errors import ConfigurationError, OutputError

    context = read_context(args)
    canary, catalog = _canary(args, context)
    models = parse_model_ids(args.models, key="--models") if args.models else canary.model_ids
    if not models:
        raise ConfigurationError("--models", "give --models a,b (or set canary.modelIds)")
    if args.dry_run:
        plan = plan_canary(catalog, models, canary)
        print(json.dumps(plan.to_dict(), indent=2) if args.json else _format_plan(plan))
        return 0
    runner = CanaryRunner(
        converse_client(args.region, canary.max_concurrency),
        suite=canary.suite,
        max_concurrency=canary.max_concurrency,
        max_attempts=canary.max_attempts,
        max_tokens=canary.max_tokens,
        temperature=canary.temperature,
    )
    print(f"llm-monitor canary: {len(catalog)} cases x {len(models)} model(s)...", file=sys.stderr)
    responses = runner.run(catalog.cases, models)
    try:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise OutputError(f"cannot write {args.output}: {exc.strerror}") from None
    try:
        out.writelines(write_responses(responses))
    finally:
        if out is not sys.stdout:
            out.close()
    failed = Counter(r.model_id for r in responses if r.failed)
    for model in models:
        print(f"  {model}: {len(catalog) - failed[model]} answered, {failed[model]} failed", file=sys.stderr)
    print(f"  {runner.attempts} Converse calls (retries included)", file=sys.stderr)
    return EXIT_FAILED_CHECK if responses and all(r.failed for r in responses) else 0


def _format_plan(plan: CanaryPlan) -> str:
    lines = [
        f"Plan: {len(plan.catalog)} cases x {len(plan.models)} model(s) = {plan.calls_per_run} Converse calls a run "
        f"(catalog {plan.catalog.source}, sha256 {plan.catalog.short_hash})",
        f"Schedule {plan.config.schedule.describe()} ({plan.runs_per_month:,.0f} runs a month); "
        f"maxTokens {plan.config.max_tokens}; at most {plan.config.max_concurrency} calls at once",
        "",
        f"{'model':<48} {'input tok':>10} {'output tok <=':>14} {'USD a run':>10} {'USD an hour':>12} "
        f"{'USD a month':>12}",
    ]
    for model in plan.models:
        usd = model.usd_per_run
        per_hour = None if usd is None else usd * plan.runs_per_hour
        per_month = None if usd is None else usd * plan.runs_per_month
        lines.append(
            f"{model.model_id[:48]:<48} {model.input_tokens:>10,.0f} {model.output_tokens:>14,.0f} "
            f"{_usd(usd):>10} {_usd(per_hour):>12} {_usd(per_month):>12}"
        )
    lines.append(
        f"{'all models':<48} {'':>10} {'':>14} {_usd(plan.usd_per_run):>10} "
        f"{_usd(plan.usd_per_run * plan.runs_per_hour):>12} {_usd(plan.usd_per_run * plan.runs_per_month):>12}"
    )
    lines.append("")
    lines.append(
        "Output tokens are counted at maxTokens for every call (an upper bound); input tokens = characters / 4. "
        "Prices: on-demand, us-east-1 (shared/bedrock_prices.py; override with -c canary.prices=MODEL=IN/OUT)."
    )
    if plan.unpriced:
        lines.append(f"No price known for: {', '.join(plan.unpriced)} (set canary.prices).")
    return "\n".join(lines)


def _usd(value: float | None) -> str:
    if value is None:
        return "?"
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


# --- score -----------------------------------------------------------------------------------------------


def _score(args: argparse.Namespace) -> int:
    from canary.config import scoring_options
    from canary.scoring import CanaryScorer
    from local_runtime.canary_report import score_file
    from local_runtime.cli import EXIT_FAILED_CHECK, EXIT_SOURCE
    from monitors.core.config import MonitoringConfig
    from shared.backends import Backends

    context = read_context(args)
    monitoring = MonitoringConfig.from_context(context).with_backend(args.backend)
    canary, catalog = _canary(args, context)
    refusal, max_chars = scoring_options(monitoring)
    scorer = CanaryScorer(Backends(monitoring.backend), refusal_options=refusal, similarity_max_chars=max_chars)
    try:
        stream = sys.stdin.buffer if args.responses == "-" else open(args.responses, "rb")  # noqa: SIM115
    except OSError as exc:
        print(f"llm-monitor canary score: cannot read {args.responses}: {exc.strerror}", file=sys.stderr)
        return EXIT_SOURCE
    with stream:
        try:
            report = score_file(stream, catalog=catalog, scorer=scorer, monitoring=monitoring, canary=canary)
        except OSError as exc:  # the file went away or the device failed mid-read
            from shared.errors import SourceError

            raise SourceError(f"cannot read {args.responses}: {exc.strerror or exc}") from None
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    elif report.judged:  # an empty table above "nothing to judge" would read as a pass
        print(report.format_table())
    if report.unknown_case_ids or report.malformed or report.duplicates:
        print(
            f"llm-monitor canary score: left out {sum(report.unknown_case_ids.values())} response(s) with unknown "
            f"case ids, {len(report.malformed)} unreadable line(s) and {len(report.duplicates)} duplicate(s)",
            file=sys.stderr,
        )
    if not report.judged:
        # A gate that passes on an empty or unreadable file would pass on nothing.
        source = "stdin" if args.responses == "-" else args.responses
        print(f"llm-monitor canary score: nothing to judge: no scorable response in {source}", file=sys.stderr)
        return EXIT_FAILED_CHECK if args.fail_on_alarm else 0
    if args.mlflow_uri:
        from local_runtime.canary_mlflow import log_to_mlflow

        runs = log_to_mlflow(
            report,
            uri=args.mlflow_uri,
            experiment=args.mlflow_experiment,
            params={
                "backend": monitoring.backend.kind,
                "refusal": refusal,
                "similarityMaxChars": max_chars,
                "suite": canary.suite,
                "responses": args.responses,
            },
        )
        print(f"llm-monitor canary score: logged {len(runs)} MLflow run(s) to {args.mlflow_uri}", file=sys.stderr)
    if args.fail_on_alarm and report.breaches:
        for verdict in report.breaches:
            print(f"llm-monitor canary score: alarm threshold crossed: {verdict.describe()}", file=sys.stderr)
        return EXIT_FAILED_CHECK
    return 0
