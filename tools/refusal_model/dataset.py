"""The refusal development set: XSTest v2 completions of five model setups with human labels.

The file lives in bench/data/refusal/ (source and licence in its README there); it is evaluation and
training data, never package data. Rows labelled partial refusal are kept apart: the classifier is
trained and measured on full refusal against full compliance, and partial refusals are reported on
their own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT / "bench" / "data" / "refusal" / "xstest_v2.jsonl"

#: A Bedrock-style model id per setup, so each row reaches its family's phrases as traffic would.
MODEL_IDS = {
    "gpt4": "gpt-4-0613",
    "llama2orig": "meta.llama2-70b-chat-v1",
    "llama2new": "meta.llama2-70b-chat-v1",
    "mistralguard": "mistral.mistral-7b-instruct-v0:2",
    "mistralinstruct": "mistral.mistral-7b-instruct-v0:2",
}
REFUSAL = "full_refusal"
COMPLIANCE = "full_compliance"
PARTIAL = "partial_refusal"


@dataclass(frozen=True, slots=True)
class Row:
    prompt_id: str
    setup: str
    model_id: str
    completion: str
    label: str

    @property
    def refusal(self) -> bool:
        return self.label == REFUSAL


def load_rows(path: Path = DEV_SET) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            rows.append(Row(raw["id"], raw["model"], MODEL_IDS[raw["model"]], raw["completion"], raw["label"]))
    return rows


def sha256(path: Path = DEV_SET) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
