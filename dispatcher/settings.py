"""The dispatcher Lambda's settings, read from its environment and validated once at start-up.

The CDK stack writes these variables into each Lambda's environment with `to_env()`; the handlers read
them back with `from_env()`. One dataclass per process kind keeps the variable names in one place. A bad
value fails at start-up with a ConfigurationError that names the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.pipeline_metrics import DEFAULT_NAMESPACE
from shared.sources import parse_key_prefix
from shared.truncation import FieldLimits
from shared.values import env_bool, env_float, env_int, env_str

NAMESPACE_ENV = "POWERTOOLS_METRICS_NAMESPACE"
#: Lambda retries a failed asynchronous invocation (an S3 notification) this many times (the stack's setting).
ASYNC_RETRY_ATTEMPTS = 2
#: Invocations that wait for a late offloaded body before one gives the record up: every one but the last,
#: so a body that never lands costs one record, never the rest of the object.
BODY_WAIT_INVOCATIONS = ASYNC_RETRY_ATTEMPTS


@dataclass(frozen=True)
class DispatcherSettings:
    """What the dispatcher Lambda needs. Field maxima apply only to records over the Kinesis limit."""

    stream: str
    idempotency_table: str
    namespace: str = DEFAULT_NAMESPACE
    field_limits: FieldLimits = field(default_factory=FieldLimits)
    body_wait_seconds: float = 30.0
    put_records_max_attempts: int = 8
    idempotency_expiry_seconds: int = 24 * 3600
    #: The bucket's key prefix before `AWSLogs/` ("" for none): objects elsewhere are not Bedrock's logs.
    log_key_prefix: str = ""
    #: Leave requests the canary suite tagged out of the stream (`canary.excludeFromMonitors`).
    exclude_canary: bool = True

    STREAM_ENV = "LLM_MONITOR_STREAM"
    TABLE_ENV = "LLM_MONITOR_IDEMPOTENCY_TABLE"
    MAX_PROMPT_ENV = "LLM_MONITOR_MAX_PROMPT_BYTES"
    MAX_COMPLETION_ENV = "LLM_MONITOR_MAX_COMPLETION_BYTES"
    MAX_SYSTEM_ENV = "LLM_MONITOR_MAX_SYSTEM_BYTES"
    BODY_WAIT_ENV = "LLM_MONITOR_OFFLOADED_BODY_WAIT_SECONDS"
    PUT_ATTEMPTS_ENV = "LLM_MONITOR_PUT_RECORDS_MAX_ATTEMPTS"
    IDEMPOTENCY_EXPIRY_ENV = "LLM_MONITOR_IDEMPOTENCY_EXPIRY_SECONDS"
    LOG_KEY_PREFIX_ENV = "LLM_MONITOR_LOG_KEY_PREFIX"
    EXCLUDE_CANARY_ENV = "LLM_MONITOR_EXCLUDE_CANARY"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DispatcherSettings:
        env = os.environ if env is None else env
        defaults = FieldLimits()
        return cls(
            stream=env_str(env, cls.STREAM_ENV),
            idempotency_table=env_str(env, cls.TABLE_ENV),
            namespace=env_str(env, NAMESPACE_ENV, DEFAULT_NAMESPACE),
            field_limits=FieldLimits(
                prompt=env_int(env, cls.MAX_PROMPT_ENV, defaults.prompt, minimum=1024, maximum=900_000),
                completion=env_int(env, cls.MAX_COMPLETION_ENV, defaults.completion, minimum=1024, maximum=900_000),
                system=env_int(env, cls.MAX_SYSTEM_ENV, defaults.system, minimum=0, maximum=900_000),
            ),
            body_wait_seconds=env_float(env, cls.BODY_WAIT_ENV, 30.0, minimum=0.0, maximum=600.0),
            put_records_max_attempts=env_int(env, cls.PUT_ATTEMPTS_ENV, 8, minimum=1, maximum=20),
            idempotency_expiry_seconds=env_int(env, cls.IDEMPOTENCY_EXPIRY_ENV, 24 * 3600, minimum=60),
            log_key_prefix=parse_key_prefix(env.get(cls.LOG_KEY_PREFIX_ENV), key=cls.LOG_KEY_PREFIX_ENV),
            exclude_canary=env_bool(env, cls.EXCLUDE_CANARY_ENV, True),
        )

    def to_env(self) -> dict[str, str]:
        prefix = {self.LOG_KEY_PREFIX_ENV: self.log_key_prefix} if self.log_key_prefix else {}
        return {
            self.STREAM_ENV: self.stream,
            self.TABLE_ENV: self.idempotency_table,
            NAMESPACE_ENV: self.namespace,
            self.MAX_PROMPT_ENV: str(self.field_limits.prompt),
            self.MAX_COMPLETION_ENV: str(self.field_limits.completion),
            self.MAX_SYSTEM_ENV: str(self.field_limits.system),
            self.BODY_WAIT_ENV: str(self.body_wait_seconds),
            self.PUT_ATTEMPTS_ENV: str(self.put_records_max_attempts),
            self.IDEMPOTENCY_EXPIRY_ENV: str(self.idempotency_expiry_seconds),
            **prefix,
            self.EXCLUDE_CANARY_ENV: "true" if self.exclude_canary else "false",
        }
