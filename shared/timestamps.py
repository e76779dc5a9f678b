"""Invocation timestamps (ISO 8601 as Bedrock logs them) to epoch seconds."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(value: str) -> float | None:
    """Epoch seconds, or None when the string is not an ISO 8601 timestamp. Naive times are UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
