"""RedisEmbeddingCache against a real redis-server started by the test on a free
loopback port (skipped, saying why, only when the redis-server binary is absent)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from specwire.embedding import Embedding, EmbeddingModelBase, RedisEmbeddingCache
from tests.redis_server import needs_redis, redis_server

pytestmark = needs_redis


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: Any) -> Iterator[str]:
    with redis_server(Path(tmp_path_factory.mktemp("redis"))) as url:
        yield url


@pytest.fixture
async def cache(redis_url: str) -> AsyncIterator[RedisEmbeddingCache]:
    cache = RedisEmbeddingCache(url=redis_url, prefix="test:")
    await cache.clear()
    yield cache
    await cache.clear()
    await cache.aclose()


def vec(seed: float) -> Embedding:
    return Embedding(np.arange(8, dtype=np.float32) + seed)


async def test_store_retrieve_remove_clear_under_a_prefix(cache: RedisEmbeddingCache) -> None:
    other = RedisEmbeddingCache(cache.client, prefix="other:")
    await other.store("k", vec(9))
    await cache.store("k", vec(1))
    got = await cache.retrieve("k")
    assert got == vec(1) and got is not None and got.dtype == np.float32
    assert await cache.client.exists("test:k") == 1
    await cache.store_many([("a", vec(2)), ("b", vec(3))])
    assert await cache.retrieve_many(["a", "zz", "b"]) == [vec(2), None, vec(3)]
    await cache.remove("a")
    assert await cache.retrieve("a") is None
    await cache.clear()
    assert await cache.retrieve("b") is None
    assert await other.retrieve("k") == vec(9)  # clear() keeps to its prefix
    await other.clear()


async def test_ttl_expires_entries(redis_url: str) -> None:
    cache = RedisEmbeddingCache(url=redis_url, prefix="ttl:", ttl=0.15)
    await cache.store_many([("k", vec(1))])
    assert 0 < await cache.client.pttl("ttl:k") <= 150
    assert await cache.retrieve("k") == vec(1)
    await asyncio.sleep(0.3)
    assert await cache.retrieve("k") is None
    await cache.aclose()


async def test_undecodable_values_are_misses_and_deleted(cache: RedisEmbeddingCache) -> None:
    await cache.client.set("test:bad", b"not a vector")
    assert await cache.retrieve_many(["bad"]) == [None]
    assert await cache.client.exists("test:bad") == 0


async def test_prefix_glob_characters_are_escaped(redis_url: str) -> None:
    star = RedisEmbeddingCache(url=redis_url, prefix="a*:")
    plain = RedisEmbeddingCache(url=redis_url, prefix="ab:")
    await plain.store("k", vec(1))
    await star.clear()
    assert await plain.retrieve("k") == vec(1)
    await plain.clear()
    await star.aclose()
    await plain.aclose()


async def test_model_serves_a_repeat_call_from_redis(cache: RedisEmbeddingCache) -> None:
    from tests.embedding.test_base import FakeEmbeddingModel

    model: EmbeddingModelBase[str] = FakeEmbeddingModel(embedding_cache=cache)
    first = await model(["x", "y"])
    second = await model(["y", "x"])
    assert second.source == "cache" and second.embeddings == first.embeddings[::-1]
