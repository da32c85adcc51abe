"""The cache contract: one vector per key, where a key names one input under one model
configuration, so a call mixing known and new inputs only sends the new ones."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from .._core.blocks import DataBlock
from .vector import Embedding


def item_identity(item: str | DataBlock) -> dict[str, Any]:
    """What makes two inputs the same input: the text, or the media type and the data
    (or URL). A ``DataBlock``'s random ``id`` and its ``name`` are left out."""
    if isinstance(item, str):
        return {"text": item}
    source = item.source
    if source.type == "url":
        return {"media_type": source.media_type, "url": source.url}
    return {"media_type": source.media_type, "data": source.data}


def cache_key(configuration: Mapping[str, Any], item: str | DataBlock) -> str:
    """SHA-256 (hex) of the model configuration (provider, model, dimensions, other
    parameters) and the input's identity."""
    payload = orjson.dumps(
        {"configuration": configuration, "input": item_identity(item)},
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        default=repr,  # an unusual keyword argument still gets a stable key
    )
    return hashlib.sha256(payload).hexdigest()


class EmbeddingCacheBase(ABC):
    """A store of vectors by key. Implement ``store``, ``retrieve``, ``remove`` and
    ``clear``; ``store_many`` and ``retrieve_many`` are there to be overridden by
    backends that can do many keys in one round trip."""

    @abstractmethod
    async def store(self, key: str, embedding: Embedding) -> None:
        """Keep ``embedding`` under ``key`` (replacing any vector there)."""

    @abstractmethod
    async def retrieve(self, key: str) -> Embedding | None:
        """The vector under ``key``, or None."""

    @abstractmethod
    async def remove(self, key: str) -> None:
        """Forget ``key`` (no error when it is absent)."""

    @abstractmethod
    async def clear(self) -> None:
        """Forget everything."""

    async def store_many(self, items: Sequence[tuple[str, Embedding]]) -> None:
        """``store`` each pair."""
        for key, embedding in items:
            await self.store(key, embedding)

    async def retrieve_many(self, keys: Sequence[str]) -> list[Embedding | None]:
        """``retrieve`` each key, in order."""
        return [await self.retrieve(key) for key in keys]
