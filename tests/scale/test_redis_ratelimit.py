"""RedisRateLimiter against a real redis-server: one budget held by several processes
(measured at the server: the request rate within a few percent of the limit, no 429
storm), a Retry-After seen by one pausing all, and no api key in any Redis key."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from specwire._ratelimit import RateLimits
from specwire._testing.threaded import RateEnforcingEmbeddings, ThreadedServer
from specwire.credential import OpenAICredential
from specwire.embedding import OpenAIEmbeddingModel
from specwire.ratelimit import RedisRateLimiter
from tests.redis_server import needs_redis, redis_server

from .workers import embed_many

pytestmark = needs_redis

SECRET = "sk-shared-budget-secret"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(Path(tmp_path_factory.mktemp("redis"))) as url:
        yield url


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    # pickles name the variable, and the spawned workers read it
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    return SECRET


def _model(url: str, redis_url: str, prefix: str, rpm: float) -> OpenAIEmbeddingModel:
    return OpenAIEmbeddingModel(
        credential=OpenAICredential(base_url=url),
        model="text-embedding-3-small",
        batch_size=1,
        max_concurrency=4,
    ).limit_rate(RedisRateLimiter(url=redis_url, prefix=prefix), requests_per_minute=rpm)


def test_processes_share_one_budget(redis_url: str, api_key: str) -> None:
    rpm = 1200.0  # 20 a second shared by four processes, each able to send 4 at once
    enforcing = RateEnforcingEmbeddings(requests_per_minute=rpm)
    with ThreadedServer(enforcing) as server:
        model = _model(server.url, redis_url, "t1:", rpm)
        context = multiprocessing.get_context("spawn")
        with context.Pool(4) as pool:
            runs = [pool.apply_async(embed_many, (model, 12, 4, f"w{n}")) for n in range(4)]
            got = [r.get(timeout=120) for r in runs]
    assert got == [48] * 4
    assert enforcing.refused == 0  # no 429 at all, let alone a storm
    assert len(enforcing.accepted) == 192
    # steady state: past the first second, when a worker's first request (its connection
    # opened under load) may reach the server late and so shorten the measured span
    measured = enforcing.steady_rate_per_minute(skip=1.0)
    assert measured == pytest.approx(rpm, rel=0.05), f"server saw {measured:.0f} RPM"


def test_no_api_key_in_redis_keys_and_a_pause_is_shared(redis_url: str) -> None:
    async def run() -> None:
        limiter = RedisRateLimiter(url=redis_url, prefix="t2:")
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key=SECRET, base_url="http://127.0.0.1:9/v1"),
            model="text-embedding-3-small",
        ).limit_rate(limiter, requests_per_minute=600, tokens_per_minute=60_000)
        budget = model.budget
        await budget.acquire(100)
        other = RedisRateLimiter(url=redis_url, prefix="t2:")  # "another host"
        await other.pause(budget.key, 0.5)
        started = time.monotonic()
        await budget.acquire(10)
        assert time.monotonic() - started >= 0.4
        keys = [k.decode() for k in await limiter.client.keys("t2:*")]
        assert keys == ["t2:" + budget.key]
        assert SECRET not in keys[0] and "secret" not in keys[0]
        fields = await limiter.client.hgetall(keys[0])
        assert set(fields) == {b"r", b"t", b"p"}
        assert all(SECRET.encode() not in v for v in fields.values())
        await limiter.aclose()
        await other.aclose()

    asyncio.run(run())


def test_tokens_are_corrected_in_redis(redis_url: str) -> None:
    async def run() -> None:
        limiter = RedisRateLimiter(url=redis_url, prefix="t3:")
        limits = RateLimits(tokens_per_minute=6000)  # 100 tokens a second
        assert await limiter.reserve("k", limits, 100) == pytest.approx(0.0, abs=0.01)
        await limiter.correct("k", limits, 200)
        wait = await limiter.reserve("k", limits, 0)
        assert wait == pytest.approx(3.0, abs=0.05)
        await limiter.aclose()

    asyncio.run(run())


def test_a_limiter_from_a_client_does_not_pickle(redis_url: str) -> None:
    import pickle

    from redis.asyncio import Redis

    with pytest.raises(TypeError, match="url="):
        pickle.dumps(RedisRateLimiter(Redis.from_url(redis_url)))
    copy = pickle.loads(pickle.dumps(RedisRateLimiter(url=redis_url, prefix="p:")))
    assert copy.url == redis_url and copy.prefix == "p:"
