"""Provider error bodies as spec data: where a body keeps its message, type, code and
status, and which error class a provider's code stands for.

Each dialect declares a default ``ErrorFormat`` for its wire format; a spec's
``endpoint.errors`` replaces any of the paths and adds code classes. Paths are dotted
keys, ``[]`` after a key meaning "each element of that list" (``error.details[].reason``);
each field lists alternatives, the first one found wins. A body that is a list (Gemini
streams as a JSON array) is read through its first element.

The class of an error: an HTTP status of 401, 403, 404 or 429 decides; otherwise the
body's code, then its type, looked up case-insensitively in ``classes`` (a dotted code
such as ``Throttling.RateQuota`` falls back to its first segment); otherwise the status
(the HTTP one, or for an in-stream error event the one the body states); otherwise the
caller's default.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import (
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    ServerError,
    error_class_for_status,
)

ERROR_CLASSES: dict[str, type[ProviderError]] = {
    cls.__name__: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        RateLimitError,
        ServerError,
        ContentFilterError,
        APITimeoutError,
    )
}
"""The classes a spec's ``errors.classes`` may name."""

_DECISIVE_STATUSES = frozenset({401, 403, 404, 429})
_MISSING = object()


@dataclass(frozen=True)
class ErrorFields:
    """What one error body says."""

    message: str | None = None
    type: str | None = None
    code: str | None = None
    status: int | None = None


def _walk(value: Any, keys: list[str]) -> Any:
    for n, key in enumerate(keys):
        each = key.endswith("[]")
        name = key[:-2] if each else key
        value = value.get(name, _MISSING) if isinstance(value, dict) else _MISSING
        if each:
            if not isinstance(value, list):
                return _MISSING
            for item in value:
                found = _walk(item, keys[n + 1 :])
                if found is not _MISSING and found is not None:
                    return found
            return _MISSING
        if value is _MISSING:
            return value
    return value


def _first(body: Any, paths: tuple[str, ...], want: type | tuple[type, ...]) -> Any:
    for path in paths:
        value = _walk(body, path.split("."))
        if isinstance(value, want) and not isinstance(value, bool) and value != "":
            return value
    return None


def _status(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 400 <= value <= 599 else None


@dataclass(frozen=True)
class ErrorFormat:
    """Where a wire format's error bodies keep their facts, and its codes' classes."""

    message: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    code: tuple[str, ...] = ()
    """A number found here that is an HTTP status is not a code (Gemini's ``error.code``
    is the status)."""
    status: tuple[str, ...] = ()
    classes: Mapping[str, str] = field(default_factory=dict)
    """Provider code or type -> error class name (``ERROR_CLASSES``)."""
    _lower: Mapping[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.classes.values()) - set(ERROR_CLASSES))
        if unknown:
            raise ValueError(f"unknown error classes {unknown}; known: {sorted(ERROR_CLASSES)}")
        # case-insensitive lookups without lowering on every error
        object.__setattr__(self, "_lower", {k.lower(): v for k, v in self.classes.items()})

    def override(self, spec: Mapping[str, Any]) -> ErrorFormat:
        """This format with a spec's ``errors`` applied: paths given there replace these,
        its classes are added to (and win over) these."""
        if not spec:
            return self
        changes: dict[str, Any] = {
            key: tuple([value] if isinstance(value, str) else value)
            for key, value in spec.items()
            if key in ("message", "type", "code", "status")
        }
        if spec.get("classes"):
            changes["classes"] = {**self.classes, **spec["classes"]}
        return replace(self, **changes)

    def read(self, body: Any) -> ErrorFields:
        """The message, type, code and status ``body`` holds (None where it holds none)."""
        if isinstance(body, list):
            body = body[0] if body else None
        if body is None:
            return ErrorFields()
        message = _first(body, self.message, (str, int, float))
        code = _first(body, self.code, (str, int))
        if isinstance(code, int):
            code = None if _status(code) is not None else str(code)
        status = None
        for path in self.status:
            status = _status(_walk(body, path.split(".")))
            if status is not None:
                break
        return ErrorFields(
            message=None if message is None else str(message),
            type=_first(body, self.type, str),
            code=code,
            status=status,
        )

    def class_for(
        self, fields: ErrorFields, http_status: int | None, default: builtins.type[ProviderError]
    ) -> builtins.type[ProviderError]:
        """The error class of a body read into ``fields`` (see the module docstring)."""
        status = http_status if http_status is not None and http_status >= 400 else fields.status
        if status in _DECISIVE_STATUSES:
            return error_class_for_status(status)
        lower = self._lower
        for key in (fields.code, fields.type):
            if key:
                key = key.lower()
                name = lower.get(key) or lower.get(key.split(".", 1)[0])
                if name:
                    return ERROR_CLASSES[name]
        if status is not None:
            return error_class_for_status(status)
        return default

    def error(
        self,
        body: Any,
        *,
        provider: str | None,
        http_status: int | None = None,
        default: builtins.type[ProviderError] = ServerError,
        fallback: str = "the provider reported an error",
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> ProviderError:
        """The typed error ``body`` stands for: an HTTP error answer (``http_status``)
        or an error event inside a stream (its own status, if it states one)."""
        fields = self.read(body)
        cls = self.class_for(fields, http_status, default)
        if request_id is None and isinstance(body, dict):
            found = body.get("request_id")
            request_id = found if isinstance(found, str) else None
        return cls(
            fields.message or fallback,
            status=http_status if http_status is not None and http_status >= 400 else fields.status,
            code=fields.code or fields.type,
            provider=provider,
            request_id=request_id,
            retry_after=retry_after,
            body=body,
        )


GENERIC_ERRORS = ErrorFormat(
    message=("error.message", "error", "message"),
    type=("error.type",),
    code=("error.code", "code"),
    status=("error.status_code",),
)
"""For answers no dialect reads (a file download): the common shapes."""

# Error body shapes several dialects share (each dialect names its own as its
# ``error_format``; a spec's ``endpoint.errors`` adds its provider's code classes).
OPENAI_ERRORS = ErrorFormat(
    # `error` as a string: compatible servers (xAI) that send {"code", "error": "..."}
    message=("error.message", "message", "error"),
    type=("error.type",),
    code=("error.code", "code"),
    # compatible servers that state the status of an in-stream error (Groq)
    status=("error.status_code",),
)
"""OpenAI's ``{"error": {"message", "type", "code"}}``."""

GOOGLE_ERRORS = ErrorFormat(
    message=("error.message",),
    type=("error.status",),
    # ErrorInfo's reason (API_KEY_INVALID) says more than the canonical status name
    code=("error.details[].reason", "error.status"),
    status=("error.code",),
)
"""Google's ``{"error": {"code": 400, "message", "status", "details": [{"reason"}]}}``."""

DASHSCOPE_ERRORS = ErrorFormat(message=("message",), code=("code",))
"""DashScope's native ``{"code", "message", "request_id"}``."""

OLLAMA_ERRORS = ErrorFormat(message=("error",))
"""Ollama's ``{"error": "..."}``."""
