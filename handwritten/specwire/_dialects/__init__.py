"""The registry of wire dialects, every family in one table.

Each entry maps the name a spec gives in ``endpoint.dialect`` to the ``module:Class``
that implements it; the class keeps the contract in ``specwire._core.contract``
(``family``, ``Options``, ``places``, ``model_base``). Modules load on first use, so
naming a dialect here costs nothing until a model needs it.

A new dialect, of any family (the realtime ones to come included), is a class
subclassing its family's base (or ``Dialect`` itself for a new family) and one line
here, or a ``register_dialect`` call before the code generator or a model looks it up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from .._core.contract import Dialect

DialectT = TypeVar("DialectT", bound="Dialect")

DIALECTS: dict[str, str] = {
    # chat
    "openai_chat": "specwire._dialects.openai_chat:OpenAIChatDialect",
    "openai_responses": "specwire._dialects.openai_responses:OpenAIResponsesDialect",
    "anthropic": "specwire._dialects.anthropic:AnthropicMessagesDialect",
    "gemini": "specwire._dialects.gemini:GeminiDialect",
    "dashscope": "specwire._dialects.dashscope:DashScopeChatDialect",
    "ollama": "specwire._dialects.ollama:OllamaChatDialect",
    # embedding
    "openai_embeddings": "specwire._embedding.wire.openai:OpenAIEmbeddingWire",
    "gemini_embeddings": "specwire._embedding.wire.gemini:GeminiEmbeddingWire",
    "ollama_embed": "specwire._embedding.wire.ollama:OllamaEmbeddingWire",
    "dashscope_embedding": "specwire._embedding.wire.dashscope:DashScopeEmbeddingWire",
    # text to speech: HTTP, then realtime websockets
    "dashscope_tts": "specwire._tts.dashscope_http:DashScopeTTSDialect",
    "qwen_tts_realtime": "specwire._tts.qwen_realtime:QwenRealtimeDialect",
    "dashscope_duplex_tts": "specwire._tts.cosyvoice_realtime:CosyVoiceRealtimeDialect",
    # realtime (live voice and text) sessions
    "openai_realtime": "specwire._realtime.openai:OpenAIRealtimeDialect",
    "gemini_live": "specwire._realtime.gemini:GeminiLiveDialect",
}


def register_dialect(name: str, target: str) -> None:
    """Register the dialect class ``target`` (``module:Class``) under ``name``."""
    module, sep, attr = target.partition(":")
    if not (name and module and sep and attr):
        raise ValueError(f"expected a name and a 'module:Class' target, got {name!r}, {target!r}")
    known = DIALECTS.get(name)
    if known is not None and known != target:
        raise ValueError(f"dialect {name!r} is already registered as {known}")
    DIALECTS[name] = target


def load_dialect(name: str, base: Callable[..., DialectT]) -> type[DialectT]:
    """The dialect class registered under ``name``, which must subclass ``base`` (the
    family's dialect base the caller drives; typed as a callable so that an abstract
    base can be named)."""
    try:
        target = DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown wire dialect {name!r}; known: {sorted(DIALECTS)}") from None
    module, _, attr = target.partition(":")
    cls: Any = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and isinstance(base, type) and issubclass(cls, base)):
        raise ValueError(f"wire dialect {name!r} ({target}) is not a {_name(base)}")
    return cast("type[DialectT]", cls)


def _name(base: Any) -> str:
    return str(getattr(base, "__name__", base))


def all_dialects() -> dict[str, type[Dialect]]:
    """Every registered dialect class by name, imported (the code generator's view)."""
    from .._core.contract import Dialect

    return {name: load_dialect(name, Dialect) for name in sorted(DIALECTS)}
