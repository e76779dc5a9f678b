"""Bedrock model-invocation logs to normalised prompt/completion records.

`parse_stream` is the one entry point the dispatcher and the CLI share: it reads a (gzipped) log stream,
normalises every text generation, counts everything else, and never lets one bad line lose the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import BinaryIO

from shared.canary import is_canary_request
from shared.errors import (
    DATA_ERRORS,
    OffloadedBodyMissing,
    OffloadedBodyUnreadable,
    RecordDecodeError,
    describe_data_error,
)
from shared.parsing.invocation import (
    BodyResolver,
    NoOffloadedBodies,
    Skipped,
    SkipReason,
    parse_invocation,
)
from shared.parsing.reader import Decoded, iter_values
from shared.parsing.shapes import BodyShape
from shared.parsing.stats import ParseStats
from shared.records import InvocationRecord

__all__ = [
    "BodyResolver",
    "BodyShape",
    "NoOffloadedBodies",
    "ParseStats",
    "SkipReason",
    "Skipped",
    "parse_invocation",
    "parse_stream",
]

logger = logging.getLogger(__name__)

#: A record whose structure cannot be read: counted as a malformed line.
_UNREADABLE_RECORD: tuple[type[Exception], ...] = (RecordDecodeError, *DATA_ERRORS)


def parse_stream(
    stream: BinaryIO,
    *,
    source: str,
    resolver: BodyResolver,
    stats: ParseStats,
    skip_missing_bodies: bool = False,
    after_line: int = 0,
    exclude_canary: bool = False,
) -> Iterator[tuple[int, InvocationRecord]]:
    """Yield (line number, record) for every text generation in a log stream.

    Malformed lines (bad JSON, truncated gzip, records whose structure cannot be read) and
    non-generations are counted in `stats`, never raised: one bad line never loses the rest. A missing
    offloaded body raises OffloadedBodyMissing unless `skip_missing_bodies` (then it is counted). Lines up
    to `after_line` are read but not emitted or counted: a retried event resumes where the last attempt
    stopped. With `exclude_canary`, requests the canary suite tagged (`shared.canary`) are counted as
    skipped (`canary`) before their bodies are read.
    """
    stats.sources += 1
    for item in iter_values(stream):
        if item.line <= after_line:
            continue
        if not isinstance(item, Decoded):
            stats.count_malformed(source, item.line, item.reason)
            logger.info("malformed line %s:%d: %s", source, item.line, item.reason)
            continue
        if exclude_canary and _tagged_canary(item.value):
            stats.skipped[SkipReason.CANARY.value] += 1
            continue
        try:
            outcome = parse_invocation(item.value, resolver)
        except OffloadedBodyUnreadable as exc:
            stats.skipped[SkipReason.OFFLOADED_BODY_UNREADABLE.value] += 1
            logger.warning("%s:%d: %s", source, item.line, exc)
            continue
        except _UNREADABLE_RECORD as exc:
            reason = describe_data_error(exc)
            stats.count_malformed(source, item.line, reason)
            logger.info("malformed line %s:%d: %s", source, item.line, reason)
            continue
        except OffloadedBodyMissing as exc:
            if not (skip_missing_bodies or exc.final):
                raise
            stats.skipped[SkipReason.OFFLOADED_BODY_MISSING.value] += 1
            logger.warning("%s:%d: %s", source, item.line, exc)
            continue
        if isinstance(outcome, Skipped):
            stats.skipped[outcome.reason.value] += 1
            if outcome.reason is SkipReason.UNKNOWN_SHAPE:
                stats.unknown_shapes[outcome.model_id] += 1
                logger.info("unknown body shape from model %s at %s:%d", outcome.model_id, source, item.line)
            continue
        stats.emitted += 1
        yield item.line, outcome


def _tagged_canary(value: object) -> bool:
    """Whether a decoded log record carries the canary's requestMetadata tag (anything else: no)."""
    if not isinstance(value, dict):
        return False
    metadata = value.get("requestMetadata")
    return isinstance(metadata, dict) and is_canary_request(metadata)
