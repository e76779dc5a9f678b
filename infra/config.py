"""Infrastructure-only configuration, read from the same CDK context as `monitors.core.config.MonitoringConfig`.

The monitoring keys (`namespace`, `backend`, `monitors.*`, `monitorModules`, `alarms.*`, `alarmModelIds`,
`applicationDimension.*`, `embeddings.*`) belong to `MonitoringConfig` and are not repeated here. This
module owns the keys below (defaults in brackets). Values may come from cdk.json (nested objects) or
from `-c key=value` (dotted keys, string values); a bad value raises `ConfigurationError` naming the key.

- `stackName` [LlmMonitor]: the CloudFormation stack name.
- `logBucket.existingBucketName` [none]: use this existing invocation-log bucket instead of creating one
  (its policy, encryption, versioning and lifecycle stay as they are: see the README).
- `logBucket.keyPrefix` [none; existing bucket only]: the bucket's key prefix before `AWSLogs/` (Bedrock's
  `s3Config.keyPrefix`): logs are read, and announced, only under
  `<keyPrefix>/AWSLogs/<account>/BedrockModelInvocationLogs/`.
- `logBucket.kmsKeyArn` [none; existing bucket only]: the KMS key of an SSE-KMS bucket; the dispatcher
  may kms:Decrypt with it through S3 only.
- `logBucket.expirationDays` [90]: invocation logs (and the access logs) expire after this many days.
- `logBucket.noncurrentExpirationDays` [7]: overwritten or deleted versions expire after this many days.
- `logBucket.accessLogs` [true]: server access logging into a second bucket of this stack.
- `stream.mode` [onDemand | provisioned], `stream.shards` [1, provisioned only], `stream.retentionHours` [24]
  (how long a failed batch's records stay readable by `llm-monitor redrive`; beyond 24 hours it is billed),
  `stream.enhancedFanOut` [false]: each monitor Lambda reads through its own enhanced fan-out consumer
  (2 MB/s per shard each, billed) instead of sharing the shard's 2 MB/s with the others.
- `invocationLogging.enabled` [false] (or `invocationLogging` = true/false): switch on Bedrock model
  invocation logging (account- and region-wide) to the bucket. A configuration that was there before is
  restored when the stack is deleted (deleted only if there was none).
- `invocationLogging.replaceExisting` [false]: replace a configuration that delivers somewhere else
  (without it the deployment fails, naming that destination).
- `alarmEmail` [none]: an address subscribed to the alarm topic (confirm the e-mail AWS sends).
- `dispatcher.maxPromptBytes`, `.maxCompletionBytes`, `.maxSystemBytes` [256 KiB, 512 KiB, 64 KiB]: per
  field maxima applied only to records over the Kinesis record limit; `.offloadedBodyWaitSeconds` [30],
  `.putRecordsMaxAttempts` [8], `.idempotencyExpirySeconds` [86400], `.memoryMb` [512],
  `.timeoutSeconds` [300].
- `workflow.mapConcurrency` [4]: Comprehend calls in flight per branch of one workflow execution.
- `logRetentionDays` [30]: retention of the Lambda and workflow log groups.
- `pipelineAlarms.iteratorAgeSeconds` [600], `.malformedLinesThreshold` [0],
  `.scoringFailuresThreshold` [10]: pipeline-health alarm thresholds (per 5 minutes where counted);
  `.minRecordsPerHour` [1]: fewer records dispatched in an hour (none at all included) alarms; 0: no alarm.
- `skipBundling` [false] (or environment `LLM_MONITOR_SKIP_BUNDLING=1`): synthesise without building the
  Lambda code assets (template tests only; the template is identical, the assets are not built).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dispatcher.settings import DispatcherSettings
from shared.context import DEFAULT_STACK_NAME, merge_context
from shared.context import stack_name as read_stack_name
from shared.errors import ConfigurationError
from shared.sources import parse_key_prefix
from shared.truncation import FieldLimits
from shared.values import parse_bool, parse_int, parse_mapping

SKIP_BUNDLING_ENV = "LLM_MONITOR_SKIP_BUNDLING"

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
STREAM_MODES = ("onDemand", "provisioned")

# S3 bucket naming rules (general purpose buckets), enough to catch typos at synth.
_BUCKET_NAME = re.compile(r"^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A KMS key ARN (not an alias: IAM grants kms:Decrypt on keys); multi-Region keys have an `mrk-` id.
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$")

# Which DispatcherSettings environment variable each context key sets (for error messages).
_DISPATCHER_KEYS = {
    "maxPromptBytes": DispatcherSettings.MAX_PROMPT_ENV,
    "maxCompletionBytes": DispatcherSettings.MAX_COMPLETION_ENV,
    "maxSystemBytes": DispatcherSettings.MAX_SYSTEM_ENV,
    "offloadedBodyWaitSeconds": DispatcherSettings.BODY_WAIT_ENV,
    "putRecordsMaxAttempts": DispatcherSettings.PUT_ATTEMPTS_ENV,
    "idempotencyExpirySeconds": DispatcherSettings.IDEMPOTENCY_EXPIRY_ENV,
}
_DISPATCHER_LAMBDA_KEYS = {"memoryMb": (128, 10_240), "timeoutSeconds": (10, 900)}


@dataclass(frozen=True)
class LogBucketSettings:
    existing_bucket_name: str | None = None
    expiration_days: int = 90
    noncurrent_expiration_days: int = 7
    access_logs: bool = True
    key_prefix: str = ""  # existing bucket only: before AWSLogs/, no slash at either end
    kms_key_arn: str | None = None  # existing SSE-KMS bucket only


@dataclass(frozen=True)
class InvocationLoggingSettings:
    """Whether the stack points Bedrock's invocation logging at the bucket, and over what."""

    enabled: bool = False
    replace_existing: bool = False


@dataclass(frozen=True)
class StreamSettings:
    mode: str = "onDemand"
    shards: int = 1
    retention_hours: int = 24
    enhanced_fan_out: bool = False

    @property
    def on_demand(self) -> bool:
        return self.mode == "onDemand"


@dataclass(frozen=True)
class DispatcherLambdaSettings:
    """The dispatcher's sizing and its DispatcherSettings knobs (names and bounds live in dispatcher.settings)."""

    memory_mb: int = 512
    timeout_seconds: int = 300
    field_limits: FieldLimits = field(default_factory=FieldLimits)
    body_wait_seconds: float = 30.0
    put_records_max_attempts: int = 8
    idempotency_expiry_seconds: int = 24 * 3600

    def settings(self, *, stream: str, table: str, namespace: str, log_key_prefix: str = "") -> DispatcherSettings:
        return DispatcherSettings(
            stream=stream,
            idempotency_table=table,
            namespace=namespace,
            field_limits=self.field_limits,
            body_wait_seconds=self.body_wait_seconds,
            put_records_max_attempts=self.put_records_max_attempts,
            idempotency_expiry_seconds=self.idempotency_expiry_seconds,
            log_key_prefix=log_key_prefix,
        )


@dataclass(frozen=True)
class PipelineAlarmSettings:
    iterator_age_seconds: int = 600
    malformed_lines_threshold: int = 0
    scoring_failures_threshold: int = 10
    #: Records dispatched in an hour below which the no-data alarm fires (missing data counts); 0: no alarm.
    min_records_per_hour: int = 1


@dataclass(frozen=True)
class InfraConfig:
    stack_name: str = DEFAULT_STACK_NAME
    log_bucket: LogBucketSettings = field(default_factory=LogBucketSettings)
    invocation_logging: InvocationLoggingSettings = field(default_factory=InvocationLoggingSettings)
    stream: StreamSettings = field(default_factory=StreamSettings)
    dispatcher: DispatcherLambdaSettings = field(default_factory=DispatcherLambdaSettings)
    alarm_email: str | None = None
    workflow_map_concurrency: int = 4
    log_retention_days: int = 30
    pipeline_alarms: PipelineAlarmSettings = field(default_factory=PipelineAlarmSettings)
    skip_bundling: bool = False

    @classmethod
    def from_context(cls, context: Mapping[str, object], env: Mapping[str, str] | None = None) -> InfraConfig:
        """Validate the infrastructure keys of the (merged) context; errors name the key."""
        env = os.environ if env is None else env
        ctx = merge_context(context)

        name = read_stack_name(ctx)

        bucket = _section(
            ctx,
            "logBucket",
            {
                "existingBucketName",
                "expirationDays",
                "noncurrentExpirationDays",
                "accessLogs",
                "keyPrefix",
                "kmsKeyArn",
            },
        )
        existing = bucket.get("existingBucketName")
        existing_name = str(existing).strip() if existing else None
        if existing_name and not _BUCKET_NAME.match(existing_name):
            raise ConfigurationError(
                "logBucket.existingBucketName", f"is not a valid S3 bucket name: {existing_name!r}"
            )
        key_prefix = parse_key_prefix(bucket.get("keyPrefix"), key="logBucket.keyPrefix")
        if key_prefix and not existing_name:
            raise ConfigurationError(
                "logBucket.keyPrefix",
                "applies only with logBucket.existingBucketName: the bucket this stack creates holds nothing "
                "but Bedrock's logs, which it keeps under AWSLogs/ at its root",
            )
        kms_key_arn = _kms_key_arn(bucket.get("kmsKeyArn"), existing_name)
        log_bucket = LogBucketSettings(
            existing_bucket_name=existing_name,
            expiration_days=parse_int(
                bucket.get("expirationDays", 90), key="logBucket.expirationDays", minimum=1, maximum=36_500
            ),
            noncurrent_expiration_days=parse_int(
                bucket.get("noncurrentExpirationDays", 7),
                key="logBucket.noncurrentExpirationDays",
                minimum=1,
                maximum=36_500,
            ),
            access_logs=parse_bool(bucket.get("accessLogs", True), key="logBucket.accessLogs"),
            key_prefix=key_prefix,
            kms_key_arn=kms_key_arn,
        )

        stream_ctx = _section(ctx, "stream", {"mode", "shards", "retentionHours", "enhancedFanOut"})
        mode = str(stream_ctx.get("mode", "onDemand"))
        if mode not in STREAM_MODES:
            raise ConfigurationError("stream.mode", f"must be one of {', '.join(STREAM_MODES)}, got {mode!r}")
        if mode == "onDemand" and "shards" in stream_ctx:
            raise ConfigurationError("stream.shards", "applies only with stream.mode=provisioned")
        stream = StreamSettings(
            mode=mode,
            shards=parse_int(stream_ctx.get("shards", 1), key="stream.shards", minimum=1, maximum=500),
            retention_hours=parse_int(
                stream_ctx.get("retentionHours", 24), key="stream.retentionHours", minimum=24, maximum=8760
            ),
            enhanced_fan_out=parse_bool(stream_ctx.get("enhancedFanOut", False), key="stream.enhancedFanOut"),
        )

        email = ctx.get("alarmEmail")
        alarm_email = str(email).strip() if email else None
        if alarm_email and not _EMAIL.match(alarm_email):
            raise ConfigurationError("alarmEmail", f"is not an e-mail address: {alarm_email!r}")

        workflow = _section(ctx, "workflow", {"mapConcurrency"})
        retention = parse_int(ctx.get("logRetentionDays", 30), key="logRetentionDays")
        if retention not in LOG_RETENTION_DAYS:
            raise ConfigurationError(
                "logRetentionDays",
                f"must be one of {', '.join(map(str, LOG_RETENTION_DAYS))}, got {retention}",
            )
        pipeline = _section(
            ctx,
            "pipelineAlarms",
            {"iteratorAgeSeconds", "malformedLinesThreshold", "scoringFailuresThreshold", "minRecordsPerHour"},
        )
        skip = parse_bool(ctx.get("skipBundling", False), key="skipBundling") or parse_bool(
            env.get(SKIP_BUNDLING_ENV) or False, key=SKIP_BUNDLING_ENV
        )
        return cls(
            stack_name=name,
            log_bucket=log_bucket,
            invocation_logging=_invocation_logging(ctx),
            stream=stream,
            dispatcher=_dispatcher(ctx),
            alarm_email=alarm_email,
            workflow_map_concurrency=parse_int(
                workflow.get("mapConcurrency", 4), key="workflow.mapConcurrency", minimum=1, maximum=40
            ),
            log_retention_days=retention,
            pipeline_alarms=PipelineAlarmSettings(
                iterator_age_seconds=parse_int(
                    pipeline.get("iteratorAgeSeconds", 600),
                    key="pipelineAlarms.iteratorAgeSeconds",
                    minimum=60,
                    maximum=7 * 86_400,
                ),
                malformed_lines_threshold=parse_int(
                    pipeline.get("malformedLinesThreshold", 0),
                    key="pipelineAlarms.malformedLinesThreshold",
                    minimum=0,
                ),
                scoring_failures_threshold=parse_int(
                    pipeline.get("scoringFailuresThreshold", 10),
                    key="pipelineAlarms.scoringFailuresThreshold",
                    minimum=0,
                ),
                min_records_per_hour=parse_int(
                    pipeline.get("minRecordsPerHour", 1), key="pipelineAlarms.minRecordsPerHour", minimum=0
                ),
            ),
            skip_bundling=skip,
        )


def _section(ctx: Mapping[str, object], name: str, known: set[str]) -> dict[str, object]:
    values = parse_mapping(ctx.get(name), key=name)
    for key in values:
        if key not in known:
            raise ConfigurationError(f"{name}.{key}", f"unknown setting; known: {', '.join(sorted(known))}")
    return values


def _kms_key_arn(value: object, existing_bucket: str | None) -> str | None:
    arn = str(value).strip() if value else None
    if not arn:
        return None
    if not existing_bucket:
        raise ConfigurationError(
            "logBucket.kmsKeyArn",
            "applies only with logBucket.existingBucketName: the bucket this stack creates is SSE-S3 encrypted",
        )
    if not _KMS_KEY_ARN.match(arn):
        raise ConfigurationError(
            "logBucket.kmsKeyArn",
            f"must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>, not an alias), got {arn!r}",
        )
    return arn


def _invocation_logging(ctx: Mapping[str, object]) -> InvocationLoggingSettings:
    """`invocationLogging`: true/false (shorthand for `enabled`) or `{enabled, replaceExisting}`."""
    raw = ctx.get("invocationLogging", False)
    if not isinstance(raw, Mapping):
        return InvocationLoggingSettings(enabled=parse_bool(raw, key="invocationLogging"))
    values = _section(ctx, "invocationLogging", {"enabled", "replaceExisting"})
    settings = InvocationLoggingSettings(
        enabled=parse_bool(values.get("enabled", False), key="invocationLogging.enabled"),
        replace_existing=parse_bool(values.get("replaceExisting", False), key="invocationLogging.replaceExisting"),
    )
    if settings.replace_existing and not settings.enabled:
        raise ConfigurationError(
            "invocationLogging.replaceExisting",
            "applies only with invocationLogging.enabled=true (on the command line `-c invocationLogging=true` "
            "replaces the whole setting: write -c invocationLogging.enabled=true with it)",
        )
    return settings


def _dispatcher(ctx: Mapping[str, object]) -> DispatcherLambdaSettings:
    """Dispatcher settings, validated by DispatcherSettings.from_env itself (one place for the bounds)."""
    raw = _section(ctx, "dispatcher", set(_DISPATCHER_KEYS) | set(_DISPATCHER_LAMBDA_KEYS))
    env = {DispatcherSettings.STREAM_ENV: "stream", DispatcherSettings.TABLE_ENV: "table"}
    for key, variable in _DISPATCHER_KEYS.items():
        if key in raw:
            env[variable] = str(raw[key]).strip()
    try:
        parsed = DispatcherSettings.from_env(env)
    except ConfigurationError as exc:
        key = next((k for k, v in _DISPATCHER_KEYS.items() if v == exc.key), exc.key)
        message = str(exc).split(": ", 1)[-1]
        raise ConfigurationError(f"dispatcher.{key}", message) from None
    sizing = {
        key: parse_int(raw.get(key, default), key=f"dispatcher.{key}", minimum=low, maximum=high)
        for (key, (low, high)), default in zip(_DISPATCHER_LAMBDA_KEYS.items(), (512, 300), strict=True)
    }
    return DispatcherLambdaSettings(
        memory_mb=sizing["memoryMb"],
        timeout_seconds=sizing["timeoutSeconds"],
        field_limits=parsed.field_limits,
        body_wait_seconds=parsed.body_wait_seconds,
        put_records_max_attempts=parsed.put_records_max_attempts,
        idempotency_expiry_seconds=parsed.idempotency_expiry_seconds,
    )
