"""Synthetic Amazon Bedrock model-invocation logs: the bundled example set and bulk files for benchmarks.

    python -m examples.generate                                   # rewrite examples/logs/ (deterministic)
    python -m examples.generate --records 100000 --out big.json.gz  # one gzipped JSON-lines file
    python -m examples.generate --target-mb 50 --out big.json.gz    # about 50 MiB compressed

Records copy the envelope and the provider body shapes of `tests/fixtures/shapes/` (Anthropic messages,
Converse/ConverseStream, Nova, Llama, Mistral, Titan, Cohere Command R, DeepSeek, OpenAI-compatible, Titan
embeddings, failed calls). Text comes from the banks under `examples/banks/`, no model runs: questions per
topic with slot values, answers that answer them (so prompt/completion similarity means something), refusals
in each model family's own words, hard negatives that only look like refusals, bad-news and toxic
completions, and a few Spanish, French and German conversations.

The bundled set covers 2026-11-20T08:00Z to 14:00Z, about 1,000 records an hour, written the way Bedrock
writes to S3 (one gzipped batch per ~5 minutes under AWSLogs/.../YYYY/MM/DD/HH/, large bodies under data/).
Between 10:00Z and 11:00Z meta.llama3-1-70b-instruct-v1:0 refuses about half of its requests (a bad system
prompt was deployed for that hour); elsewhere every model refuses at most 5% of the time. Ground truth stays
outside the records: `example_set()` returns the records and a parallel list of `Label`s.

Output is reproducible byte for byte: fixed seeds, stable key order, gzip with mtime 0 and no file name.

Modules, in the order data flows: `banks` (loads the text banks), `slots` (per-topic slot values),
`models` and `traffic` (which models, rates, the spike: one `Plan` per record), `conversations` and
`large_inputs` (the text of an exchange), `bodies` (provider body shapes), `records` (envelopes and labels),
`layout` and `writers` (S3 keys, encoding, files), `cli`.
"""

from examples.generate.cli import main
from examples.generate.layout import ACCOUNT_ID, BUCKET, LOG_PREFIX
from examples.generate.models import SPIKE_MODEL
from examples.generate.records import (
    DEFAULT_SEED,
    ExampleSet,
    Label,
    example_set,
    iter_labelled,
    iter_records,
)
from examples.generate.traffic import (
    EXAMPLE_HOURS,
    EXAMPLE_START,
    MAX_COMPLETION_CHARS,
    MIN_COMPLETION_CHARS,
    SPIKE_HOUR,
)
from examples.generate.writers import LOGS_DIR, BulkResult, example_objects, write_bulk, write_example_set

__all__ = [
    "ACCOUNT_ID",
    "BUCKET",
    "DEFAULT_SEED",
    "EXAMPLE_HOURS",
    "EXAMPLE_START",
    "LOGS_DIR",
    "LOG_PREFIX",
    "MAX_COMPLETION_CHARS",
    "MIN_COMPLETION_CHARS",
    "SPIKE_HOUR",
    "SPIKE_MODEL",
    "BulkResult",
    "ExampleSet",
    "Label",
    "example_objects",
    "example_set",
    "iter_labelled",
    "iter_records",
    "main",
    "write_bulk",
    "write_example_set",
]
