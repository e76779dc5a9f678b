"""Create, update and delete of the invocation-logging configuration, over an injected Bedrock client.

Events are CloudFormation custom-resource events as the CDK Provider framework passes them on; the answer
is the framework's `{"PhysicalResourceId", "Data"}`, and an exception fails the operation with its message
(shown in the stack's events). Resource properties arrive as strings.

- Create: nothing configured -> put the stack's configuration; already delivering to the stack's bucket and
  prefix -> keep that configuration (text delivery switched on if it was off); delivering anywhere else ->
  `LoggingConflict`, unless `ReplaceExisting`, then put the stack's. What was there is remembered in the
  physical id (CloudFormation gives a delete only the physical id and the properties).
- Update: the same physical id is returned (a new one would make CloudFormation delete the old one, which
  would restore the old configuration); a configuration changed since, to somewhere that is neither the
  old nor the new destination, is a conflict unless `ReplaceExisting`.
- Delete: only while the configuration still delivers to the stack's destination: restore what was there,
  or delete the configuration if there was none. Anything else was changed by someone since: left alone.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, Required, TypedDict

logger = logging.getLogger(__name__)

#: Resource properties (the CDK construct sets them; CloudFormation passes every value as a string).
BUCKET_NAME = "BucketName"
KEY_PREFIX = "KeyPrefix"
REPLACE_EXISTING = "ReplaceExisting"

PHYSICAL_ID_PREFIX = "bedrock-invocation-logging:"
_NOTHING = "none"
_RESTORE = "restore:"
#: CloudFormation's limit on a custom resource's physical id.
PHYSICAL_ID_MAX_BYTES = 1024


class S3Config(TypedDict, total=False):
    bucketName: Required[str]
    keyPrefix: str


class LoggingConfig(TypedDict, total=False):
    """Bedrock's `loggingConfig` (Get/PutModelInvocationLoggingConfiguration); restored as it was read."""

    s3Config: S3Config
    cloudWatchConfig: dict[str, object]
    textDataDeliveryEnabled: bool
    imageDataDeliveryEnabled: bool
    embeddingDataDeliveryEnabled: bool
    videoDataDeliveryEnabled: bool
    audioDataDeliveryEnabled: bool


class GetLoggingOutput(TypedDict, total=False):
    loggingConfig: LoggingConfig


class BedrockLoggingClient(Protocol):
    """The part of boto3's `bedrock` client this resource uses (tests pass moto's or a stubbed one)."""

    def get_model_invocation_logging_configuration(self) -> GetLoggingOutput: ...

    def put_model_invocation_logging_configuration(self, *, loggingConfig: LoggingConfig) -> object: ...

    def delete_model_invocation_logging_configuration(self) -> object: ...


class Response(TypedDict, total=False):
    PhysicalResourceId: Required[str]
    Data: dict[str, str]


class LoggingConflict(Exception):
    """Logging already delivers somewhere else and the stack was not told to replace it (or cannot)."""


class UnknownPhysicalId(ValueError):
    """A physical id this resource did not give (nothing to restore from it)."""


@dataclass(frozen=True)
class Destination:
    """An S3 destination of invocation logs: a bucket and a key prefix (no slash at either end)."""

    bucket: str
    key_prefix: str = ""

    @classmethod
    def of(cls, config: LoggingConfig) -> Destination | None:
        s3 = config.get("s3Config")
        if not s3 or not s3.get("bucketName"):
            return None
        return cls(s3["bucketName"], (s3.get("keyPrefix") or "").strip("/"))

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key_prefix + '/' if self.key_prefix else ''}"


@dataclass(frozen=True)
class Target:
    """What the stack asks for: its destination, and whether it may replace another one."""

    destination: Destination
    replace_existing: bool = False

    @classmethod
    def from_properties(cls, properties: Mapping[str, object]) -> Target:
        bucket = str(properties.get(BUCKET_NAME) or "").strip()
        if not bucket:
            raise ValueError(f"the resource has no {BUCKET_NAME} property")
        prefix = str(properties.get(KEY_PREFIX) or "").strip().strip("/")
        replace = str(properties.get(REPLACE_EXISTING, "false")).strip().lower() == "true"
        return cls(Destination(bucket, prefix), replace)

    def config(self) -> LoggingConfig:
        """The stack's configuration: text only (no image, embedding or video data) to its destination."""
        s3: S3Config = {"bucketName": self.destination.bucket}
        if self.destination.key_prefix:
            s3["keyPrefix"] = self.destination.key_prefix
        return {
            "s3Config": s3,
            "textDataDeliveryEnabled": True,
            "imageDataDeliveryEnabled": False,
            "embeddingDataDeliveryEnabled": False,
        }


def is_on(config: LoggingConfig) -> bool:
    """Logging delivers somewhere (S3 or CloudWatch Logs)."""
    return bool(config.get("s3Config") or config.get("cloudWatchConfig"))


def describe(config: LoggingConfig) -> str:
    """Where a configuration delivers, for messages."""
    parts = []
    destination = Destination.of(config)
    if destination is not None:
        parts.append(str(destination))
    cloudwatch = config.get("cloudWatchConfig")
    if cloudwatch:
        parts.append(f"CloudWatch Logs group {cloudwatch.get('logGroupName', '?')}")
    return " and ".join(parts) or "nowhere"


def physical_id(previous: LoggingConfig | None) -> str:
    """The physical id that remembers `previous` (None: nothing was configured)."""
    if previous is None:
        return PHYSICAL_ID_PREFIX + _NOTHING
    packed = zlib.compress(json.dumps(previous, separators=(",", ":"), sort_keys=True).encode(), 9)
    value = PHYSICAL_ID_PREFIX + _RESTORE + base64.urlsafe_b64encode(packed).decode().rstrip("=")
    if len(value.encode()) > PHYSICAL_ID_MAX_BYTES:
        raise LoggingConflict(
            f"the invocation-logging configuration already in place ({describe(previous)}) is too large to be "
            f"remembered for restoring when the stack is deleted ({len(value)} bytes, CloudFormation keeps "
            f"{PHYSICAL_ID_MAX_BYTES}); nothing was changed. Simplify or remove it, or monitor the logs where "
            "they are with logBucket.existingBucketName and invocationLogging disabled."
        )
    return value


def remembered(physical: str) -> LoggingConfig | None:
    """What `physical_id` remembered; UnknownPhysicalId for an id it did not make."""
    if not physical.startswith(PHYSICAL_ID_PREFIX):
        raise UnknownPhysicalId(physical)
    body = physical[len(PHYSICAL_ID_PREFIX) :]
    if body == _NOTHING:
        return None
    if not body.startswith(_RESTORE):
        raise UnknownPhysicalId(physical)
    encoded = body[len(_RESTORE) :]
    try:
        raw = zlib.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        value = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError):
        raise UnknownPhysicalId(physical) from None
    if not isinstance(value, dict):
        raise UnknownPhysicalId(physical)
    config: LoggingConfig = value  # type: ignore[assignment]  # written by physical_id from a LoggingConfig
    return config


def current(client: BedrockLoggingClient) -> LoggingConfig:
    return client.get_model_invocation_logging_configuration().get("loggingConfig") or {}


def _conflict(existing: LoggingConfig, target: Target, *, since: str = "") -> LoggingConflict:
    return LoggingConflict(
        f"Bedrock model invocation logging in this account and region {since}delivers to "
        f"{describe(existing)}; this stack would point it at {target.destination} instead. Nothing was changed. "
        "To replace it (the stack restores it when deleted) deploy with "
        "-c invocationLogging.enabled=true -c invocationLogging.replaceExisting=true; to monitor the logs "
        "where they are, deploy with -c logBucket.existingBucketName=<that bucket> (and logBucket.keyPrefix) "
        "and invocationLogging disabled."
    )


def _apply(client: BedrockLoggingClient, existing: LoggingConfig, target: Target) -> str:
    """Point logging at the target; keep a configuration that already delivers there. Returns what it did."""
    if is_on(existing) and Destination.of(existing) == target.destination:
        wanted: LoggingConfig = {**existing, "textDataDeliveryEnabled": True}
        if wanted == existing:
            return "kept"
        client.put_model_invocation_logging_configuration(loggingConfig=wanted)
        return "kept, text delivery switched on"
    client.put_model_invocation_logging_configuration(loggingConfig=target.config())
    return "replaced" if is_on(existing) else "set"


def _response(physical: str, target: Target, action: str, existing: LoggingConfig) -> Response:
    return {
        "PhysicalResourceId": physical,
        "Data": {
            "Destination": str(target.destination),
            "Action": action,
            "Before": describe(existing),
        },
    }


def on_create(client: BedrockLoggingClient, target: Target) -> Response:
    existing = current(client)
    previous = existing if is_on(existing) else None
    if previous is not None and Destination.of(previous) != target.destination and not target.replace_existing:
        raise _conflict(previous, target, since="already ")
    physical = physical_id(previous)  # before any change: fails if it cannot be remembered
    action = _apply(client, existing, target)
    logger.warning("invocation logging %s: %s (before: %s)", action, target.destination, describe(existing))
    return _response(physical, target, action, existing)


def on_update(client: BedrockLoggingClient, target: Target, old: Target, physical: str) -> Response:
    remembered(physical)  # an id this resource gave, or fail before changing anything
    existing = current(client)
    ours = {old.destination, target.destination}
    if is_on(existing) and Destination.of(existing) not in ours and not target.replace_existing:
        raise _conflict(existing, target, since="now ")
    action = _apply(client, existing, target)
    logger.warning("invocation logging %s: %s (before: %s)", action, target.destination, describe(existing))
    return _response(physical, target, action, existing)


def on_delete(client: BedrockLoggingClient, target: Target, physical: str) -> Response:
    try:
        previous = remembered(physical)
    except UnknownPhysicalId:
        logger.warning("physical id %r was not given by this resource: nothing to undo", physical)
        return {"PhysicalResourceId": physical}
    existing = current(client)
    if Destination.of(existing) != target.destination:
        logger.warning(
            "invocation logging delivers to %s, not to this stack's %s: changed since, left as it is",
            describe(existing),
            target.destination,
        )
        return {"PhysicalResourceId": physical}
    if previous is None:
        client.delete_model_invocation_logging_configuration()
        logger.warning("invocation logging deleted (there was none before the stack)")
    elif previous != existing:
        client.put_model_invocation_logging_configuration(loggingConfig=previous)
        logger.warning("invocation logging restored: %s", describe(previous))
    return {"PhysicalResourceId": physical}


def handle(event: Mapping[str, object], client: BedrockLoggingClient) -> Response:
    """One custom-resource event (as the CDK Provider framework hands it to its onEvent function)."""
    request = event.get("RequestType")
    properties = event.get("ResourceProperties")
    target = Target.from_properties(properties if isinstance(properties, Mapping) else {})
    physical = str(event.get("PhysicalResourceId") or "")
    if request == "Create":
        return on_create(client, target)
    if request == "Update":
        old = event.get("OldResourceProperties")
        return on_update(client, target, Target.from_properties(old if isinstance(old, Mapping) else {}), physical)
    if request == "Delete":
        return on_delete(client, target, physical)
    raise ValueError(f"unknown RequestType {request!r}")
