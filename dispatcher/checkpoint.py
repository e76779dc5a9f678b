"""How far into a log object the dispatcher has published, so a retried event resumes there.

Powertools Idempotency stops a repeated event for an object that was fully processed. It cannot help
when an attempt fails half-way (a late offloaded body, Kinesis refusing entries past the retry budget):
the retry would publish the first part again. After every PutRecords chunk the dispatcher records the
last line it fully published, and — when a chunk was only partly accepted — the request ids that did get
through; a retry skips both. It also counts, per offloaded body, the invocations that waited for it in
vain, so the last retry gives that one record up and publishes the rest of the object. Items live in the
idempotency table under their own key prefix and expire with the same TTL.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol, TypedDict

from dispatcher.events import ObjectRef


class AttributeValue(TypedDict, total=False):
    """A DynamoDB attribute value in the low-level client's form (the types a checkpoint uses)."""

    S: str
    N: str
    SS: list[str]
    M: dict[str, AttributeValue]


Item = dict[str, AttributeValue]


class GetItemOutput(TypedDict, total=False):
    Item: Item


class DynamoDBClient(Protocol):
    """The part of boto3's DynamoDB client a checkpoint uses."""

    def get_item(self, *, TableName: str, Key: Mapping[str, AttributeValue], ConsistentRead: bool) -> GetItemOutput: ...

    def put_item(self, *, TableName: str, Item: Mapping[str, AttributeValue]) -> object: ...


@dataclass(frozen=True)
class Checkpoint:
    """`line`: every generation up to it is published. `published_ids`: records after it, up to
    `ids_until_line`, that a partly accepted chunk already published."""

    line: int = 0
    published_ids: frozenset[str] = field(default_factory=frozenset)
    ids_until_line: int = 0
    missing_bodies: Mapping[str, int] = field(default_factory=dict)  # offloaded-body URI -> vain waits

    def advanced_to(self, line: int) -> Checkpoint:
        if line >= self.ids_until_line:
            return replace(self, line=line, published_ids=frozenset(), ids_until_line=0)
        return replace(self, line=line)

    def waited_for(self, uri: str) -> Checkpoint:
        """This checkpoint after one more invocation waited for `uri` in vain."""
        return replace(self, missing_bodies={**self.missing_bodies, uri: self.missing_bodies.get(uri, 0) + 1})

    def given_up(self, waits: int) -> frozenset[str]:
        """The bodies waited for in vain `waits` times already: the next read gives them up."""
        return frozenset(uri for uri, n in self.missing_bodies.items() if n >= waits)


class Checkpoints(Protocol):
    """Where the dispatcher keeps its checkpoints (a `CheckpointStore`, or a fake in tests and benchmarks)."""

    def load(self, obj: ObjectRef) -> Checkpoint: ...

    def save(self, obj: ObjectRef, checkpoint: Checkpoint) -> None: ...


@dataclass
class CheckpointStore:
    client: DynamoDBClient
    table: str
    ttl_seconds: int = 24 * 3600
    key_attribute: str = "id"
    expiry_attribute: str = "expiration"

    @staticmethod
    def _id(obj: ObjectRef) -> str:
        return f"checkpoint#{obj.bucket}/{obj.key}#{obj.version}"

    def load(self, obj: ObjectRef) -> Checkpoint:
        item = self.client.get_item(
            TableName=self.table, Key={self.key_attribute: {"S": self._id(obj)}}, ConsistentRead=True
        ).get("Item")
        if not item:
            return Checkpoint()
        return Checkpoint(
            int(item["line"]["N"]),
            frozenset(item.get("published", {}).get("SS", [])),
            int(item.get("idsUntilLine", {}).get("N", 0)),
            {uri: int(n["N"]) for uri, n in item.get("missingBodies", {}).get("M", {}).items()},
        )

    def save(self, obj: ObjectRef, checkpoint: Checkpoint) -> None:
        item: Item = {
            self.key_attribute: {"S": self._id(obj)},
            "line": {"N": str(checkpoint.line)},
            self.expiry_attribute: {"N": str(int(time.time()) + self.ttl_seconds)},
        }
        if checkpoint.published_ids:
            item["published"] = {"SS": sorted(checkpoint.published_ids)}
            item["idsUntilLine"] = {"N": str(checkpoint.ids_until_line)}
        if checkpoint.missing_bodies:
            item["missingBodies"] = {"M": {uri: {"N": str(n)} for uri, n in checkpoint.missing_bodies.items()}}
        self.client.put_item(TableName=self.table, Item=item)
