"""Chat models: the base, the response types, and every provider's chat model class."""

from typing import TYPE_CHECKING

from ._generated.registry import CHAT_MODELS
from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from ._cards import ModelCard as ModelCard
    from ._core.chat_model import ChatModelBase as ChatModelBase
    from ._core.response import (
        ChatResponse as ChatResponse,
    )
    from ._core.response import (
        ChatUsage as ChatUsage,
    )
    from ._core.response import (
        StructuredResponse as StructuredResponse,
    )
    from ._generated.anthropic import AnthropicChatModel as AnthropicChatModel
    from ._generated.dashscope import DashScopeChatModel as DashScopeChatModel
    from ._generated.deepseek import DeepSeekChatModel as DeepSeekChatModel
    from ._generated.gemini import GeminiChatModel as GeminiChatModel
    from ._generated.moonshot import MoonshotChatModel as MoonshotChatModel
    from ._generated.ollama import OllamaChatModel as OllamaChatModel
    from ._generated.openai import (
        OpenAIChatModel as OpenAIChatModel,
    )
    from ._generated.openai import (
        OpenAIResponseModel as OpenAIResponseModel,
    )
    from ._generated.xai import XAIChatModel as XAIChatModel

_CORE = {
    "ChatModelBase": "specwire._core.chat_model",
    "ChatResponse": "specwire._core.response",
    "ChatUsage": "specwire._core.response",
    "StructuredResponse": "specwire._core.response",
    "ModelCard": "specwire._cards",
}

__all__ = [*sorted(_CORE), *sorted(CHAT_MODELS)]
__getattr__ = lazy_getattr(__name__, {**_CORE, **CHAT_MODELS})
__dir__ = lazy_dir(__name__)
