"""A Ray Data ``map_batches`` job embedding through a pickled model (a local Ray
cluster on this machine), skipped where ``ray`` is not installed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from specwire._testing.batch_server import vector_for
from specwire._testing.threaded import RateEnforcingEmbeddings, ThreadedServer
from specwire.credential import OpenAICredential
from specwire.embedding import OpenAIEmbeddingModel

ray = pytest.importorskip("ray", reason="ray is not installed (pip install 'ray[data]')")
pytest.importorskip("ray.data")


class Embed:
    """The Ray Data UDF: built once per worker from the pickled model."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.loop = asyncio.new_event_loop()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        texts = [str(t) for t in batch["text"]]
        response = self.loop.run_until_complete(self.model(texts))
        return {"text": texts, "first": [float(v[0]) for v in response.embeddings]}


def test_map_batches_with_a_pickled_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-ray")
    server = RateEnforcingEmbeddings(requests_per_minute=60_000)
    with ThreadedServer(server) as s:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(base_url=s.url),
            model="text-embedding-3-small",
            batch_size=25,
        )
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
        try:
            texts = [f"ray text {i}" for i in range(200)]
            ds = ray.data.from_items([{"text": t} for t in texts])
            out = ds.map_batches(Embed, fn_constructor_args=(model,), batch_size=50, concurrency=1)
            rows = sorted(out.take_all(), key=lambda r: int(r["text"].split()[-1]))
        finally:
            ray.shutdown()
    assert [r["first"] for r in rows] == [vector_for(t)[0] for t in texts]
    assert server.inputs == 200
