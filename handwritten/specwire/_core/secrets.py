"""Keeping credentials out of what specwire shows: error texts, log lines and reprs.

Providers sometimes echo the key they were sent (``Incorrect API key provided:
sk-...``), and third-party loggers may print request headers. A ``Redactor`` knows the
secret values of the credential in use and replaces them wherever text leaves specwire.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import SecretStr

if TYPE_CHECKING:
    from .credential import CredentialBase

E = TypeVar("E", bound=BaseException)

REDACTED = "[redacted]"
_MIN_SECRET = 4  # shorter values would blank out ordinary words; such keys are refused anyway


class Redactor:
    """Replaces known secret values in text, JSON-like values and exceptions."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Iterable[str]) -> None:
        # longest first, so a secret containing another is replaced whole
        unique = {s for s in secrets if len(s) >= _MIN_SECRET}
        self._secrets = tuple(sorted(unique, key=len, reverse=True))

    @classmethod
    def for_credential(cls, credential: CredentialBase) -> Redactor:
        """A redactor for every ``SecretStr`` field of ``credential``."""
        values = []
        for name in type(credential).model_fields:
            value = getattr(credential, name, None)
            if isinstance(value, SecretStr):
                values.append(value.get_secret_value())
        return cls(values)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def text(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def value(self, value: Any) -> Any:
        """A JSON-like value (dicts, lists, strings) with secrets replaced in every string."""
        if not self._secrets:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.value(v) for v in value)
        return value

    def error(self, error: E) -> E:
        """Redact ``error`` in place (its args, and a provider error's ``message`` and
        ``body``), and the errors it was raised from; return it."""
        if not self._secrets:
            return error
        from .errors import ProviderError

        seen: set[int] = set()
        current: BaseException | None = error
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            if isinstance(current, ProviderError):
                current.message = self.text(current.message)
                current.body = self.value(current.body)
            with contextlib.suppress(AttributeError, TypeError):  # fixed args (C types)
                current.args = tuple(self.value(a) for a in current.args)
            current = current.__cause__ or current.__context__
        return error


class RedactingFilter(logging.Filter):
    """A logging filter that renders a record's message and blanks the secrets in it
    (and in any traceback text), for loggers that may print request headers."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._redactor.text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            self._redactor.error(record.exc_info[1])
        return True


class RedactingLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A logger for third-party code (the websockets client logs every request header
    at DEBUG): each message is rendered and its secrets blanked before it is logged."""

    def __init__(self, logger: logging.Logger, redactor: Redactor) -> None:
        super().__init__(logger, {})
        self._redactor = redactor

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        exc_info = kwargs.get("exc_info")
        if isinstance(exc_info, BaseException):
            self._redactor.error(exc_info)
        self.logger.log(level, self._redactor.text(text), **kwargs)
