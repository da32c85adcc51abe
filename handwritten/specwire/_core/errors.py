"""One small hierarchy of errors, each carrying what the provider said.

Catch ``SpecwireError`` for everything, ``ProviderError`` for anything the provider
answered or failed to answer, or a leaf for one situation. Messages never include
credentials: only the status, the provider's code and the provider's message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class SpecwireError(Exception):
    """Base of every error specwire raises."""


class ProviderError(SpecwireError):
    """A call to a provider failed.

    ``status`` is the HTTP status (None when no answer came), ``code`` the provider's
    error code or type, ``message`` its text, ``retry_after`` seconds it asked us to wait.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        provider: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        body: object = None,
    ) -> None:
        self.message = message
        self.status = status
        self.status_code = status
        self.code = code
        self.provider = provider
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [
            p for p in (self.provider, str(self.status) if self.status else None, self.code) if p
        ]
        head = " ".join(parts)
        return f"{head}: {self.message}" if head else self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[ProviderError], message: str, state: dict[str, object]) -> ProviderError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class BadRequestError(ProviderError):
    """The provider rejected the request as malformed or invalid (400, 422). Never retried."""


class AuthenticationError(ProviderError):
    """The credential was missing or wrong (401)."""


class PermissionDeniedError(ProviderError):
    """The credential may not do this (403)."""


class NotFoundError(ProviderError):
    """The model or endpoint does not exist (404)."""


class RateLimitError(ProviderError):
    """Too many requests or quota exhausted (429, provider throttling codes)."""


class ServerError(ProviderError):
    """The provider failed or is overloaded (5xx, 529)."""


class APITimeoutError(ProviderError):
    """No answer in time."""


class APIConnectionError(ProviderError):
    """The connection could not be made or was lost before an answer."""


class StreamBrokenError(ProviderError):
    """A stream ended early or carried an error event after it had begun."""


class IncompleteStreamError(StreamBrokenError):
    """A stream ended without its dialect's completion signal (``[DONE]``, a finish
    reason, ``message_stop``, ``done: true``...): the answer may be cut short.
    ``partial`` is the ``ChatResponse`` accumulated from what did arrive (``is_last``
    True, ``finish_reason`` None), so nothing received is lost."""

    def __init__(self, message: str, *, partial: object = None, **kwargs: Any) -> None:
        self.partial = partial
        super().__init__(message, **kwargs)


class ResponseFormatError(ProviderError):
    """The provider answered with something specwire cannot read: not JSON where JSON
    was due, a field of the wrong type, an empty body or a web page on a stream. The
    message names what was wrong (and where: a path such as ``choices[0].message``)."""


class ContentFilterError(BadRequestError):
    """The provider refused the input or output on content grounds."""


class StructuredOutputError(SpecwireError):
    """The model's answer could not be made valid for the requested schema.
    ``attempts`` holds the reason each attempt failed, in order (the last is also the
    exception's ``__cause__``)."""

    def __init__(self, message: str, attempts: Sequence[BaseException] = ()) -> None:
        self.attempts = list(attempts)
        super().__init__(message)


class InvalidInputError(SpecwireError, TypeError, ValueError):
    """A call or constructor got an argument it cannot use (messages that are not
    ``Msg`` objects, a ``tool_choice`` naming no given tool, a credential of another
    provider...). Raised before anything is sent. It is a ``TypeError`` and a
    ``ValueError`` too, so code that caught either keeps working."""


class ToolArgumentsError(SpecwireError, ValueError):
    """A tool call's arguments are not a JSON object (``ToolCallBlock.parsed_input()``).

    ``tool_name`` and ``tool_call_id`` name the call, ``arguments`` is the raw text."""

    def __init__(self, tool_name: str, tool_call_id: str, arguments: str, problem: str) -> None:
        shown = arguments if len(arguments) <= 80 else arguments[:77] + "..."
        super().__init__(
            f"tool call {tool_name!r} (id {tool_call_id!r}): {problem}; arguments: {shown!r}"
        )
        self.tool_name = tool_name
        self.tool_call_id = tool_call_id
        self.arguments = arguments
        self.problem = problem


def error_class_for_status(status: int) -> type[ProviderError]:
    """The error class an HTTP status maps to."""
    if status in (400, 413, 422):
        return BadRequestError
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 408:
        return APITimeoutError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    return BadRequestError if 400 <= status < 500 else ProviderError
