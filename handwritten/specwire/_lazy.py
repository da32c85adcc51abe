"""Lazy public names: a public module lists where each name lives, and the defining
module is imported on first access (keeps ``import specwire.model`` cheap)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(module_name: str, table: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving names through ``table`` (name -> module)."""

    def __getattr__(name: str) -> Any:
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(target), name)
        globals_of_public = importlib.import_module(module_name).__dict__
        globals_of_public[name] = value  # later lookups skip __getattr__
        return value

    return __getattr__


def lazy_dir(module_name: str) -> Callable[[], list[str]]:
    """A module ``__dir__`` listing its public names (``__all__``, loaded or not), so
    ``dir()``, ``help()`` and pydoc show what the module offers rather than its plumbing."""

    def __dir__() -> list[str]:
        module = importlib.import_module(module_name)
        dunders = {n for n in module.__dict__ if n.startswith("__")}
        return sorted({*module.__all__, *dunders})

    return __dir__
