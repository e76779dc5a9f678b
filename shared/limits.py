"""Service limits and prices the design depends on, written once.

Sources: the AWS service quotas and pricing pages as summarised in the project's architecture notes
(us-east-1). Everything that chunks, truncates or estimates cost imports from here.
"""

from __future__ import annotations

# Kinesis Data Streams
KINESIS_MAX_RECORD_BYTES = 1_000_000  # data blob + partition key, per record (1 MB; 1,048,576 is the SDK's bound)
KINESIS_PUT_RECORDS_MAX_ENTRIES = 500
KINESIS_PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024
KINESIS_PARTITION_KEY_MAX_CHARS = 256

# Bedrock invocation logging
OFFLOADED_BODY_DIR = "data"
OFFLOADED_BODY_PREFIX_MARKER = f"/{OFFLOADED_BODY_DIR}/"

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

# CloudWatch Embedded Metric Format
EMF_MAX_METRICS_PER_DIRECTIVE = 100
EMF_MAX_DIMENSIONS = 30
EMF_MAX_VALUES_PER_METRIC = 100

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
PRICE_LOGS_INGEST_PER_GB = 0.50
