"""Code the multiprocessing tests run in their worker processes (importable by the
``spawn`` start method)."""

from __future__ import annotations

import asyncio
from typing import Any


def embed_many(model: Any, calls: int, inputs_per_call: int, tag: str) -> int:
    """Make ``calls`` embedding calls of ``inputs_per_call`` texts; the vectors got."""

    async def run() -> int:
        got = 0
        for n in range(calls):
            texts = [f"{tag}-{n}-{i}" for i in range(inputs_per_call)]
            response = await model(texts)
            got += len(response.embeddings)
        await model.aclose()
        await model.rate_limiter.aclose()
        return got

    return asyncio.run(run())


def embed_corpus(model: Any, texts: list[str]) -> list[float]:
    """Embed ``texts`` in one call (the model batches them); each vector's first value."""

    async def run() -> list[float]:
        response = await model(texts)
        await model.aclose()
        await model.rate_limiter.aclose()
        if model.embedding_cache is not None:
            await model.embedding_cache.aclose()
        return [float(v[0]) for v in response.embeddings]

    return asyncio.run(run())
