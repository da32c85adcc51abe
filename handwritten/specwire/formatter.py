"""Formatters: ``Msg`` lists into each provider's message payload."""

from typing import TYPE_CHECKING

from ._lazy import lazy_getattr

if TYPE_CHECKING:
    from ._formatters.base import FormatterBase
    from ._formatters.openai import OpenAIChatFormatter, OpenAIMultiAgentFormatter

_FORMATTERS = {
    "FormatterBase": "specwire._formatters.base",
    "OpenAIChatFormatter": "specwire._formatters.openai",
    "OpenAIMultiAgentFormatter": "specwire._formatters.openai",
}

__all__ = sorted(_FORMATTERS)
__getattr__ = lazy_getattr(__name__, _FORMATTERS)
