"""Models cross process boundaries: pickles hold neither connections nor secrets (a
secret travels as the name of the environment variable holding it), models reopen
lazily in the worker, and a few thousand texts embed through ``multiprocessing`` with
a shared Redis limiter and cache against the loopback server."""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specwire._testing.batch_server import vector_for
from specwire._testing.loopback import LoopbackServer, Reply
from specwire._testing.threaded import RateEnforcingEmbeddings, ThreadedServer
from specwire.credential import DashScopeCredential, OpenAICredential
from specwire.embedding import FileEmbeddingCache, OpenAIEmbeddingModel, RedisEmbeddingCache
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel
from specwire.ratelimit import RedisRateLimiter
from specwire.tts import (
    DashScopeCosyVoiceRealtimeTTSModel,
    DashScopeRealtimeTTSModel,
    DashScopeTTSModel,
)
from tests.redis_server import needs_redis, redis_server

from .workers import embed_corpus

OPENAI_SECRET = "sk-openai-pickle-secret"
DASHSCOPE_SECRET = "sk-dashscope-pickle-secret"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_SECRET)
    monkeypatch.setenv("DASHSCOPE_API_KEY", DASHSCOPE_SECRET)


def _models(tmp_path: Path) -> list[Any]:
    openai = OpenAICredential(base_url="http://127.0.0.1:9/v1")
    dashscope = DashScopeCredential()
    return [
        OpenAIChatModel(credential=openai, model="gpt-4o", stream=False),
        OpenAIEmbeddingModel(
            credential=openai,
            model="text-embedding-3-small",
            embedding_cache=FileEmbeddingCache(cache_dir=str(tmp_path / "emb")),
        ),
        DashScopeTTSModel(credential=dashscope, model="qwen3-tts-flash"),
        DashScopeRealtimeTTSModel(credential=dashscope, model="qwen3-tts-flash-realtime"),
        DashScopeCosyVoiceRealtimeTTSModel(credential=dashscope, model="cosyvoice-v3-flash"),
    ]


@pytest.mark.usefixtures("env")
def test_models_round_trip_without_secrets_in_clear(tmp_path: Path) -> None:
    for model in _models(tmp_path):
        raw = pickle.dumps(model)
        assert OPENAI_SECRET.encode() not in raw and DASHSCOPE_SECRET.encode() not in raw
        assert b"pickle-secret" not in raw
        copy = pickle.loads(raw)
        assert type(copy) is type(model) and copy.model == model.model
        assert copy.credential.api_key.get_secret_value() in (OPENAI_SECRET, DASHSCOPE_SECRET)
        assert copy.credential == model.credential
        assert "secret" not in repr(copy)


@pytest.mark.usefixtures("env")
async def test_a_used_model_pickles_without_its_connections_and_reopens() -> None:
    answer = {
        "id": "c",
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    async with LoopbackServer([Reply.json(answer)]) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(base_url=server.url), model="m", stream=False
        )
        await model([UserMsg(name="u", content="one")])
        assert model._transport._client is not None  # a live connection pool
        copy = pickle.loads(pickle.dumps(model))
        assert copy._transport._client is None
        response = await copy([UserMsg(name="u", content="two")])
        assert response.content[0].text == "hi"  # type: ignore[union-attr]
        assert server.requests[-1].headers["authorization"] == f"Bearer {OPENAI_SECRET}"
        await model.aclose()
        await copy.aclose()


def test_a_secret_in_no_environment_variable_refuses_to_pickle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = OpenAIChatModel(credential=OpenAICredential(api_key="sk-only-in-memory"), model="m")
    with pytest.raises(pickle.PicklingError, match="OPENAI_API_KEY") as caught:
        pickle.dumps(model)
    assert "sk-only-in-memory" not in str(caught.value)


def test_any_variable_holding_the_secret_will_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("TEAM_OPENAI_KEY", "sk-team")
    raw = pickle.dumps(OpenAICredential(api_key="sk-team"))
    assert b"sk-team" not in raw and b"TEAM_OPENAI_KEY" in raw
    assert pickle.loads(raw).api_key.get_secret_value() == "sk-team"
    monkeypatch.delenv("TEAM_OPENAI_KEY")
    with pytest.raises(pickle.UnpicklingError, match="TEAM_OPENAI_KEY"):
        pickle.loads(raw)


@pytest.mark.usefixtures("env")
async def test_a_connected_realtime_model_pickles_as_its_settings(tmp_path: Path) -> None:
    model = _models(tmp_path)[3]
    model._ws = object()  # stands for an open socket: it must not travel
    model._runner = asyncio.get_running_loop().create_future()
    copy = pickle.loads(pickle.dumps(model))
    assert copy._ws is None and copy._runner is None and not copy._started
    model._runner.cancel()


# ---------------------------------------------------------------- multiprocessing
@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.redis_server import REDIS

    if REDIS is None:
        pytest.skip("redis-server binary not installed (apt-get install redis-server)")
    with redis_server(Path(tmp_path_factory.mktemp("redis"))) as url:
        yield url


@needs_redis
@pytest.mark.usefixtures("env")
def test_thousands_of_texts_through_multiprocessing_with_shared_limiter_and_cache(
    redis_url: str,
) -> None:
    texts = [f"document {i} " + "word " * (i % 7) for i in range(3000)]
    shards = [texts[i::3] for i in range(3)]
    enforcing = RateEnforcingEmbeddings(requests_per_minute=6000)
    with ThreadedServer(enforcing) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(base_url=server.url),
            model="text-embedding-3-small",
            batch_size=50,
            embedding_cache=RedisEmbeddingCache(url=redis_url, prefix="mp-cache:"),
        ).limit_rate(RedisRateLimiter(url=redis_url, prefix="mp-limit:"), requests_per_minute=6000)
        context = multiprocessing.get_context("spawn")
        with context.Pool(3) as pool:
            first = pool.starmap(embed_corpus, [(model, shard) for shard in shards])
            sent = len(enforcing.accepted)
            # a second pass over the same corpus is served by the shared cache
            again = pool.starmap(embed_corpus, [(model, shard) for shard in shards])
    for shard, values in zip(shards, first, strict=True):
        assert values == [vector_for(t)[0] for t in shard]
    assert again == first
    assert enforcing.inputs == 3000 and sent == 60 and len(enforcing.accepted) == 60
    assert enforcing.refused == 0
