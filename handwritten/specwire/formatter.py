"""Formatters: ``Msg`` lists into each provider's message payload."""

from typing import TYPE_CHECKING

from ._generated.registry import FORMATTERS
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
    from ._generated.deepseek import DeepSeekChatFormatter as DeepSeekChatFormatter
    from ._generated.deepseek import (
        DeepSeekMultiAgentFormatter as DeepSeekMultiAgentFormatter,
    )
    from ._generated.moonshot import MoonshotChatFormatter as MoonshotChatFormatter
    from ._generated.moonshot import (
        MoonshotMultiAgentFormatter as MoonshotMultiAgentFormatter,
    )
    from ._generated.xai import XAIChatFormatter as XAIChatFormatter
    from ._generated.xai import XAIMultiAgentFormatter as XAIMultiAgentFormatter

# Every provider's pair comes from the registry the specs generate: the dialects' own
# (OpenAIChatFormatter, ...) and the named pairs of providers that share a dialect
# (DeepSeekChatFormatter, MoonshotMultiAgentFormatter, any spec-only provider's).
_ALL = {"FormatterBase": "specwire._formatters.base", **FORMATTERS}

__all__ = sorted(_ALL)
__getattr__ = lazy_getattr(__name__, _ALL)
__dir__ = lazy_dir(__name__)
