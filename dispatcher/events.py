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


def objects_in_event(event: Mapping[str, object]) -> Iterator[ObjectRef]:
    """Every created object the event names; nothing for test events and other event kinds."""
    records = event.get("Records")
    if isinstance(records, list):
        for record in records:
            if not isinstance(record, dict) or "s3" not in record:
                continue
            if not str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated"):
                continue
            s3 = record["s3"]
            obj = s3.get("object", {})
            yield ObjectRef(
                bucket=s3["bucket"]["name"],
                key=unquote_plus(obj["key"]),
                version=str(obj.get("sequencer") or obj.get("eTag") or obj.get("versionId") or ""),
                size=obj.get("size"),
            )
        return
    if event.get("source") == "aws.s3" and event.get("detail-type") == "Object Created":
        detail = event.get("detail")
        if isinstance(detail, dict):
            obj = detail.get("object", {})
            yield ObjectRef(
                bucket=detail["bucket"]["name"],
                key=obj["key"],
                version=str(obj.get("sequencer") or obj.get("etag") or obj.get("version-id") or ""),
                size=obj.get("size"),
            )
