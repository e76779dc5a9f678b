"""Which S3 objects an event announces, from either S3 notifications or EventBridge.

S3 notifications URL-encode object keys (spaces as '+'); EventBridge does not. Either way the object's
identity for de-duplication is bucket + key + sequencer (or the ETag when there is no sequencer): S3
delivers events at least once and may repeat them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TypedDict
from urllib.parse import unquote_plus


class ObjectRefDict(TypedDict):
    bucket: str
    key: str
    version: str
    size: int | None


@dataclass(frozen=True, slots=True)
class ObjectRef:
    bucket: str
    key: str
    version: str  # the S3 sequencer, or the ETag; part of the idempotency key
    size: int | None = None

    def to_dict(self) -> ObjectRefDict:
        return {"bucket": self.bucket, "key": self.key, "version": self.version, "size": self.size}

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True, slots=True)
class UnusableRecord:
    """An event record that announces an object but cannot say which: what is missing, never content."""

    where: str  # "Records[1]" or "detail"
    reason: str  # e.g. "no s3.object.key"

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def objects_in_event(event: Mapping[str, object]) -> Iterator[ObjectRef | UnusableRecord]:
    """Every created object the event names; nothing for test events and other event kinds.

    A record that announces a created object but lacks what names it (bucket, key), or is not the shape
    S3 and EventBridge send, comes out as an `UnusableRecord` in its place: the caller counts it and
    carries on with the others.
    """
    if "Records" in event:
        records = event["Records"]
        if not isinstance(records, list) or not records:
            yield UnusableRecord("Records", "empty" if isinstance(records, list) else f"not a list ({_kind(records)})")
            return
        for index, record in enumerate(records):
            where = f"Records[{index}]"
            if not isinstance(record, dict):
                yield UnusableRecord(where, f"not an object ({_kind(record)})")
                continue
            if "s3" not in record:
                continue  # another service's record (e.g. CloudTrail in a shared bucket's notifications)
            if not str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated"):
                continue
            yield _s3_notification_object(record["s3"], where)
        return
    if event.get("source") == "aws.s3" and event.get("detail-type") == "Object Created":
        yield _eventbridge_object(event.get("detail"))


def _s3_notification_object(s3: object, where: str) -> ObjectRef | UnusableRecord:
    if not isinstance(s3, dict):
        return UnusableRecord(where, f"s3 is not an object ({_kind(s3)})")
    bucket = _text(s3.get("bucket"), "name")
    obj = s3.get("object")
    key = _text(obj, "key")
    if bucket is None or key is None or not isinstance(obj, dict):
        return UnusableRecord(where, _missing(("s3.bucket.name", bucket), ("s3.object.key", key)))
    return ObjectRef(
        bucket=bucket,
        key=unquote_plus(key),
        version=str(obj.get("sequencer") or obj.get("eTag") or obj.get("versionId") or ""),
        size=_size(obj.get("size")),
    )


def _eventbridge_object(detail: object) -> ObjectRef | UnusableRecord:
    if not isinstance(detail, dict):
        return UnusableRecord("detail", f"not an object ({_kind(detail)})")
    bucket = _text(detail.get("bucket"), "name")
    obj = detail.get("object")
    key = _text(obj, "key")
    if bucket is None or key is None or not isinstance(obj, dict):
        return UnusableRecord("detail", _missing(("detail.bucket.name", bucket), ("detail.object.key", key)))
    return ObjectRef(
        bucket=bucket,
        key=key,
        version=str(obj.get("sequencer") or obj.get("etag") or obj.get("version-id") or ""),
        size=_size(obj.get("size")),
    )


def _text(parent: object, name: str) -> str | None:
    """`parent[name]` when parent is an object and the value a non-empty string."""
    value = parent.get(name) if isinstance(parent, dict) else None
    return value if isinstance(value, str) and value else None


def _missing(*fields: tuple[str, str | None]) -> str:
    return "no " + " and no ".join(name for name, value in fields if value is None)


def _size(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__
