"""Fitting a normalised record into one Kinesis record.

Only a record over the size limit is touched: its text fields are cut to the configured per-field maxima
and it is flagged `truncated`, so monitors and dashboards can tell. If the maxima are set too generously
to fit, the largest field keeps shrinking until the record fits: an oversized record is never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import RecordDecodeError
from shared.limits import KINESIS_MAX_RECORD_BYTES
from shared.records import InvocationRecord
from shared.text import truncate_utf8, utf8_len

TEXT_FIELDS = ("prompt", "completion", "system")


class RecordTooLarge(RecordDecodeError):
    """Even cut to nothing, the record is over the stream's size limit (a giant model id or timestamp)."""


@dataclass(frozen=True)
class FieldLimits:
    """Per-field maxima in UTF-8 bytes, applied only to records over the size limit."""

    prompt: int = 256 * 1024
    completion: int = 512 * 1024
    system: int = 64 * 1024


def fit_record(
    record: InvocationRecord, limits: FieldLimits, *, max_bytes: int = KINESIS_MAX_RECORD_BYTES
) -> tuple[bytes, InvocationRecord]:
    """The encoded record and the record it encodes (flagged and cut if it had to be)."""
    budget = max_bytes - utf8_len(record.request_id)  # the partition key counts against the limit
    data = record.to_json().encode("utf-8")
    if len(data) <= budget:
        return data, record
    record = record.with_changes(
        truncated=True,
        **{name: truncate_utf8(getattr(record, name), getattr(limits, name)) for name in TEXT_FIELDS},
    )
    data = record.to_json().encode("utf-8")
    if len(data) > budget and (record.request_metadata or record.content_blocks):
        # Caller-supplied metadata can be as large as the texts; it goes before the last of the texts.
        record = record.with_changes(request_metadata={}, content_blocks={})
        data = record.to_json().encode("utf-8")
    while len(data) > budget:
        name = max(TEXT_FIELDS, key=lambda f: utf8_len(getattr(record, f)))
        text = getattr(record, name)
        if not text:
            raise RecordTooLarge("record does not fit in a stream record even with empty text fields")
        excess = len(data) - budget
        # JSON escaping can make a byte of text cost up to six bytes of record; cut at least the excess.
        record = record.with_changes(**{name: truncate_utf8(text, max(utf8_len(text) - excess, 0))})
        data = record.to_json().encode("utf-8")
    return data, record
