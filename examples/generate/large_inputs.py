"""Two pasted inputs over Bedrock's 100 KB inline limit, so the bundled set has offloaded bodies.

A handbook built from the finance, health and writing banks (asked for a summary), and a nightly job's
worker log full of AccessDenied retries (asked for a diagnosis). Both are long enough that their request
bodies are written under `data/` and the records carry `inputBodyS3Path` instead.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from examples.generate.banks import apps, large_inputs, topics
from examples.generate.conversations import Conversation
from examples.generate.layout import ACCOUNT_ID
from examples.generate.slots import draw_slots, fill
from examples.generate.traffic import TENANTS, Plan

__all__ = ["offloaded_conversation"]

_TEXT = large_inputs()
_TOPICS = topics()
_APPS = apps()


def offloaded_conversation(rng: random.Random, plan: Plan) -> tuple[Conversation, tuple[str, ...]]:
    """The exchange and the user message's content parts (a handbook is a document part plus a question)."""
    app = _APPS[plan.app]
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
    sections: list[str] = [fill(_TEXT.handbook_title, {"company": company})]
    size = 0
    number = 0
    while size < 118_000:
        for name in ("finance", "health", "writing"):
            topic = _TOPICS[name]
            for intent in topic.intents:
                slots = draw_slots(rng, topic)
                slots["company"] = company
                number += 1
                title = fill(intent.questions[0], slots).rstrip("?.")
                body = "\n\n".join(fill(p, slots) for p in intent.answers[0])
                section = f"Section {number}. {title}\n\n{body}"
                sections.append(section)
                size += len(section) + 2
    question = _TEXT.handbook_question
    return question, "\n\n".join(sections) + "\n" + question, _TEXT.handbook_summary


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
    prompt = _TEXT.worker_log_question + "\n\n```\n" + "\n".join(lines) + "\n```"
    return prompt, fill(_TEXT.worker_log_diagnosis, {"bucket": bucket})
