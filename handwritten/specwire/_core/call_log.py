"""The ``specwire`` logger: one line per attempt, per retry and per final failure.

Lines carry the provider, the model, the attempt number, the delay before a retry and
its reason (the error class, HTTP status and provider code). They never carry a secret,
and never a message or response body unless asked for with ``SPECWIRE_LOG_BODIES=1``
(then request bodies are logged at DEBUG and provider error messages are included).
Attach a handler to ``logging.getLogger("specwire")`` to see them: retries and failures
at INFO, attempts at DEBUG.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from .secrets import E, Redactor

logger = logging.getLogger("specwire")


def bodies_requested() -> bool:
    """Whether the user asked for message bodies in log lines."""
    return os.environ.get("SPECWIRE_LOG_BODIES", "").lower() in ("1", "true", "yes")


def describe_error(error: BaseException, *, with_message: bool = False) -> str:
    """``ServerError status=502 code=overloaded`` (and the provider's text if asked)."""
    parts = [type(error).__name__]
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    if status:
        parts.append(f"status={status}")
    if code:
        parts.append(f"code={code}")
    if with_message:
        message = getattr(error, "message", None) or str(error)
        parts.append(repr(message[:300]))
    return " ".join(parts)


class CallLog:
    """The log lines of one call (all its attempts); errors are redacted through it
    before anything sees them."""

    __slots__ = ("attempts", "bodies", "operation", "provider", "redactor", "target")

    def __init__(self, provider: str, target: str, operation: str, redactor: Redactor) -> None:
        self.provider = provider
        self.target = target  # the model name
        self.operation = operation  # "chat", "chat stream", "embedding", "tts"...
        self.redactor = redactor
        self.attempts = 0
        self.bodies = bodies_requested()

    def _head(self) -> str:
        return f"{self.provider} {self.operation} {self.target}"

    def redact(self, error: E) -> E:
        """``error`` with the credential's secrets blanked (in place)."""
        return self.redactor.error(error)

    def request(self, url: str, body: Any) -> None:
        """A request about to be sent (its body only when bodies were asked for)."""
        if self.bodies and logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s: request to %s: %s", self._head(), url, self.redactor.value(body))

    def attempt(self) -> None:
        """An attempt starts."""
        self.attempts += 1
        logger.debug("%s: attempt %d", self._head(), self.attempts)

    def retry(self, delay: float, error: BaseException) -> None:
        """The attempt failed and another follows after ``delay`` seconds."""
        logger.info(
            "%s: attempt %d failed (%s); retrying in %.2f s",
            self._head(),
            self.attempts,
            describe_error(error, with_message=self.bodies),
            delay,
        )

    def failure(self, error: BaseException, why: str | None = None) -> None:
        """The call failed for good."""
        logger.info(
            "%s: failed after %d attempt(s)%s: %s",
            self._head(),
            self.attempts,
            f" ({why})" if why else "",
            describe_error(error, with_message=self.bodies),
        )
