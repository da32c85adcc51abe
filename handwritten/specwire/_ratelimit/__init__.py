"""Rate limits per credential and model: requests and tokens per minute, and a shared
``Retry-After`` pause, in this process or across processes through Redis."""

from .base import Budget, RateLimiter, Reservation
from .limits import RateLimits, budget_key
from .local import InProcessRateLimiter, default_limiter
from .model import RateLimited, estimate_tokens
from .redis import RedisRateLimiter

__all__ = [
    "Budget",
    "InProcessRateLimiter",
    "RateLimited",
    "RateLimiter",
    "RateLimits",
    "RedisRateLimiter",
    "Reservation",
    "budget_key",
    "default_limiter",
    "estimate_tokens",
]
