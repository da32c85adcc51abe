"""Chat models: the base, the response types, and every provider's chat model class."""

from typing import TYPE_CHECKING

from ._generated.registry import CHAT_MODELS
from ._lazy import lazy_getattr

if TYPE_CHECKING:
    from ._cards import ModelCard
    from ._core.chat_model import ChatModelBase
    from ._core.response import ChatResponse, ChatUsage, StructuredResponse
    from ._generated.anthropic import AnthropicChatModel
    from ._generated.dashscope import DashScopeChatModel
    from ._generated.deepseek import DeepSeekChatModel
    from ._generated.gemini import GeminiChatModel
    from ._generated.moonshot import MoonshotChatModel
    from ._generated.ollama import OllamaChatModel
    from ._generated.openai import OpenAIChatModel, OpenAIResponseModel
    from ._generated.xai import XAIChatModel

_CORE = {
    "ChatModelBase": "specwire._core.chat_model",
    "ChatResponse": "specwire._core.response",
    "ChatUsage": "specwire._core.response",
    "StructuredResponse": "specwire._core.response",
    "ModelCard": "specwire._cards",
}

__all__ = [*sorted(_CORE), *sorted(CHAT_MODELS)]
__getattr__ = lazy_getattr(__name__, {**_CORE, **CHAT_MODELS})
