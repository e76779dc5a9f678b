"""What scoring one record produced: values, a counted skip, or a retryable failure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Skip reasons the built-in monitors share (each monitor declares the ones it uses in `skip_reasons`).
EMPTY_TEXT = "empty-text"
NON_ENGLISH = "non-english"
#: The model service refused the text itself (too long, invalid, unsupported language): no retry helps.
REJECTED_TEXT = "rejected-text"

_SKIP_REASON = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
#: Longest `RecordResult.evidence` (it rides on every EMF line of the record, so it stays short).
MAX_EVIDENCE_CHARS = 160


def valid_skip_reason(reason: str) -> bool:
    """A skip reason is a short lowercase-hyphenated word (it becomes a CloudWatch dimension value)."""
    return len(reason) <= 64 and bool(_SKIP_REASON.match(reason))


@dataclass(frozen=True, slots=True)
class RecordResult:
    """Per-record outcome of a monitor.

    `values` maps declared metric names to numbers. `skip_reason` (bounded, e.g. "empty-text",
    "non-english") says why some or all metrics could not be computed — never worth retrying.
    `error` says a backend failed after its retries — the record is reported as a failed batch item
    and retried. `evidence` optionally names why the values are what they are, for the drill-down from
    a spike to its records (the refusal monitor: which phrase or cue matched). It is bounded text from
    the monitor's own vocabulary — a phrase or pattern name, never the record's text — at most
    MAX_EVIDENCE_CHARS long.
    """

    values: Mapping[str, float] = field(default_factory=dict)
    skip_reason: str | None = None
    error: str | None = None
    evidence: str | None = None

    @staticmethod
    def ok(values: Mapping[str, float], evidence: str | None = None) -> RecordResult:
        return RecordResult(values=dict(values), evidence=evidence)

    @staticmethod
    def skip(reason: str, values: Mapping[str, float] | None = None) -> RecordResult:
        return RecordResult(values=dict(values or {}), skip_reason=reason)

    @staticmethod
    def fail(error: str) -> RecordResult:
        return RecordResult(error=error)

    @property
    def failed(self) -> bool:
        return self.error is not None
