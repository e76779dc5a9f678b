"""One exception class per failure mode, under a common base.

Callers catch the narrowest class that tells them what to do next: a configuration error stops start-up,
a decode error is counted and skipped, a retryable downstream error makes the event or item be retried.
"""

from __future__ import annotations

from shared.untrusted_json import identifier


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


#: Exceptions that mean "this data is not what it should be" when raised while decoding untrusted input
#: (a log line, a stream record, an offloaded body): wrong types, missing keys, numbers out of range,
#: nesting deeper than the interpreter's recursion limit. Decoders turn them into RecordDecodeError (or
#: a counted skip) so one bad record never stops the rest; anything else is a genuine fault.
DATA_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
    RecursionError,
)


def describe_data_error(exc: BaseException) -> str:
    """A short, content-free reason for a DATA_ERRORS exception (never the offending value)."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, UnicodeError):
        return "not valid UTF-8"
    if isinstance(exc, RecordDecodeError):
        return str(exc)
    return f"unreadable record ({exc.__class__.__name__})"


class SourceError(LlmMonitorError):
    """A log source (file, directory, S3 prefix) cannot be read at all."""


class RetryableDownstreamError(LlmMonitorError):
    """A downstream service refused or failed after our own retries; retrying the event may succeed."""


#: An offloaded body's URI comes from the log line: at most this much of it goes into a message.
_URI_SHOWN_CHARS = 300


def _shown_uri(uri: str) -> str:
    """A URI from a log line as a message may show it: cut, and without control characters (a newline or
    a terminal escape in it would forge log lines)."""
    shown = identifier(uri[:_URI_SHOWN_CHARS])
    return shown if len(uri) <= _URI_SHOWN_CHARS else f"{shown}... ({len(uri):,} characters)"


class OffloadedBodyUnreadable(RecordDecodeError):
    """A body Bedrock offloaded to S3 cannot be used and never will be: the object is not (gzipped) JSON,
    the log's URI is not an S3 URI, or S3 answers that no retry changes (no such bucket, access denied
    outside the log bucket). Counted, never retried."""

    def __init__(self, uri: str, reason: str) -> None:
        self.uri = uri
        super().__init__(f"offloaded body {_shown_uri(uri)} is unreadable ({reason})")


class OffloadedBodyMissing(RetryableDownstreamError):
    """A body Bedrock offloaded to S3 is not there yet (it may land after the record that points to it)."""

    def __init__(self, uri: str, attempts: int, last_code: str = "", *, final: bool = False) -> None:
        self.uri = uri
        self.attempts = attempts
        #: True when the caller has waited for this body as long as it ever will: the record is then a
        #: counted skip and the rest of the object is read, instead of the event being retried again.
        self.final = final
        answer = f" (S3 answered {last_code})" if last_code else ""
        super().__init__(f"offloaded body {_shown_uri(uri)} still missing after {attempts} attempts{answer}")


class StoreError(LlmMonitorError):
    """The local metric store cannot be opened or used (wrong schema version, not a database, bad value)."""


class OutputError(LlmMonitorError):
    """A file a command writes (the dashboard, a report) cannot be written."""
