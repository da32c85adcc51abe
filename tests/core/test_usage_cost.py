"""Token accounting has one meaning across dialects, and usage carries a USD cost when
genai-prices or the model card knows the model's prices."""

from __future__ import annotations

from typing import Any

import pytest

from specwire._core.accumulator import StreamAccumulator
from specwire._core.pricing import usage_cost
from specwire._testing import LoopbackServer, Reply
from specwire.credential import DashScopeCredential, OpenAICredential
from specwire.message import UserMsg
from specwire.model import ChatUsage, DashScopeChatModel, OpenAIChatModel

HELLO = [UserMsg(name="user", content="Hello")]


def _openai_chat_usage(usage: dict[str, Any]) -> ChatUsage:
    from specwire._dialects.openai_chat import OpenAIChatDialect

    acc = StreamAccumulator()
    OpenAIChatDialect._usage(usage, acc)
    result = acc.chat_usage(0.0)
    assert result is not None
    return result


def test_reasoning_tokens_are_read_and_output_is_the_providers_completion() -> None:
    # xAI chat completions count reasoning beside the completion (total = 291 + 26 + 189);
    # output_tokens keeps the provider's completion_tokens (see ChatUsage)
    beside = _openai_chat_usage(
        {
            "prompt_tokens": 291,
            "completion_tokens": 26,
            "total_tokens": 506,
            "prompt_tokens_details": {"cached_tokens": 244},
            "completion_tokens_details": {"reasoning_tokens": 189},
        }
    )
    assert (beside.output_tokens, beside.reasoning_tokens) == (26, 189)
    assert (beside.input_tokens, beside.cache_read_input_tokens) == (291, 244)
    inside = _openai_chat_usage(
        {
            "prompt_tokens": 100,
            "completion_tokens": 300,
            "total_tokens": 400,
            "completion_tokens_details": {"reasoning_tokens": 200},
        }
    )
    assert (inside.output_tokens, inside.reasoning_tokens) == (300, 200)


def test_cache_hits_are_read_from_each_openai_compatible_shape() -> None:
    deepseek = _openai_chat_usage(
        {"prompt_tokens": 50, "completion_tokens": 5, "prompt_cache_hit_tokens": 32}
    )
    moonshot = _openai_chat_usage(
        {"prompt_tokens": 50, "completion_tokens": 5, "cached_tokens": 20}
    )
    assert deepseek.cache_read_input_tokens == 32 and moonshot.cache_read_input_tokens == 20


def test_genai_prices_price_a_known_provider_offline() -> None:
    genai_prices = pytest.importorskip("genai_prices")
    usage = ChatUsage(input_tokens=10_000, cache_read_input_tokens=8_000, output_tokens=1_000)
    cost = usage_cost(usage, "gpt-4.1-mini", "https://api.openai.com/v1", None)
    expected = genai_prices.calc_price(
        genai_prices.Usage(input_tokens=10_000, cache_read_tokens=8_000, output_tokens=1_000),
        "gpt-4.1-mini",
        provider_api_url="https://api.openai.com/v1",
    ).total_price
    assert cost is not None and cost == pytest.approx(float(expected))
    uncached = usage_cost(
        ChatUsage(input_tokens=10_000, output_tokens=1_000),
        "gpt-4.1-mini",
        "https://api.openai.com/v1",
        None,
    )
    assert uncached is not None and cost < uncached  # cache reads are cheaper
    # an unknown server (a local one) has no price, and a card is the fallback
    assert usage_cost(usage, "gpt-4.1-mini", "http://127.0.0.1:9/v1", None) is None


async def test_a_card_prices_a_model_genai_prices_lacks() -> None:
    usage = {"input_tokens": 1200, "output_tokens": 300, "total_tokens": 1500}
    usage["prompt_tokens_details"] = {"cached_tokens": 1000}  # type: ignore[assignment]
    body = {
        "output": {
            "choices": [
                {"message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
            ]
        },
        "usage": usage,
        "request_id": "req-1",
    }
    async with LoopbackServer([Reply.json(body)]) as server:
        model = DashScopeChatModel(
            credential=DashScopeCredential(api_key="k", base_url=server.url + "/api/v1"),
            model="qwen-plus",
        )
        response = await model(HELLO, stream=False)
    assert response.usage is not None
    prices = next(c for c in DashScopeChatModel.list_models() if c.name == "qwen-plus").prices
    assert prices is not None and prices.cache_read is not None
    expected = (200 * prices.input + 1000 * prices.cache_read + 300 * prices.output) / 1e6
    assert response.usage.cost == pytest.approx(expected)


async def test_a_model_without_any_price_reports_none() -> None:
    body = {
        "id": "c1",
        "model": "my-local-model",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }
    async with LoopbackServer([Reply.json(body)]) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(api_key="k", base_url=server.url + "/v1"),
            model="my-local-model",
        )
        response = await model(HELLO, stream=False)
    assert response.usage is not None and response.usage.input_tokens == 3
    assert response.usage.cost is None
