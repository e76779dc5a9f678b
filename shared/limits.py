"""Service limits and prices the design depends on, written once.

Sources: the AWS service quotas and pricing pages as summarised in the project's architecture notes
(us-east-1). Everything that chunks, truncates or estimates cost imports from here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Kinesis Data Streams
KINESIS_MAX_RECORD_BYTES = 1_000_000  # data blob + partition key, per record (1 MB; 1,048,576 is the SDK's bound)
KINESIS_PUT_RECORDS_MAX_ENTRIES = 500
KINESIS_PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024
KINESIS_PARTITION_KEY_MAX_CHARS = 256

# Bedrock invocation logging
OFFLOADED_BODY_DIR = "data"
OFFLOADED_BODY_PREFIX_MARKER = f"/{OFFLOADED_BODY_DIR}/"
#: The longest log line the reader buffers. Bedrock offloads bodies over 100 KB (and binary data) to
#: `data/`, so a real line is the envelope plus at most two inline bodies: well under a few MB. A line past
#: this (a gzip bomb: 1 MB of gzip can hold a 1 GiB line) is one malformed line, skipped to the next
#: newline without being held, so the 512 MB dispatcher Lambda (and a laptop) survive it and the next lines
#: are read. Far above any real line, far below the Lambda's memory.
MAX_LOG_LINE_BYTES = 64 << 20

# Titan Text Embeddings V2
TITAN_EMBED_MODEL_ID = "amazon.titan-embed-text-v2:0"
TITAN_EMBED_MAX_TOKENS = 8_192
TITAN_EMBED_MAX_CHARS = 50_000  # the API's inputText bound in characters
TITAN_EMBED_DIMENSIONS = (256, 512, 1024)

# Amazon Comprehend. Its "KB" is 1,000 bytes: the "5 KB" document limit is 5,000 bytes, so the "1 KB"
# DetectToxicContent segment is 1,000 (a 1,001-1,024-byte segment is refused with TextSizeLimitExceeded).
COMPREHEND_SENTIMENT_MAX_DOC_BYTES = 5_000
COMPREHEND_SENTIMENT_BATCH_MAX_DOCS = 25
COMPREHEND_TOXICITY_MAX_SEGMENTS = 10
COMPREHEND_TOXICITY_MAX_SEGMENT_BYTES = 1_000
COMPREHEND_TOXICITY_LABELS = (
    "PROFANITY",
    "HATE_SPEECH",
    "INSULT",
    "GRAPHIC",
    "HARASSMENT_OR_ABUSE",
    "SEXUAL",
    "VIOLENCE_OR_THREAT",
)

# Kinesis on-demand bills each record's data rounded up to 1 KiB (in and out).
KINESIS_BILLED_RECORD_UNIT_BYTES = 1024
# CloudWatch Logs counts this many bytes per event on top of the message (ingestion pricing).
LOGS_EVENT_OVERHEAD_BYTES = 26

# Step Functions Express
STEP_FUNCTIONS_MAX_PAYLOAD_BYTES = 256 * 1024
STEP_FUNCTIONS_EXPRESS_MAX_SECONDS = 5 * 60

# The sentiment/toxicity workflow, called synchronously (StartSyncExecution) by the sentiment-toxicity
# Lambda. Each bound lies inside the next, so no caller gives up on an execution that is still running
# (Express has no idempotency: a retried StartSyncExecution is a second execution): the state machine's
# TimeoutSeconds < the client's read timeout < the Lambda's timeout, with time left to emit the metrics.
TEXT_ANALYSIS_WORKFLOW_TIMEOUT_SECONDS = 90
TEXT_ANALYSIS_READ_TIMEOUT_SECONDS = TEXT_ANALYSIS_WORKFLOW_TIMEOUT_SECONDS + 15
TEXT_ANALYSIS_LAMBDA_MARGIN_SECONDS = 30  # after the last execution returns: scoring, EMF, batch response
TEXT_ANALYSIS_LAMBDA_TIMEOUT_SECONDS = 180  # the sentiment-toxicity Lambda's default timeout

# CloudWatch accepts a datapoint (PutMetricData or an EMF document) up to two weeks old and two hours ahead.
CLOUDWATCH_MAX_PAST_SECONDS = 14 * 24 * 3600
CLOUDWATCH_MAX_FUTURE_SECONDS = 2 * 3600

# CloudWatch Embedded Metric Format: one document holds at most this many metrics (a monitor's per-record
# values go out in one document, so a monitor declares at most this many metrics).
EMF_MAX_METRICS_PER_DIRECTIVE = 100

# Prices (USD, us-east-1) used by the cost estimate.
PRICE_TITAN_EMBED_PER_1K_TOKENS = 0.00002
PRICE_COMPREHEND_PER_UNIT = 0.0001  # one unit = 100 characters
COMPREHEND_UNIT_CHARS = 100
COMPREHEND_MIN_UNITS_PER_DOC = 3
PRICE_SFN_EXPRESS_PER_MILLION_REQUESTS = 1.00
PRICE_SFN_EXPRESS_PER_GB_SECOND = 0.00001667
PRICE_PUT_METRIC_DATA_PER_1K_CALLS = 0.01
PRICE_CUSTOM_METRIC_PER_MONTH = 0.30
PRICE_ALARM_PER_MONTH = 0.10
PRICE_DASHBOARD_PER_MONTH = 3.00
PRICE_LAMBDA_PER_MILLION_REQUESTS = 0.20
PRICE_LAMBDA_ARM_PER_GB_SECOND = 0.0000133334
PRICE_KINESIS_ON_DEMAND_PER_STREAM_HOUR = 0.04
PRICE_KINESIS_ON_DEMAND_PER_GB_IN = 0.08
PRICE_KINESIS_ON_DEMAND_PER_GB_OUT = 0.04
PRICE_KINESIS_PROVISIONED_PER_SHARD_HOUR = 0.015
PRICE_KINESIS_PROVISIONED_PER_MILLION_PUT_UNITS = 0.014
KINESIS_PUT_PAYLOAD_UNIT_BYTES = 25 * 1024  # provisioned mode bills PUTs in 25 KB payload units
# Kinesis retention and enhanced fan-out (us-east-1; "Amazon Kinesis Data Streams pricing",
# aws.amazon.com/kinesis/data-streams/pricing, on-demand and provisioned tabs; read when written, not
# re-checked since). Records are kept 24 hours at no charge; "extended" retention reaches 7 days
# (provisioned: per shard-hour; on demand: per GB-month stored), "long-term" retention beyond that (per
# GB-month). An enhanced fan-out consumer bills per GB it reads (and, provisioned, per consumer-shard-hour)
# instead of the on-demand data-out price.
KINESIS_INCLUDED_RETENTION_HOURS = 24
KINESIS_EXTENDED_RETENTION_MAX_HOURS = 7 * 24
PRICE_KINESIS_PROVISIONED_EXTENDED_RETENTION_PER_SHARD_HOUR = 0.02
PRICE_KINESIS_ON_DEMAND_EXTENDED_RETENTION_PER_GB_MONTH = 0.10
PRICE_KINESIS_LONG_TERM_RETENTION_PER_GB_MONTH = 0.023
PRICE_KINESIS_PROVISIONED_EFO_PER_CONSUMER_SHARD_HOUR = 0.015
PRICE_KINESIS_PROVISIONED_EFO_PER_GB = 0.013
PRICE_KINESIS_ON_DEMAND_EFO_PER_GB = 0.05
PRICE_LOGS_INGEST_PER_GB = 0.50


# --- Default service quotas the deployed pipeline runs into ---------------------------------------------
#
# One table: `llm-monitor cost` and `cdk synth` (with the workload.* context keys) compare what a workload
# needs at its peak with these defaults. Each row names the quota as the service's quota page (and, where
# adjustable, the Service Quotas console) names it, and that page. The Lambda and Kinesis values are the
# long-standing documented defaults. The Bedrock, Comprehend and Step Functions values were transcribed
# from their pages when this was written and could not be re-read since: they differ by region, and
# Bedrock says an account's own defaults may be lower ("Quotas for Amazon Bedrock"). The table is a
# warning, not a gate: read your account's values in Service Quotas before relying on a row.


@dataclass(frozen=True)
class Quota:
    """A default quota: what it is called, for which service, its default value and where it is written."""

    service: str
    name: str
    value: float
    unit: str
    adjustable: bool
    source: str


MIB = 1024 * 1024
QUOTA_LAMBDA_CONCURRENCY = Quota(
    "Lambda", "Concurrent executions", 1_000, "executions", True, "AWS Lambda Developer Guide, 'Lambda quotas'"
)
QUOTA_KINESIS_SHARD_WRITE_BYTES = Quota(
    "Kinesis",
    "Write throughput per shard",
    MIB,
    "bytes/s",
    False,
    "Kinesis Data Streams Developer Guide, 'Quotas and limits'",
)
QUOTA_KINESIS_SHARD_WRITE_RECORDS = Quota(
    "Kinesis",
    "Records written per shard",
    1_000,
    "records/s",
    False,
    "Kinesis Data Streams Developer Guide, 'Quotas and limits'",
)
QUOTA_KINESIS_ON_DEMAND_WRITE_BYTES = Quota(
    "Kinesis",
    "On-demand stream write capacity before it scales (a new stream)",
    4 * MIB,
    "bytes/s",
    False,
    "Kinesis Data Streams Developer Guide, 'Choose the data stream capacity mode' (on-demand mode)",
)
QUOTA_KINESIS_SHARD_SHARED_READ_BYTES = Quota(
    "Kinesis",
    "Read throughput per shard, shared by every standard consumer",
    2 * MIB,
    "bytes/s",
    False,
    "Kinesis Data Streams Developer Guide, 'Quotas and limits' (GetRecords)",
)
QUOTA_KINESIS_SHARD_GET_RECORDS = Quota(
    "Kinesis",
    "GetRecords calls per shard, shared by every standard consumer",
    5,
    "calls/s",
    False,
    "Kinesis Data Streams Developer Guide, 'Quotas and limits' (GetRecords)",
)
QUOTA_KINESIS_EFO_CONSUMERS = Quota(
    "Kinesis",
    "Registered enhanced fan-out consumers per stream",
    20,
    "consumers",
    False,
    "Kinesis Data Streams Developer Guide, 'Quotas and limits' (RegisterStreamConsumer)",
)
QUOTA_TITAN_EMBED_V2_REQUESTS = Quota(
    "Bedrock",
    "On-demand InvokeModel requests per minute for Amazon Titan Text Embeddings V2",
    2_000,
    "requests/min",
    True,
    "Amazon Bedrock service quotas (AWS General Reference); embedding models are throttled by requests per minute",
)
QUOTA_TITAN_EMBED_V2_TOKENS = Quota(
    "Bedrock",
    "On-demand InvokeModel tokens per minute for Amazon Titan Text Embeddings V2",
    300_000,
    "tokens/min",
    True,
    "Amazon Bedrock service quotas (AWS General Reference)",
)
QUOTA_COMPREHEND_BATCH_SENTIMENT = Quota(
    "Comprehend",
    "BatchDetectSentiment requests per second",
    10,
    "requests/s",
    True,
    "Amazon Comprehend Developer Guide, 'Guidelines and quotas' (real-time analysis)",
)
QUOTA_COMPREHEND_TOXICITY = Quota(
    "Comprehend",
    "DetectToxicContent requests per second",
    10,
    "requests/s",
    True,
    "Amazon Comprehend Developer Guide, 'Guidelines and quotas' (real-time analysis)",
)
QUOTA_SFN_EXPRESS_STARTS = Quota(
    "Step Functions",
    "StartSyncExecution (Express workflows) requests per second",
    6_000,
    "requests/s",
    True,
    "AWS Step Functions Developer Guide, 'Step Functions service quotas' (API action throttling, Express)",
)
#: A need above this share of its quota is a warning (`llm-monitor cost`, `cdk synth`).
QUOTA_WARNING_SHARE = 0.8


# --- Regions that offer what backend=aws calls ----------------------------------------------------------
#
# Checked at synth (infra.preflight) for the monitors that need the capability on backend=aws. Sources,
# read in 2025 and transcribed here (the pages could not be re-read when this was written; AWS adds
# regions, so a region missing here may have arrived since: `-c regionCheck=false` skips the check):
# - Comprehend toxicity detection (DetectToxicContent): the AWS News Blog post "New for Amazon Comprehend -
#   Toxicity Detection" (2023-11-09, "Availability and pricing"), which lists these four regions; the
#   Comprehend guide's region list ("Guidelines and quotas") is wider because it covers the older APIs.
#   BatchDetectSentiment, the other call of the workflow, is offered in every Comprehend region.
# - Titan Text Embeddings V2 (amazon.titan-embed-text-v2:0), in-region on-demand inference: the Bedrock
#   user guide's "Model support by AWS Region in Amazon Bedrock" table.
COMPREHEND_TOXICITY_REGIONS = frozenset({"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"})
TITAN_EMBED_V2_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "us-gov-west-1",
        "ca-central-1",
        "sa-east-1",
        "eu-central-1",
        "eu-central-2",
        "eu-west-2",
        "eu-west-3",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-south-1",
        "ap-southeast-2",
    }
)
