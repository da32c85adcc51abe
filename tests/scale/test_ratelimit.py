"""The rate limiter: GCRA arithmetic on a fake clock, token estimates corrected by
usage, a shared Retry-After pause, the budget key, and models held to their limits
against a loopback server that enforces them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from specwire._ratelimit import (
    Budget,
    InProcessRateLimiter,
    RateLimits,
    budget_key,
    default_limiter,
)
from specwire._testing.loopback import LoopbackServer, ReceivedRequest, Reply
from specwire._testing.threaded import RateEnforcingEmbeddings
from specwire.credential import OpenAICredential
from specwire.embedding import OpenAIEmbeddingModel
from specwire.errors import RateLimitError
from specwire.message import UserMsg
from specwire.model import OpenAIChatModel
from specwire.ratelimit import RedisRateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_requests_are_paced_after_a_one_second_burst() -> None:
    clock = Clock()
    limiter = InProcessRateLimiter(clock)
    limits = RateLimits(requests_per_minute=600, burst_seconds=1.0)  # 10 a second
    waits = [await limiter.reserve("k", limits, 0) for _ in range(15)]
    # one second's worth leaves at once, then one every 100 ms
    assert waits == pytest.approx([0.0] * 10 + [0.1, 0.2, 0.3, 0.4, 0.5], abs=1e-9)
    clock.now += 10  # idle: the burst allowance is back, no more
    again = [await limiter.reserve("k", limits, 0) for _ in range(11)]
    assert again[-1] == pytest.approx(0.1)


async def test_no_burst_spaces_every_request() -> None:
    clock = Clock()
    limiter = InProcessRateLimiter(clock)
    limits = RateLimits(requests_per_minute=120)  # the default: even pacing
    waits = [await limiter.reserve("k", limits, 0) for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.5, 1.0, 1.5])


async def test_token_estimates_are_corrected_by_usage() -> None:
    clock = Clock()
    limiter = InProcessRateLimiter(clock)
    limits = RateLimits(tokens_per_minute=6000, burst_seconds=0)  # 100 tokens a second
    assert await limiter.reserve("k", limits, 100) == 0.0
    assert await limiter.reserve("k", limits, 100) == pytest.approx(1.0)
    # the first call really used 300 tokens: the budget owes 2 s more
    await limiter.correct("k", limits, 200)
    assert await limiter.reserve("k", limits, 100) == pytest.approx(4.0)
    # and one that was over-estimated gives time back
    await limiter.correct("k", limits, -100)
    assert await limiter.reserve("k", limits, 0) == pytest.approx(4.0)


async def test_a_pause_holds_everyone_on_the_key_only() -> None:
    clock = Clock()
    limiter = InProcessRateLimiter(clock)
    none = RateLimits()
    await limiter.pause("k", 3.0)
    assert await limiter.reserve("k", none, 0) == pytest.approx(3.0)
    assert await limiter.reserve("other", none, 0) == 0.0
    clock.now += 5
    assert await limiter.reserve("k", none, 0) == 0.0


def test_limits_validate() -> None:
    with pytest.raises(ValueError):
        RateLimits(requests_per_minute=0)
    with pytest.raises(ValueError):
        RateLimits(burst_seconds=-1)
    assert RateLimits().unlimited and not RateLimits(tokens_per_minute=5).unlimited


def test_the_budget_key_hashes_the_secret_and_separates_accounts() -> None:
    a = OpenAICredential(api_key="sk-very-secret-key", base_url="http://127.0.0.1:1/v1")
    b = OpenAICredential(api_key="sk-other-key", base_url="http://127.0.0.1:1/v1")
    c = OpenAICredential(api_key="sk-very-secret-key", base_url="http://127.0.0.1:2/v1")
    key = budget_key("openai", a, "gpt-4o")
    assert "sk-very-secret-key" not in key and "secret" not in key
    assert key.startswith("openai:") and key.endswith(":gpt-4o")
    assert key == budget_key("openai", a.model_copy(), "gpt-4o")
    assert len({key, budget_key("openai", b, "gpt-4o"), budget_key("openai", c, "gpt-4o")}) == 3
    assert budget_key("openai", a, "gpt-4o-mini") != key


def test_models_share_the_default_limiter_and_take_overrides() -> None:
    cred = OpenAICredential(api_key="sk-x")
    one = OpenAIChatModel(credential=cred, model="gpt-4o")
    two = OpenAIChatModel(credential=cred, model="gpt-4o")
    assert one.rate_limiter is default_limiter() and one.budget.key == two.budget.key
    assert one.rate_limits.unlimited  # the OpenAI spec names no default
    redis = RedisRateLimiter(url="redis://127.0.0.1:1/0")
    assert two.limit_rate(redis, requests_per_minute=60) is two
    assert two.rate_limiter is redis and two.rate_limits.requests_per_minute == 60
    two.limit_rate(tokens_per_minute=1000)
    assert two.rate_limits == RateLimits(requests_per_minute=60, tokens_per_minute=1000)
    assert one.rate_limits.unlimited


def _chat_answer(request: ReceivedRequest) -> Reply:
    return Reply.json(
        {
            "id": "c",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "ok"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 40, "completion_tokens": 10, "total_tokens": 50},
        }
    )


async def test_chat_calls_keep_to_the_request_rate() -> None:
    async with LoopbackServer(_chat_answer) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(api_key="sk-rate", base_url=server.url),
            model="gpt-4o",
            stream=False,
        ).limit_rate(InProcessRateLimiter(), requests_per_minute=1200)
        started = time.monotonic()
        for _ in range(11):
            await model([UserMsg(name="u", content="hi")])
        elapsed = time.monotonic() - started
        assert 0.45 <= elapsed < 2.0  # ten gaps of at least 50 ms
        await model.aclose()


async def test_usage_corrects_the_token_budget_of_a_chat_call() -> None:
    seen: list[float] = []

    class Recording(InProcessRateLimiter):
        async def correct(self, key: str, limits: RateLimits, delta_tokens: int) -> None:
            seen.append(delta_tokens)
            await super().correct(key, limits, delta_tokens)

    async with LoopbackServer(_chat_answer) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(api_key="sk-rate", base_url=server.url),
            model="gpt-4o",
            stream=False,
        ).limit_rate(Recording(), tokens_per_minute=10_000_000)
        await model([UserMsg(name="u", content="hi")], max_tokens=100)
        body = server.requests[0].body
        estimate = len(body) // 4 + 100  # the body, plus the output cap counted up front
        assert seen and seen[0] == pytest.approx(50 - estimate, abs=len(body) // 4)


async def test_a_429_pauses_every_model_on_the_budget() -> None:
    calls: list[float] = []

    def answer(request: ReceivedRequest) -> Reply:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Reply.json(
                {"error": {"message": "slow down", "code": "rate_limit_exceeded"}},
                status=429,
                headers={"retry-after": "0.6"},
            )
        return _chat_answer(request)

    async with LoopbackServer(answer) as server:
        limiter = InProcessRateLimiter()
        cred = OpenAICredential(api_key="sk-429", base_url=server.url)
        first = OpenAIChatModel(credential=cred, model="m", stream=False, max_retries=0).limit_rate(
            limiter
        )
        second = OpenAIChatModel(credential=cred, model="m", stream=False).limit_rate(limiter)
        with pytest.raises(RateLimitError):
            await first([UserMsg(name="u", content="hi")])
        paused_at = time.monotonic()
        await second([UserMsg(name="u", content="hi")])  # a different model object waits too
        assert time.monotonic() - paused_at >= 0.5
        assert calls[1] - calls[0] >= 0.55


async def test_embedding_batches_draw_on_the_budget_with_no_429_storm() -> None:
    enforcing = RateEnforcingEmbeddings(requests_per_minute=1200)
    async with LoopbackServer(enforcing) as server:
        model = OpenAIEmbeddingModel(
            credential=OpenAICredential(api_key="sk-emb", base_url=server.url),
            model="text-embedding-3-small",
            batch_size=2,
            max_concurrency=8,
        ).limit_rate(InProcessRateLimiter(), requests_per_minute=1200)
        response = await model([f"text {i}" for i in range(120)])  # 60 requests, 8 at a time
        assert len(response.embeddings) == 120
        assert enforcing.refused == 0
        assert len(enforcing.accepted) == 60
        assert enforcing.steady_rate_per_minute(skip=0) == pytest.approx(1200, rel=0.05)


def test_budget_settle_is_once_only() -> None:
    import asyncio

    calls: list[int] = []

    class Counting(InProcessRateLimiter):
        async def correct(self, key: str, limits: RateLimits, delta_tokens: int) -> None:
            calls.append(delta_tokens)

    async def run() -> None:
        budget = Budget(Counting(), "k", RateLimits(tokens_per_minute=100))
        reservation = await budget.acquire(10)
        await reservation.settle(30)
        await reservation.settle(50)

    asyncio.run(run())
    assert calls == [20]


def _unused(*_: Any) -> None:
    return None


async def test_a_streamed_call_settles_its_tokens_from_the_final_usage() -> None:
    from specwire._testing.loopback import sse_body

    seen: list[int] = []

    class Recording(InProcessRateLimiter):
        async def correct(self, key: str, limits: RateLimits, delta_tokens: int) -> None:
            seen.append(delta_tokens)

    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
    }
    last = {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    }
    usage = {
        "id": "c",
        "object": "chat.completion.chunk",
        "choices": [],
        "usage": {"prompt_tokens": 300, "completion_tokens": 200, "total_tokens": 500},
    }
    async with LoopbackServer(
        [Reply(body=sse_body([chunk, last, usage]), content_type="text/event-stream")]
    ) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(api_key="sk-s", base_url=server.url), model="m", stream=True
        ).limit_rate(Recording(), tokens_per_minute=1_000_000)
        async for chunk in await model([UserMsg(name="u", content="hi")]):
            assert chunk.is_last or not seen  # settled once the usage is known, at the end
        estimate = len(server.requests[0].body) // 4
        assert seen == [500 - estimate]
