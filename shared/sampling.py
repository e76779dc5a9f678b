"""Deterministic sampling by request id.

Every monitor hashes the same request id to the same point in [0, 1), so at rates 0.1 and 0.5 the
10% sample is inside the 50% one: monitors sampled at the same rate score exactly the same requests,
and a record scored in AWS is scored in a local replay too.
"""

from __future__ import annotations

import hashlib


def sample_point(request_id: str) -> float:
    digest = hashlib.blake2b(request_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def is_sampled(request_id: str, rate: float) -> bool:
    if rate >= 1.0:
        return True
    if rate <= 0.0:
        return False
    return sample_point(request_id) < rate
