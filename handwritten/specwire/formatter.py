"""Formatters: ``Msg`` lists into each provider's message payload."""

from typing import TYPE_CHECKING

from ._lazy import lazy_getattr

if TYPE_CHECKING:
    from ._formatters.anthropic import AnthropicChatFormatter, AnthropicMultiAgentFormatter
    from ._formatters.base import FormatterBase
    from ._formatters.dashscope import DashScopeChatFormatter, DashScopeMultiAgentFormatter
    from ._formatters.gemini import GeminiChatFormatter, GeminiMultiAgentFormatter
    from ._formatters.ollama import OllamaChatFormatter, OllamaMultiAgentFormatter
    from ._formatters.openai import OpenAIChatFormatter, OpenAIMultiAgentFormatter
    from ._formatters.openai_responses import (
        OpenAIResponseFormatter,
        OpenAIResponseMultiAgentFormatter,
    )

_FORMATTERS = {
    "AnthropicChatFormatter": "specwire._formatters.anthropic",
    "AnthropicMultiAgentFormatter": "specwire._formatters.anthropic",
    "DashScopeChatFormatter": "specwire._formatters.dashscope",
    "DashScopeMultiAgentFormatter": "specwire._formatters.dashscope",
    "FormatterBase": "specwire._formatters.base",
    "GeminiChatFormatter": "specwire._formatters.gemini",
    "GeminiMultiAgentFormatter": "specwire._formatters.gemini",
    "OpenAIChatFormatter": "specwire._formatters.openai",
    "OpenAIMultiAgentFormatter": "specwire._formatters.openai",
    "OllamaChatFormatter": "specwire._formatters.ollama",
    "OllamaMultiAgentFormatter": "specwire._formatters.ollama",
    "OpenAIResponseFormatter": "specwire._formatters.openai_responses",
    "OpenAIResponseMultiAgentFormatter": "specwire._formatters.openai_responses",
}

__all__ = sorted(_FORMATTERS)
__getattr__ = lazy_getattr(__name__, _FORMATTERS)
