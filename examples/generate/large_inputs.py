"""Two pasted inputs over Bedrock's 100 KB inline limit, so the bundled set has offloaded bodies.

A handbook built from the finance, health and writing banks (asked for a summary), and a nightly job's
worker log full of AccessDenied retries (asked for a diagnosis). Both are long enough that their request
bodies are written under `data/` and the records carry `inputBodyS3Path` instead.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from examples.generate.banks import APPS, TOPICS, fill
from examples.generate.conversations import Conversation
from examples.generate.layout import ACCOUNT_ID
from examples.generate.traffic import TENANTS, Plan

__all__ = ["offloaded_conversation"]


def offloaded_conversation(rng: random.Random, plan: Plan) -> tuple[Conversation, tuple[str, ...]]:
    """The exchange and the user message's content parts (a handbook is a document part plus a question)."""
    app = APPS[plan.app]
    system = fill(rng.choice(app.systems), {"company": TENANTS[plan.tenant]})
    if plan.offload == "handbook":
        question, prompt, summary = _handbook(rng, plan.tenant)
        document = prompt[: -len(question) - 1]
        return Conversation("finance", system, [], prompt, summary), (document, question)
    prompt, answer = _worker_log(rng, plan.tenant)
    return Conversation("coding", system, [], prompt, answer), (prompt,)


def _handbook(rng: random.Random, tenant: str) -> tuple[str, str, str]:
    """A >100 KB pasted handbook: (question, full prompt text, summary)."""
    company = TENANTS[tenant]
    sections: list[str] = [f"{company} employee wellbeing and benefits handbook (2026 edition)"]
    size = 0
    number = 0
    while size < 118_000:
        for name in ("finance", "health", "writing"):
            topic = TOPICS[name]
            for intent in topic.intents:
                slots = topic.slots(rng)
                slots["company"] = company
                number += 1
                title = fill(intent.questions[0], slots).rstrip("?.")
                body = "\n\n".join(fill(p, slots) for p in intent.answers[0])
                section = f"Section {number}. {title}\n\n{body}"
                sections.append(section)
                size += len(section) + 2
    question = "Summarise the attached employee handbook in five bullet points for a new starter."
    summary = (
        "Here are the five main points of the handbook for a new starter:\n\n- Savings: start investing "
        "early in low-cost index funds; compound interest does most of the work, and an emergency fund of "
        "three to six months of expenses comes first.\n- Budgeting and debt: split take-home pay with the "
        "50/30/20 rule and pay off the highest-interest debt first.\n- Health and fitness: train three or "
        "four times a week, increase running distance gradually, eat enough protein and keep a steady sleep "
        "schedule.\n- Injuries: rest, cross-train and see a doctor or physiotherapist when pain is severe or "
        "getting worse.\n- Writing at work: keep emails short and professional, open with the most important "
        "point, and read drafts aloud before sending."
    )
    return question, "\n\n".join(sections) + "\n" + question, summary


def _worker_log(rng: random.Random, tenant: str) -> tuple[str, str]:
    """A >100 KB pasted job log: (prompt, diagnosis)."""
    bucket = f"{tenant}-exports"
    lines: list[str] = []
    t = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    part = 0
    while sum(len(line) + 1 for line in lines) < 112_000:
        t += timedelta(milliseconds=rng.randint(200, 2500))
        stamp = f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"
        if part < 41 or rng.random() < 0.6:
            part = min(part + 1, 41) if part < 41 else part
            lines.append(
                f"{stamp} INFO  export-worker[{rng.randint(7, 9)}] batch={part:04d} rows={rng.randint(4000, 5000)} "
                f"duration_ms={rng.randint(300, 1900)} status=ok"
            )
        else:
            lines.append(
                f"{stamp} ERROR export-worker[8] upload part-{part + 1:04d}.parquet failed: AccessDenied: User: "
                f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/ExportWorkerRole/export-worker is not authorized to perform: "
                f's3:PutObject on resource: "arn:aws:s3:::{bucket}/nightly/2026-11-20/part-{part + 1:04d}.parquet" '
                f"because no identity-based policy allows the s3:PutObject action (retrying)"
            )
    prompt = (
        "Why does our nightly export job keep failing? It started after we moved the bucket. Here is the full "
        "worker log:\n\n```\n" + "\n".join(lines) + "\n```"
    )
    answer = (
        "The nightly export job fails at the upload step, not in the export itself. Every batch is processed "
        "successfully (status=ok), but each upload of the next part to S3 fails with AccessDenied: ExportWorkerRole "
        f"is not authorized to perform s3:PutObject on arn:aws:s3:::{bucket}/nightly/…\n\n"
        "That matches your move of the bucket: the role's IAM policy still grants s3:PutObject on the old bucket. "
        "Add a statement that allows s3:PutObject (and s3:AbortMultipartUpload for large parts) on "
        f"arn:aws:s3:::{bucket}/nightly/* to ExportWorkerRole, and if the bucket uses a KMS key, allow kms:GenerateDataKey "
        "on that key as well.\n\nThe retries in the log cannot succeed, because AccessDenied is not a "
        "transient error; consider failing the job fast on AccessDenied so the alert fires at 02:00 instead "
        "of after hours of retries."
    )
    return prompt, answer
