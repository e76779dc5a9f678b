"""Where and how Bedrock writes invocation logs to S3: account, bucket, object keys, encoding.

Batches of records go to `AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/` as gzipped
JSON lines; input bodies over the inline limit go to a `data/` prefix under the same hour and the record
carries their S3 URI. The encoding is fixed (compact JSON, UTF-8, gzip with mtime 0 and no file name) so
the output is reproducible byte for byte.
"""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime

__all__ = [
    "ACCOUNT_ID",
    "BUCKET",
    "INLINE_BODY_MAX_BYTES",
    "LOG_PREFIX",
    "REGION",
    "JsonDict",
    "data_uri",
    "dumps",
    "gzip_bytes",
    "log_object_key",
    "timestamp",
]

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
BUCKET = "llm-monitor-example-logs"
LOG_PREFIX = f"AWSLogs/{ACCOUNT_ID}/BedrockModelInvocationLogs/{REGION}"
INLINE_BODY_MAX_BYTES = 100 * 1024  # Bedrock offloads bodies larger than this (shared.limits has the same)

JsonDict = dict[str, object]


def timestamp(ts_ms: int) -> str:
    """A record's `timestamp`: ISO-8601 UTC with milliseconds."""
    dt = datetime.fromtimestamp(ts_ms // 1000, UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{ts_ms % 1000:03d}Z"


def data_uri(ts_ms: int, request_id: str) -> str:
    """Where an offloaded input body lands: under `data/` in the hour of its record."""
    hour = f"{datetime.fromtimestamp(ts_ms // 1000, UTC):%Y/%m/%d/%H}"
    return f"s3://{BUCKET}/{LOG_PREFIX}/{hour}/data/{request_id}_input.json.gz"


def log_object_key(first_timestamp: str, suffix: int) -> str:
    """The key of a batch whose earliest record has `first_timestamp` (2026-11-20T08:00:03.123Z)."""
    ts = first_timestamp
    compact = ts.replace("-", "").replace(":", "").replace(".", "")  # 20261120T080003123Z
    prefix = f"{LOG_PREFIX}/{ts[:4]}/{ts[5:7]}/{ts[8:10]}/{ts[11:13]}"
    return f"{prefix}/{compact}_{suffix:016x}.json.gz"


def dumps(record: JsonDict) -> str:
    """One record or body as Bedrock writes it: compact JSON, non-ASCII text as is."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def gzip_bytes(data: bytes, level: int = 9) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=level, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()
