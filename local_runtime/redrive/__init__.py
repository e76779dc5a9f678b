"""Failed stream batches, back from a monitor's on-failure queue: fetch their records while the stream
still keeps them, and score them again.

When a monitor Lambda gives up on a batch (retries exhausted, records too old), its Kinesis event source
sends the on-failure queue a record of the batch, not its data: which shard, the first and last sequence
numbers and how many records. The records themselves stay on the stream only as long as its retention
(`stream.retentionHours`, 24 hours by default), while the queue keeps the message 14 days. The format
(AWS Lambda Developer Guide, "Using AWS Lambda with Amazon Kinesis", on-failure destinations: "Example
invocation record"; awsdocs/aws-lambda-developer-guide, doc_source/with-kinesis.md):

    {"requestContext": {"requestId": "...", "functionArn": "arn:aws:lambda:...:function:myfunction",
                        "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 1},
     "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
     "version": "1.0", "timestamp": "2019-11-14T00:38:06.021Z",
     "KinesisBatchInfo": {"shardId": "shardId-000000000001",
                          "startSequenceNumber": "4960118965842235937883629852182763847532...",
                          "endSequenceNumber": "4960118965842235937883629852290237352895...",
                          "approximateArrivalOfFirstRecord": "2019-11-14T00:38:04.835Z",
                          "approximateArrivalOfLastRecord": "2019-11-14T00:38:05.580Z",
                          "batchSize": 500, "streamArn": "arn:aws:kinesis:us-east-2:123456789012:stream/mystream"}}

For each message: GetShardIterator AT_SEQUENCE_NUMBER the first record, GetRecords up to the last one
(a fresh iterator after ExpiredIteratorException), decode the normalised records and score them with the
monitor the message's function runs (its `LLM_MONITOR_NAME`, read with GetFunctionConfiguration) or with
the monitors asked for. What the stream no longer has is counted as expired: the whole batch when the
stream or shard is gone or the sequence number no longer valid, the records before the first one still
there when the start was trimmed. A message is deleted only when asked to and only when every record of
its batch was recovered, decoded and scored without error; otherwise it is made visible again.

Nothing is written to CloudWatch: the deployed handler emits a batch's records only up to its first
failure, so some of a failed batch's values may already be there, and emitting again could count them
twice. The scores go to stdout as JSON lines, like `llm-monitor score`.
"""

from __future__ import annotations

from local_runtime.redrive.clients import Clients, queue_region
from local_runtime.redrive.failures import FailedBatch, NotABatchFailure
from local_runtime.redrive.runner import MessageReport, Redrive, monitor_of_function, summary
from local_runtime.redrive.stream import Fetched, fetch_batch

__all__ = [
    "Clients",
    "FailedBatch",
    "Fetched",
    "MessageReport",
    "NotABatchFailure",
    "Redrive",
    "fetch_batch",
    "monitor_of_function",
    "queue_region",
    "summary",
]
