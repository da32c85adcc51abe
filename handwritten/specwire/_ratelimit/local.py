"""``InProcessRateLimiter``: budgets in this process's memory (the default)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .base import BudgetState, RateLimiter
from .limits import RateLimits


class InProcessRateLimiter(RateLimiter):
    """Budgets shared by every model in this process that uses this limiter (the
    default one is shared by all models). Thread-safe; the clock is monotonic."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._states: dict[str, BudgetState] = {}
        self._lock = threading.Lock()

    def _state(self, key: str) -> BudgetState:
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = BudgetState()
        return state

    async def reserve(self, key: str, limits: RateLimits, tokens: int) -> float:
        with self._lock:
            return self._state(key).reserve(self._clock(), limits, tokens)

    async def correct(self, key: str, limits: RateLimits, delta_tokens: int) -> None:
        with self._lock:
            self._state(key).correct(limits, delta_tokens)

    async def pause(self, key: str, seconds: float) -> None:
        with self._lock:
            self._state(key).pause(self._clock(), seconds)

    def __reduce__(self) -> tuple[Callable[[], InProcessRateLimiter], tuple[()]]:
        # in another process "in-process" means that process's own default limiter
        return default_limiter, ()


_DEFAULT: InProcessRateLimiter | None = None


def default_limiter() -> InProcessRateLimiter:
    """The process-wide limiter every model uses unless given another."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = InProcessRateLimiter()
    return _DEFAULT
