"""``RedisEmbeddingCache``: vectors in Redis under a key prefix, with an optional TTL.

Values are ``.npy`` bytes (self-describing: dtype and length travel with the data), so
a value that does not load as a 1-D float array is a miss and is deleted. Needs the
``redis`` client: ``pip install 'specwire[redis]'``.
"""

from __future__ import annotations

import datetime
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .cache import EmbeddingCacheBase
from .vector import Embedding

if TYPE_CHECKING:
    from redis.asyncio import Redis


def _encode(embedding: Embedding) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(embedding), allow_pickle=False)
    return buffer.getvalue()


def _decode(raw: bytes | str) -> Embedding | None:
    if isinstance(raw, str):  # a client made with decode_responses=True mangles bytes
        return None
    try:
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, EOFError, OSError):
        return None
    if not (
        isinstance(array, np.ndarray)
        and array.ndim == 1
        and np.issubdtype(array.dtype, np.floating)
    ):
        return None
    array.flags.writeable = False
    return Embedding._of(array)


class RedisEmbeddingCache(EmbeddingCacheBase):
    """A cache in Redis. Give a ``redis.asyncio.Redis`` client, or a ``url``
    (default ``redis://localhost:6379/0``). Every key is stored as ``prefix + key``;
    ``ttl`` (seconds or a timedelta) makes entries expire; ``clear()`` deletes only the
    prefix's keys."""

    def __init__(
        self,
        client: Redis | None = None,
        *,
        url: str = "redis://localhost:6379/0",
        prefix: str = "specwire:embedding:",
        ttl: float | datetime.timedelta | None = None,
    ) -> None:
        own_client = client is None
        if client is None:
            try:
                from redis.asyncio import Redis
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "RedisEmbeddingCache needs the redis client: pip install 'specwire[redis]'"
                ) from exc
            client = Redis.from_url(url)
        self.client = client
        self.prefix = prefix
        self._url = url if own_client else None
        if isinstance(ttl, datetime.timedelta):
            ttl = ttl.total_seconds()
        if ttl is not None and ttl <= 0:
            raise ValueError("ttl must be positive (seconds)")
        # Redis takes whole milliseconds; round up so a tiny TTL never means "forever"
        self._ttl_ms = None if ttl is None else max(1, math.ceil(ttl * 1000))

    def __getstate__(self) -> dict[str, Any]:
        # a pickle carries where the cache is, not its connections
        if self._url is None:
            raise TypeError(
                "a RedisEmbeddingCache built from a client cannot be pickled; "
                "build it with url= so workers can reconnect"
            )
        return {"url": self._url, "prefix": self.prefix, "ttl_ms": self._ttl_ms}

    def __setstate__(self, state: dict[str, Any]) -> None:
        from redis.asyncio import Redis

        self.client = Redis.from_url(state["url"])
        self.prefix = state["prefix"]
        self._url = state["url"]
        self._ttl_ms = state["ttl_ms"]

    def __repr__(self) -> str:
        return f"RedisEmbeddingCache(prefix={self.prefix!r}, ttl_ms={self._ttl_ms})"

    async def aclose(self) -> None:
        """Close the client's connections."""
        await self.client.aclose()

    async def store(self, key: str, embedding: Embedding) -> None:
        """SET the vector (with the TTL, if any)."""
        await self.client.set(self.prefix + key, _encode(embedding), px=self._ttl_ms)

    async def retrieve(self, key: str) -> Embedding | None:
        """GET the vector; an undecodable value is deleted and is a miss."""
        raw = await self.client.get(self.prefix + key)
        if raw is None:
            return None
        value = _decode(raw)
        if value is None:
            await self.client.delete(self.prefix + key)
        return value

    async def remove(self, key: str) -> None:
        """DEL the key."""
        await self.client.delete(self.prefix + key)

    async def clear(self) -> None:
        """Delete every key under the prefix (SCAN, then UNLINK in chunks)."""
        pattern = _glob_escape(self.prefix) + "*"
        chunk: list[Any] = []
        async for name in self.client.scan_iter(match=pattern, count=500):
            chunk.append(name)
            if len(chunk) >= 500:
                await self.client.unlink(*chunk)
                chunk = []
        if chunk:
            await self.client.unlink(*chunk)

    async def store_many(self, items: Sequence[tuple[str, Embedding]]) -> None:
        """All SETs in one pipeline round trip."""
        if not items:
            return
        async with self.client.pipeline(transaction=False) as pipe:
            for key, embedding in items:
                pipe.set(self.prefix + key, _encode(embedding), px=self._ttl_ms)
            await pipe.execute()

    async def retrieve_many(self, keys: Sequence[str]) -> list[Embedding | None]:
        """One MGET; undecodable values are deleted and are misses."""
        if not keys:
            return []
        raws = await self.client.mget([self.prefix + k for k in keys])
        out: list[Embedding | None] = []
        bad: list[str] = []
        for key, raw in zip(keys, raws, strict=True):
            value = None if raw is None else _decode(raw)
            if raw is not None and value is None:
                bad.append(self.prefix + key)
            out.append(value)
        if bad:
            await self.client.delete(*bad)
        return out


def _glob_escape(text: str) -> str:
    """Escape Redis glob characters so a prefix matches only itself."""
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
