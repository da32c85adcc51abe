"""Formatters: ``Msg`` lists into each provider's message payload."""

from typing import TYPE_CHECKING

from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from ._formatters.anthropic import (
        AnthropicChatFormatter as AnthropicChatFormatter,
    )
    from ._formatters.anthropic import (
        AnthropicMultiAgentFormatter as AnthropicMultiAgentFormatter,
    )
    from ._formatters.base import FormatterBase as FormatterBase
    from ._formatters.dashscope import (
        DashScopeChatFormatter as DashScopeChatFormatter,
    )
    from ._formatters.dashscope import (
        DashScopeMultiAgentFormatter as DashScopeMultiAgentFormatter,
    )
    from ._formatters.gemini import (
        GeminiChatFormatter as GeminiChatFormatter,
    )
    from ._formatters.gemini import (
        GeminiMultiAgentFormatter as GeminiMultiAgentFormatter,
    )
    from ._formatters.ollama import (
        OllamaChatFormatter as OllamaChatFormatter,
    )
    from ._formatters.ollama import (
        OllamaMultiAgentFormatter as OllamaMultiAgentFormatter,
    )
    from ._formatters.openai import (
        OpenAIChatFormatter as OpenAIChatFormatter,
    )
    from ._formatters.openai import (
        OpenAIMultiAgentFormatter as OpenAIMultiAgentFormatter,
    )
    from ._formatters.openai_responses import (
        OpenAIResponseFormatter as OpenAIResponseFormatter,
    )
    from ._formatters.openai_responses import (
        OpenAIResponseMultiAgentFormatter as OpenAIResponseMultiAgentFormatter,
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
__dir__ = lazy_dir(__name__)
