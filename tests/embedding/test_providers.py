"""Each provider's embedding class against a loopback server: what goes on the wire,
what comes back, batch limits from the spec and cards, and spec-driven retries."""

from __future__ import annotations

import base64
import time
from typing import Any

import numpy as np
import pytest

from specwire._testing.loopback import LoopbackServer, ReceivedRequest, Reply
from specwire.credential import (
    DashScopeCredential,
    GeminiCredential,
    OllamaCredential,
    OpenAICredential,
)
from specwire.embedding import (
    DashScopeEmbeddingModel,
    EmbeddingBatchError,
    EmbeddingInputError,
    GeminiEmbeddingModel,
    OllamaEmbeddingModel,
    OpenAIEmbeddingModel,
)
from specwire.errors import AuthenticationError, ServerError, UnsupportedParameterError
from specwire.message import Base64Source, DataBlock, URLSource
from tests.embedding.helpers import (
    dashscope_reply,
    gemini_reply,
    ollama_reply,
    openai_reply,
    vector_for,
)

IMAGE = DataBlock(source=Base64Source(data="iVBORw0KGgo=", media_type="image/png"))
IMAGE_URL = DataBlock(source=URLSource(url="https://example.com/cat.png", media_type="image/png"))
VIDEO_URL = DataBlock(source=URLSource(url="https://example.com/cat.mp4", media_type="video/mp4"))


def texts(n: int) -> list[str]:
    return [f"text {i}" for i in range(n)]


# ------------------------------------------------------------------ OpenAI
async def test_openai_asks_for_base64_and_decodes_float32() -> None:
    async with LoopbackServer(openai_reply) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="sk-test", base_url=server.url + "/v1"),
            model="text-embedding-3-small",
            parameters=OpenAIEmbeddingModel.Parameters(dimensions=256),
        )
        response = await model(["hello", "world"])
        await model.aclose()
    request = server.requests[0]
    assert request.path == "/v1/embeddings"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.json() == {
        "model": "text-embedding-3-small",
        "input": ["hello", "world"],
        "encoding_format": "base64",
        "dimensions": 256,
    }
    first = response.embeddings[0]
    assert first.dtype == np.float32 and len(first) == 256
    assert first == vector_for("hello", 256).tolist()
    assert np.asarray(first) is first.array  # zero-copy for vector maths
    assert response.usage is not None and response.usage.tokens == 6


async def test_openai_reads_float_lists_from_servers_that_ignore_base64() -> None:
    async with LoopbackServer(lambda r: openai_reply(r, base64_vectors=False)) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="k", base_url=server.url),
            model="my-local-model",
        )
        response = await model(["a"])
    assert "dimensions" not in server.requests[0].json()  # no card: the model's own size
    assert response.embeddings[0] == vector_for("a", 8).tolist()


async def test_openai_card_default_and_fixed_size_models() -> None:
    cred = OpenAICredential(api_key="k")
    assert OpenAIEmbeddingModel(credential=cred, model="text-embedding-3-large").dimensions == 3072
    ada = OpenAIEmbeddingModel(credential=cred, model="text-embedding-ada-002")
    assert ada.dimensions is None
    # the card removes dimensions (parameter_overrides: {dimensions: null}): the one rule
    with pytest.raises(UnsupportedParameterError, match="text-embedding-ada-002"):
        OpenAIEmbeddingModel(
            credential=cred,
            model="text-embedding-ada-002",
            parameters=OpenAIEmbeddingModel.Parameters(dimensions=512),
        )
    with pytest.raises(UnsupportedParameterError, match="dimensions"):
        await ada(["a"], dimensions=256)  # per call too, before anything is sent
    with pytest.raises(ValueError, match="maximum of 1536"):
        OpenAIEmbeddingModel(
            credential=cred,
            model="text-embedding-3-small",
            parameters=OpenAIEmbeddingModel.Parameters(dimensions=3072),
        )


async def test_openai_batches_of_2048() -> None:
    async with LoopbackServer(openai_reply) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="k", base_url=server.url),
            model="text-embedding-3-small",
            parameters=OpenAIEmbeddingModel.Parameters(dimensions=4),
        )
        assert model.batch_size == 2048
        response = await model(texts(5000))
    assert sorted(len(r.json()["input"]) for r in server.requests) == [904, 2048, 2048]
    assert response.embeddings[4999] == vector_for("text 4999", 4).tolist()


async def test_spec_statuses_are_retried_and_retry_after_honoured() -> None:
    replies = [
        Reply.json(
            {"error": {"message": "slow", "type": "rate_limit_exceeded"}},
            status=429,
            headers={"retry-after-ms": "150"},
        ),
        Reply(body=b""),  # replaced by the callable below
    ]
    calls = []

    def answer(request: ReceivedRequest) -> Reply:
        calls.append(time.perf_counter())
        return replies[0] if len(calls) == 1 else openai_reply(request)

    async with LoopbackServer(answer) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="k", base_url=server.url),
            model="text-embedding-3-small",
            retry_delay=0.001,
        )
        response = await model(["a"])
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.14
    assert len(response.embeddings) == 1


async def test_authentication_failure_is_typed_and_not_retried() -> None:
    reply = Reply.json({"error": {"message": "bad key", "code": "invalid_api_key"}}, status=401)
    async with LoopbackServer([reply]) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="sk-secret-value", base_url=server.url),
            model="text-embedding-3-small",
        )
        with pytest.raises(EmbeddingBatchError) as caught:
            await model(["a", "b"])
    assert len(server.requests) == 1
    assert isinstance(caught.value.__cause__, AuthenticationError)
    assert caught.value.status == 401 and caught.value.failed_indices == [0, 1]
    assert "sk-secret-value" not in str(caught.value) + repr(model)


async def test_server_errors_exhaust_retries_per_batch() -> None:
    reply = Reply.json({"error": {"message": "down", "type": "server_error"}}, status=500)
    async with LoopbackServer([reply]) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="k", base_url=server.url),
            model="text-embedding-3-small",
            max_retries=2,
            retry_delay=0.001,
        )
        with pytest.raises(EmbeddingBatchError) as caught:
            await model(["a"])
    assert len(server.requests) == 3
    assert isinstance(caught.value.__cause__, ServerError)


async def test_text_models_refuse_media_before_sending() -> None:
    model = OpenAIEmbeddingModel(
        credential=OpenAICredential(api_key="k", base_url="http://127.0.0.1:9"),
        model="text-embedding-3-small",
    )
    with pytest.raises(EmbeddingInputError, match="input 1") as caught:
        await model(["a", IMAGE])  # type: ignore[list-item]
    assert caught.value.indices == [1]


# ------------------------------------------------------------------ Gemini
async def test_gemini_batch_embed_contents_with_per_request_parameters() -> None:
    async with LoopbackServer(gemini_reply) as server:
        model = GeminiEmbeddingModel(
            credential=GeminiCredential(api_key="g-key", base_url=server.url),
            model="gemini-embedding-001",
            parameters=GeminiEmbeddingModel.Parameters(dimensions=768, task_type="RETRIEVAL_QUERY"),
        )
        response = await model(["a", "b"])
    request = server.requests[0]
    assert request.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    assert request.headers["x-goog-api-key"] == "g-key"
    assert request.json()["requests"][1] == {
        "model": "models/gemini-embedding-001",
        "content": {"parts": [{"text": "b"}]},
        "outputDimensionality": 768,
        "taskType": "RETRIEVAL_QUERY",
    }
    assert response.embeddings[1] == vector_for("b", 768).tolist()
    assert response.embeddings[1].dtype == np.float64


async def test_gemini_multimodal_parts_and_image_limit_per_request() -> None:
    async with LoopbackServer(gemini_reply) as server:
        model = GeminiEmbeddingModel(
            credential=GeminiCredential(api_key="k", base_url=server.url),
            model="gemini-embedding-2",
        )
        assert model.batch_limits.images == 6
        inputs: list[Any] = ["caption", IMAGE_URL, *[IMAGE] * 7]
        response = await model(inputs)
    parts = [r["content"]["parts"][0] for q in server.requests for r in q.json()["requests"]]
    assert parts[0] == {"text": "caption"}
    assert parts[1] == {"file_data": {"mime_type": "image/png", "file_uri": IMAGE_URL.source.url}}
    assert parts[2] == {"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}}
    assert [len(q.json()["requests"]) for q in server.requests] == [7, 2]
    assert len(response.embeddings) == 9


# ------------------------------------------------------------------ Ollama
async def test_ollama_embed_sends_host_and_parameters() -> None:
    async with LoopbackServer(ollama_reply) as server:
        model = OllamaEmbeddingModel(
            credential=OllamaCredential(host=server.url),
            model="nomic-embed-text",
            parameters=OllamaEmbeddingModel.Parameters(truncate=False, keep_alive="1m"),
        )
        assert model.batch_size == 512 and model.dimensions == 768
        response = await model(texts(3))
    request = server.requests[0]
    assert request.path == "/api/embed"
    assert "authorization" not in request.headers
    assert request.json() == {
        "model": "nomic-embed-text",
        "input": texts(3),
        "dimensions": 768,
        "truncate": False,
        "keep_alive": "1m",
    }
    assert response.usage is not None and response.usage.tokens == 6
    with pytest.raises(ValueError, match="choose one of 768"):
        await model(["a"], dimensions=512)


async def test_ollama_error_body_is_read() -> None:
    reply = Reply.json({"error": 'model "nope" not found, try pulling it first'}, status=404)
    async with LoopbackServer([reply]) as server:
        model = OllamaEmbeddingModel(credential=OllamaCredential(host=server.url), model="nope")
        with pytest.raises(EmbeddingBatchError, match="not found"):
            await model(["a"])


# ------------------------------------------------------------------ DashScope
async def test_dashscope_text_endpoint_in_tens_with_order_from_indices() -> None:
    async with LoopbackServer(dashscope_reply) as server:
        model = DashScopeEmbeddingModel(
            credential=DashScopeCredential(api_key="ds", base_url=server.url + "/api/v1"),
            model="text-embedding-v4",
            parameters=DashScopeEmbeddingModel.Parameters(dimensions=64, text_type="query"),
        )
        response = await model(texts(23))
    assert [len(r.json()["input"]["texts"]) for r in server.requests] == [10, 10, 3]
    request = server.requests[0]
    assert request.path == "/api/v1/services/embeddings/text-embedding/text-embedding"
    assert request.json()["parameters"] == {"dimension": 64, "text_type": "query"}
    assert [e.tolist() for e in response.embeddings] == [
        vector_for(t, 64).tolist() for t in texts(23)
    ]
    assert response.usage is not None and response.usage.tokens == 5 * 23


async def test_dashscope_multimodal_endpoint_packs_by_content() -> None:
    async with LoopbackServer(dashscope_reply) as server:
        model = DashScopeEmbeddingModel(
            credential=DashScopeCredential(api_key="ds", base_url=server.url + "/api/v1"),
            model="qwen3-vl-embedding",
        )
        # qwen3-vl-embedding: 20 elements, 5 images, 1 video per request
        inputs: list[Any] = ["a", VIDEO_URL, VIDEO_URL, *[IMAGE_URL] * 6, *texts(3)]
        response = await model(inputs)
    paths = {r.path for r in server.requests}
    assert paths == {"/api/v1/services/embeddings/multimodal-embedding/multimodal-embedding"}
    contents = [r.json()["input"]["contents"] for r in server.requests]
    for batch in contents:
        assert len(batch) <= 20
        assert sum("image" in c for c in batch) <= 5 and sum("video" in c for c in batch) <= 1
    assert [len(b) for b in contents] == [2, 6, 4]
    assert contents[0] == [{"text": "a"}, {"video": VIDEO_URL.source.url}]
    assert server.requests[0].json()["parameters"] == {"dimension": 2560}
    assert len(response.embeddings) == len(inputs)
    assert response.embeddings[0] == vector_for("a", 2560).tolist()


async def test_dashscope_impossible_inputs_fail_before_sending() -> None:
    async with LoopbackServer(dashscope_reply) as server:
        cred = DashScopeCredential(api_key="ds", base_url=server.url + "/api/v1")
        text_model = DashScopeEmbeddingModel(credential=cred, model="text-embedding-v4")
        with pytest.raises(EmbeddingInputError, match="not image"):
            await text_model(["a", IMAGE])  # type: ignore[list-item]
        vision = DashScopeEmbeddingModel(credential=cred, model="tongyi-embedding-vision-plus")
        inline_video = DataBlock(source=Base64Source(data="AAAA", media_type="video/mp4"))
        with pytest.raises(EmbeddingInputError, match="by URL only"):
            await vision(["a", inline_video])
    assert server.requests == []


async def test_dashscope_image_is_sent_as_data_url() -> None:
    async with LoopbackServer(dashscope_reply) as server:
        model = DashScopeEmbeddingModel(
            credential=DashScopeCredential(api_key="ds", base_url=server.url + "/api/v1"),
            model="tongyi-embedding-vision-plus",
        )
        await model([IMAGE])
    content = server.requests[0].json()["input"]["contents"][0]
    assert content == {"image": "data:image/png;base64,iVBORw0KGgo="}


async def test_dashscope_compatible_mode_speaks_openai() -> None:
    async with LoopbackServer(openai_reply) as server:
        model = DashScopeEmbeddingModel(
            credential=DashScopeCredential(
                api_key="ds", base_url=server.url + "/compatible-mode/v1"
            ),
            model="text-embedding-v4",
        )
        response = await model(["a"])
    request = server.requests[0]
    assert request.path == "/compatible-mode/v1/embeddings"
    assert request.json()["encoding_format"] == "float" and request.json()["dimensions"] == 1024
    assert response.embeddings[0] == vector_for("a", 1024).tolist()


async def test_dashscope_throttling_code_is_retried() -> None:
    throttled = Reply.json(
        {
            "code": "Throttling.RateQuota",
            "message": "Requests rate limit exceeded",
            "request_id": "x",
        },
        status=429,
    )
    seen: list[int] = []

    def answer(request: ReceivedRequest) -> Reply:
        seen.append(1)
        return throttled if len(seen) == 1 else dashscope_reply(request)

    async with LoopbackServer(answer) as server:
        model = DashScopeEmbeddingModel(
            credential=DashScopeCredential(api_key="ds", base_url=server.url + "/api/v1"),
            model="text-embedding-v4",
            retry_delay=0.001,
        )
        response = await model(["a"])
    assert len(seen) == 2 and len(response.embeddings) == 1


async def test_malformed_success_body_is_an_error() -> None:
    vector = base64.b64encode(b"\x00" * 6).decode()  # 6 bytes: not float32s
    reply = Reply.json({"data": [{"index": 0, "embedding": vector}]})
    async with LoopbackServer([reply]) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="k", base_url=server.url), model="m"
        )
        with pytest.raises(EmbeddingBatchError, match="float32"):
            await model(["a"])


def test_credentials_find_their_embedding_class() -> None:
    assert OpenAICredential.get_embedding_model_class() is OpenAIEmbeddingModel
    assert DashScopeCredential.get_embedding_model_class() is DashScopeEmbeddingModel
    assert GeminiCredential.get_embedding_model_class() is GeminiEmbeddingModel
    assert OllamaCredential.get_embedding_model_class() is OllamaEmbeddingModel
    names = {c.name for c in DashScopeCredential.list_embedding_models()}
    assert {"text-embedding-v4", "qwen3-vl-embedding", "tongyi-embedding-vision-plus"} <= names
