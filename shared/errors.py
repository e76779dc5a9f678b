"""One exception class per failure mode, under a common base.

Callers catch the narrowest class that tells them what to do next: a configuration error stops start-up,
a decode error is counted and skipped, a retryable downstream error makes the event or item be retried.
"""

from __future__ import annotations


class LlmMonitorError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigurationError(LlmMonitorError):
    """A setting is missing or invalid. The message names the setting's key."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}")


class MonitorDefinitionError(LlmMonitorError):
    """A monitor's declaration is inconsistent (duplicate names, alarm on an undeclared metric, ...)."""


class RecordDecodeError(LlmMonitorError):
    """A log line or a stream record could not be decoded. Never carries the record's text."""


class SourceError(LlmMonitorError):
    """A log source (file, directory, S3 prefix) cannot be read at all."""


class RetryableDownstreamError(LlmMonitorError):
    """A downstream service refused or failed after our own retries; retrying the event may succeed."""


class OffloadedBodyMissing(RetryableDownstreamError):
    """A body Bedrock offloaded to S3 is not there yet (it may land after the record that points to it)."""

    def __init__(self, uri: str, attempts: int) -> None:
        self.uri = uri
        self.attempts = attempts
        super().__init__(f"offloaded body {uri} still missing after {attempts} attempts")


class StoreError(LlmMonitorError):
    """The local metric store cannot be opened or used (wrong schema version, not a database, bad value)."""
