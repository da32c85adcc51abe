"""The retry policy: which failures are retried, and how long to wait between tries.

Exponential backoff from ``initial_delay`` doubling up to ``max_delay``, with up to
``jitter`` (a fraction) taken off at random so that clients do not retry in step. A
server's ``Retry-After`` wins when it is longer, within ``retry_after_cap``. A request the
provider rejected as bad (400-class other than 408/409/429) is never retried.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from .errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ProviderError,
    StreamBrokenError,
)

if TYPE_CHECKING:
    from .call_log import CallLog

T = TypeVar("T")

DEFAULT_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How many times, on what, and how long to wait."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    retry_after_cap: float = 60.0
    statuses: frozenset[int] = DEFAULT_RETRY_STATUSES
    codes: frozenset[str] = field(default_factory=frozenset)

    def is_retryable(self, error: BaseException) -> bool:
        """Whether ``error`` may succeed if the same request is sent again."""
        if not isinstance(error, ProviderError):
            return False
        if isinstance(error, APIConnectionError | APITimeoutError):
            return True
        if error.code and error.code.lower() in self._lower_codes:
            return not isinstance(error, BadRequestError) or error.status is None
        if isinstance(error, BadRequestError):
            return False
        if isinstance(error, StreamBrokenError) and error.status is None:
            return True
        return error.status is not None and error.status in self.statuses

    @property
    def _lower_codes(self) -> frozenset[str]:
        return frozenset(c.lower() for c in self.codes)

    def delay(self, retry_number: int, error: BaseException | None = None) -> float:
        """Seconds to wait before retry number ``retry_number`` (1-based)."""
        backoff: float = min(
            self.max_delay, self.initial_delay * float(1 << max(0, retry_number - 1))
        )
        backoff *= 1 - self.jitter * random.random()
        server = getattr(error, "retry_after", None)
        if isinstance(server, int | float) and server > 0:
            return max(backoff, min(float(server), self.retry_after_cap))
        return backoff

    async def run(
        self,
        attempt: Callable[[], Awaitable[T]],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        retryable: Callable[[BaseException], bool] | None = None,
        *,
        log: CallLog | None = None,
        deadline: float | None = None,
    ) -> T:
        """Call ``attempt`` until it succeeds, fails for good, or retries run out.

        ``retryable`` replaces ``is_retryable`` and is asked about any exception (a
        hand-written embedding model names its own transient errors). ``deadline`` (a
        ``time.monotonic()`` instant) ends the retrying: no retry starts whose wait would
        reach it. ``log`` reports each attempt, retry and final failure, and redacts the
        credential's secrets from every error before it is seen."""
        judge = retryable or self.is_retryable
        caught = Exception if retryable is not None else ProviderError
        retry = 0
        while True:
            if log is not None:
                log.attempt()
            try:
                return await attempt()
            except caught as error:
                if log is not None:
                    log.redact(error)
                why = None
                if retry >= self.max_retries:
                    why = "retries exhausted" if self.max_retries else None
                elif not judge(error):
                    why = "not retryable"
                else:
                    wait = self.delay(retry + 1, error)
                    if deadline is not None and time.monotonic() + wait >= deadline:
                        why = "the call's deadline leaves no time for a retry"
                        error.add_note(f"not retried: {why}")
                    else:
                        retry += 1
                        if log is not None:
                            log.retry(wait, error)
                        await sleep(wait)
                        continue
                if log is not None:
                    log.failure(error, why)
                raise


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
