"""Lambda entry point of the invocation-logging custom resource (the CDK Provider framework's onEvent).

Thin: the boto3 client is made on the first event (the runtime provides boto3), the logic is in `guard`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

from invocation_logging.guard import BedrockLoggingClient, Response, handle

logging.getLogger("invocation_logging").setLevel(logging.INFO)


@functools.cache
def _client() -> BedrockLoggingClient:
    import boto3
    from botocore.config import Config

    client: BedrockLoggingClient = boto3.client("bedrock", config=Config(retries={"mode": "standard"}))
    return client


def on_event(event: Mapping[str, object], context: object) -> Response:
    return handle(event, _client())
