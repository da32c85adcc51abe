"""Embedding wire formats, one module each, loaded by name when a model first needs one."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import EmbeddingWire

EMBEDDING_WIRES: dict[str, str] = {
    "openai_embeddings": "specwire._embedding.wire.openai:OpenAIEmbeddingWire",
    "gemini_embeddings": "specwire._embedding.wire.gemini:GeminiEmbeddingWire",
    "ollama_embed": "specwire._embedding.wire.ollama:OllamaEmbeddingWire",
    "dashscope_embedding": "specwire._embedding.wire.dashscope:DashScopeEmbeddingWire",
}


def load_wire(name: str) -> type[EmbeddingWire]:
    """The wire class registered under ``name``."""
    try:
        target = EMBEDDING_WIRES[name]
    except KeyError:
        raise ValueError(
            f"unknown embedding wire format {name!r}; known: {sorted(EMBEDDING_WIRES)}"
        ) from None
    module, _, attr = target.partition(":")
    cls: type[EmbeddingWire] = getattr(importlib.import_module(module), attr)
    return cls
