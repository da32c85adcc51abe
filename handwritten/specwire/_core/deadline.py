"""A call's total deadline: every attempt, retry wait and stream read together.

``timeout=`` bounds each connect and each read (httpx semantics); ``deadline=`` bounds
the whole call. The default, 30 minutes, is more than any single request the providers
allow (their own SDKs stop a request at 10 minutes) with its retries, so no sane call
meets it, while a server that stalls after its headers can no longer hold a caller for
the sum of every attempt's read timeouts. ``deadline=None`` turns it off.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx

from .errors import APITimeoutError, InvalidInputError

if TYPE_CHECKING:
    from .call_log import CallLog

DEFAULT_DEADLINE = 1800.0
"""Seconds a call may take in all, retries included."""


def check_deadline(deadline: object) -> float | None:
    """``deadline`` as seconds (or None for no deadline), refusing nonsense."""
    if deadline is None:
        return None
    if isinstance(deadline, bool) or not isinstance(deadline, int | float) or deadline <= 0:
        raise InvalidInputError(
            f"deadline must be a positive number of seconds or None, not {deadline!r}"
        )
    return float(deadline)


def read_timeout_of(timeout: httpx.Timeout | float | None) -> float:
    """The longest a single read may wait under ``timeout`` (inf when unbounded)."""
    from .transport import DEFAULT_TIMEOUT

    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if not isinstance(timeout, httpx.Timeout):
        timeout = httpx.Timeout(timeout)
    return float("inf") if timeout.read is None else float(timeout.read)


@contextlib.asynccontextmanager
async def within_deadline(
    ends: float | None, seconds: float | None, provider: str, log: CallLog | None
) -> AsyncIterator[None]:
    """Run the block until the ``time.monotonic()`` instant ``ends``; past it, raise
    ``APITimeoutError`` (the call's ``seconds`` named)."""
    if ends is None:
        yield
        return
    try:
        async with asyncio.timeout(ends - time.monotonic()):
            yield
    except TimeoutError as exc:
        error = APITimeoutError(f"the call's deadline of {seconds:g} s passed", provider=provider)
        if log is not None:
            log.failure(error, "deadline")
        raise error from exc
