"""Each provider's embedding class replayed from a cassette (offline, no secrets) at
its default base URL; requests must match the cassette's JSON body too."""

from __future__ import annotations

import json
from typing import Any

import vcr

from specwire.credential import (
    DashScopeCredential,
    GeminiCredential,
    OllamaCredential,
    OpenAICredential,
)
from specwire.embedding import (
    DashScopeEmbeddingModel,
    GeminiEmbeddingModel,
    OllamaEmbeddingModel,
    OpenAIEmbeddingModel,
)
from specwire.message import DataBlock, URLSource
from tests.conftest import vcr_config


def _json_body(r1: Any, r2: Any) -> None:
    assert json.loads(r1.body) == json.loads(r2.body), f"{r1.body!r} != {r2.body!r}"


def replay(name: str) -> Any:
    config = vcr_config()
    recorder = vcr.VCR(**{k: v for k, v in config.items() if k != "match_on"})
    recorder.register_matcher("json_body", _json_body)
    return recorder.use_cassette(
        f"embedding/{name}.yaml", match_on=[*config["match_on"], "json_body"]
    )


async def test_openai_base64_vectors() -> None:
    model = OpenAIEmbeddingModel(
        credential=OpenAICredential(api_key="sk-test"),
        model="text-embedding-3-small",
        parameters=OpenAIEmbeddingModel.Parameters(dimensions=4),
    )
    with replay("openai"):
        response = await model(["What is specwire?", "A spec-first library."])
    assert response.embeddings == [[0.125, -0.25, 0.5, 0.75], [1.0, -0.5, 0.0625, -1.5]]
    assert response.usage is not None and response.usage.tokens == 9


async def test_gemini_batch_embed_contents() -> None:
    model = GeminiEmbeddingModel(
        credential=GeminiCredential(api_key="g-test"),
        model="gemini-embedding-001",
        parameters=GeminiEmbeddingModel.Parameters(dimensions=128, task_type="RETRIEVAL_DOCUMENT"),
    )
    with replay("gemini"):
        response = await model(["What is specwire?"])
    assert len(response.embeddings) == 1 and len(response.embeddings[0]) == 128


async def test_ollama_embed() -> None:
    model = OllamaEmbeddingModel(credential=OllamaCredential(), model="tiny-embedder")
    with replay("ollama"):
        response = await model(["What is specwire?", "A spec-first library."])
    assert [len(v) for v in response.embeddings] == [8, 8]
    assert response.usage is not None and response.usage.tokens == 8


async def test_dashscope_text_and_multimodal() -> None:
    credential = DashScopeCredential(api_key="sk-test")
    text_model = DashScopeEmbeddingModel(
        credential=credential,
        model="text-embedding-v4",
        parameters=DashScopeEmbeddingModel.Parameters(dimensions=64),
    )
    vision = DashScopeEmbeddingModel(
        credential=credential,
        model="qwen3-vl-embedding",
        parameters=DashScopeEmbeddingModel.Parameters(dimensions=256),
    )
    image = DataBlock(source=URLSource(url="https://example.com/cat.png", media_type="image/png"))
    with replay("dashscope") as cassette:
        texts = await text_model(["What is specwire?", "A spec-first library."])
        mixed = await vision(["A cat sitting on a windowsill", image])
    assert cassette.all_played
    recorded = [json.loads(response["body"]["string"]) for _, response in cassette.data]
    by_index = sorted(recorded[0]["output"]["embeddings"], key=lambda e: e["text_index"])
    assert texts.embeddings == [e["embedding"] for e in by_index]  # order from text_index
    assert mixed.embeddings == [e["embedding"] for e in recorded[1]["output"]["embeddings"]]
    assert mixed.usage is not None and mixed.usage.tokens == 1290
