"""The limiter contract, the GCRA arithmetic both limiters share, and the budget a
model holds.

GCRA (the generic cell rate algorithm) keeps one "theoretical arrival time" per
budget: each request pushes it on by its cost, and a request may leave once that time
is within the burst tolerance of now. Here a request *reserves* its slot and is told
how long to wait, so one round trip suffices (to Redis, too) and waiters leave in
order. Tokens are estimated before a call and corrected by the usage after it, which
moves the same arrival time back or forward.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from .._core.errors import RateLimitError
from .limits import RateLimits

logger = logging.getLogger("specwire.ratelimit")

DEFAULT_PAUSE = 1.0
"""Seconds everyone waits after a 429 that names no ``Retry-After``."""
MAX_PAUSE = 60.0


@dataclass
class BudgetState:
    """One budget's arrival times (requests, tokens) and its shared pause."""

    requests_at: float = 0.0
    tokens_at: float = 0.0
    paused_until: float = 0.0

    def reserve(self, now: float, limits: RateLimits, tokens: int) -> float:
        """Take a slot for one request of ``tokens``; the seconds to wait for it."""
        per_request, tau_r, per_token, tau_t = limits.intervals()
        start = max(now, self.paused_until)
        if per_request:
            start = max(start, self.requests_at - tau_r)
            self.requests_at = max(self.requests_at, start) + per_request
        if per_token:
            start = max(start, self.tokens_at - tau_t)
            self.tokens_at = max(self.tokens_at, start) + max(0, tokens) * per_token
        return start - now

    def correct(self, limits: RateLimits, delta_tokens: int) -> None:
        """Move the token arrival time by the tokens actually used beyond the estimate
        (negative: give back what was over-estimated)."""
        per_token = limits.intervals()[2]
        if per_token:
            self.tokens_at += delta_tokens * per_token

    def pause(self, now: float, seconds: float) -> None:
        self.paused_until = max(self.paused_until, now + seconds)


class RateLimiter(ABC):
    """Where budgets live: ``InProcessRateLimiter`` (one process) or
    ``RedisRateLimiter`` (every process and host sharing a Redis)."""

    @abstractmethod
    async def reserve(self, key: str, limits: RateLimits, tokens: int) -> float:
        """Reserve a slot for one request of about ``tokens``; the seconds to wait."""

    @abstractmethod
    async def correct(self, key: str, limits: RateLimits, delta_tokens: int) -> None:
        """Correct the token count of a request that has finished."""

    @abstractmethod
    async def pause(self, key: str, seconds: float) -> None:
        """Hold every request of ``key`` back for ``seconds`` (a ``Retry-After``)."""

    async def sleep(self, seconds: float) -> None:
        import asyncio

        await asyncio.sleep(seconds)

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to release here
        """Release connections (nothing to release in the base)."""


@dataclass
class Reservation:
    """One request's claim on a budget: settle it with the tokens really used."""

    budget: Budget
    estimate: int
    settled: bool = field(default=False)

    async def settle(self, used: int | None) -> None:
        """Correct the estimate by ``used`` (None: keep the estimate)."""
        if self.settled:
            return
        self.settled = True
        if used is None or used == self.estimate or self.budget.limits.tokens_per_minute is None:
            return
        await self.budget.limiter.correct(self.budget.key, self.budget.limits, used - self.estimate)


@dataclass
class Budget:
    """A limiter bound to one key and its limits: what a model calls around a request."""

    limiter: RateLimiter
    key: str
    limits: RateLimits

    async def acquire(self, tokens: int = 0) -> Reservation:
        """Wait for a slot for one request of about ``tokens`` tokens."""
        wait = await self.limiter.reserve(self.key, self.limits, tokens)
        if wait > 0:
            await self.limiter.sleep(wait)
        return Reservation(self, tokens)

    async def observe(self, error: BaseException) -> None:
        """After a failed request: a 429 pauses everyone sharing the budget for its
        ``Retry-After`` (or a second when it names none)."""
        if not isinstance(error, RateLimitError):
            return
        seconds = error.retry_after if error.retry_after and error.retry_after > 0 else None
        seconds = min(MAX_PAUSE, seconds if seconds is not None else DEFAULT_PAUSE)
        logger.info("rate limited by %s; pausing the shared budget %.2fs", error.provider, seconds)
        await self.limiter.pause(self.key, seconds)
