"""Hypothesis: whatever the cache already holds and however inputs repeat, a cached
call returns exactly what an uncached call returns, and sends only what is missing."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from specwire.embedding import Embedding, EmbeddingCacheBase
from tests.embedding.test_base import FakeEmbeddingModel


class DictCache(EmbeddingCacheBase):
    def __init__(self) -> None:
        self.data: dict[str, Embedding] = {}

    async def store(self, key: str, embedding: Embedding) -> None:
        self.data[key] = embedding

    async def retrieve(self, key: str) -> Embedding | None:
        return self.data.get(key)

    async def remove(self, key: str) -> None:
        self.data.pop(key, None)

    async def clear(self) -> None:
        self.data.clear()


words = st.text(alphabet="abcdef", min_size=0, max_size=3)


@settings(max_examples=80, deadline=None)
@given(
    warm=st.lists(words, max_size=10),
    inputs=st.lists(words, max_size=25),
    batch_size=st.integers(1, 7),
    concurrency=st.integers(1, 4),
)
def test_merged_response_equals_an_uncached_one(
    warm: list[str], inputs: list[str], batch_size: int, concurrency: int
) -> None:
    async def run() -> None:
        cache = DictCache()
        cached = FakeEmbeddingModel(
            batch_size=batch_size, max_concurrency=concurrency, embedding_cache=cache
        )
        if warm:
            await cached(warm)
        cached.batches.clear()
        plain = FakeEmbeddingModel(batch_size=batch_size + 1)
        with_cache = await cached(inputs)
        without = await plain(inputs)
        assert with_cache.embeddings == without.embeddings
        sent = [t for b in cached.batches for t in b]
        missing = {t for t in inputs if t not in set(warm)}
        assert sorted(sent) == sorted(missing)  # each missing input once, nothing else
        assert with_cache.source == ("api" if missing else "cache")
        assert all(len(b) <= batch_size for b in cached.batches)

    asyncio.run(run())
