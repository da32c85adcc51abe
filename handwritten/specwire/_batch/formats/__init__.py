"""Batch wire formats by name (the spec's ``batch.format``)."""

from __future__ import annotations

import importlib

from .base import BatchFormat

_FORMATS = {
    "openai_batch": "specwire._batch.formats.openai_batch:OpenAIBatchFormat",
    "anthropic_batch": "specwire._batch.formats.anthropic_batch:AnthropicBatchFormat",
    "gemini_batch": "specwire._batch.formats.gemini_batch:GeminiBatchFormat",
}


def load_format(name: str) -> type[BatchFormat]:
    """The batch format class named ``name``."""
    target = _FORMATS.get(name)
    if target is None:
        raise ValueError(f"unknown batch format {name!r}; known: {', '.join(sorted(_FORMATS))}")
    module, _, attr = target.partition(":")
    cls: type[BatchFormat] = getattr(importlib.import_module(module), attr)
    return cls


def all_formats() -> dict[str, type[BatchFormat]]:
    """Every batch format class by name."""
    return {name: load_format(name) for name in sorted(_FORMATS)}


__all__ = ["BatchFormat", "all_formats", "load_format"]
