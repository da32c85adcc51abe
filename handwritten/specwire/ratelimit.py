"""Shared rate limits: ``model.limit_rate(RedisRateLimiter(url=...), requests_per_minute=...)``.

Every model draws on a budget per credential and model (requests and tokens per
minute, and a ``Retry-After`` pause that one 429 sets for everyone using it). The
default ``InProcessRateLimiter`` is shared by the models of one process;
``RedisRateLimiter`` (``pip install 'specwire[redis]'``) by every process and host
using the same Redis.
"""

from ._ratelimit import (
    InProcessRateLimiter,
    RateLimiter,
    RateLimits,
    RedisRateLimiter,
    default_limiter,
)

__all__ = [
    "InProcessRateLimiter",
    "RateLimiter",
    "RateLimits",
    "RedisRateLimiter",
    "default_limiter",
]
