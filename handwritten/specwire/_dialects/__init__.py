"""Wire dialects, one module each, loaded by name when a model first needs one."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._core.dialect import ChatDialect

CHAT_DIALECTS: dict[str, str] = {
    "openai_chat": "specwire._dialects.openai_chat:OpenAIChatDialect",
    "ollama": "specwire._dialects.ollama:OllamaChatDialect",
    "dashscope": "specwire._dialects.dashscope:DashScopeChatDialect",
    "openai_responses": "specwire._dialects.openai_responses:OpenAIResponsesDialect",
    "anthropic": "specwire._dialects.anthropic:AnthropicMessagesDialect",
    "gemini": "specwire._dialects.gemini:GeminiDialect",
}


def load_dialect(name: str) -> type[ChatDialect]:
    """The dialect class registered under ``name``."""
    try:
        target = CHAT_DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown wire dialect {name!r}; known: {sorted(CHAT_DIALECTS)}") from None
    module, _, attr = target.partition(":")
    cls: type[ChatDialect] = getattr(importlib.import_module(module), attr)
    return cls
