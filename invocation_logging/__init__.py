"""The custom resource that points Bedrock's model invocation logging at the stack's bucket, guarded.

Bedrock has one invocation-logging configuration per account and region, so the resource treats it as
shared: on create it reads what is there and refuses to replace a configuration that delivers somewhere
else unless told to (`ReplaceExisting`); it remembers what was there in its physical id and, on delete,
restores it (or deletes the configuration only if there was none), and only while the configuration is
still the stack's. `guard` holds the logic over an injected client; `handler` is the Lambda entry point
(its own code asset: this package and nothing else, boto3 from the Lambda runtime).

Kept free of imports beyond the standard library so the CDK code can read the property names here.
"""

from __future__ import annotations

from invocation_logging.guard import (
    BUCKET_NAME,
    KEY_PREFIX,
    PHYSICAL_ID_PREFIX,
    REPLACE_EXISTING,
    Destination,
    LoggingConflict,
    handle,
)

__all__ = [
    "BUCKET_NAME",
    "KEY_PREFIX",
    "PHYSICAL_ID_PREFIX",
    "REPLACE_EXISTING",
    "Destination",
    "LoggingConflict",
    "handle",
]
