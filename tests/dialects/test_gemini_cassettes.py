"""Gemini chat replayed from cassettes written from the documented generateContent
formats: SSE stream, JSON-array stream, non-stream, tools, thinking and an error."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vcr

from specwire.credential import GeminiCredential
from specwire.errors import RateLimitError
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import ChatResponse, GeminiChatModel
from tests.conftest import vcr_config

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


def model(**kwargs: Any) -> GeminiChatModel:
    cred = GeminiCredential(api_key="AIza-test")
    return GeminiChatModel(credential=cred, model="gemini-2.5-flash", max_retries=0, **kwargs)


async def run(cassette: str, m: GeminiChatModel, **kwargs: Any) -> list[ChatResponse]:
    with vcr.use_cassette(f"gemini/{cassette}.yaml", **vcr_config()):
        result = await m([UserMsg(name="user", content="hi")], **kwargs)
        if isinstance(result, ChatResponse):
            return [result]
        return [c async for c in result]


def text(response: ChatResponse) -> str:
    return "".join(b.text for b in response.content if isinstance(b, TextBlock))


async def test_sse_stream_counts_usage_once() -> None:
    chunks = await run("chat_stream", model(stream=True))
    assert "".join(text(c) for c in chunks[:-1]) == text(chunks[-1]) == "1, 2, 3"
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.input_tokens, chunks[-1].usage.output_tokens) == (5, 5)


async def test_json_array_stream() -> None:
    chunks = await run("chat_stream_json_array", model(stream=True), tools=TOOLS)
    (call,) = [b for b in chunks[-1].content if isinstance(b, ToolCallBlock)]
    assert (call.name, json.loads(call.input)) == ("multiply", {"x": 5, "y": 3})
    assert getattr(call, "signature", None) and getattr(call, "origin", None) == "gemini"
    assert chunks[-1].usage is not None and chunks[-1].usage.output_tokens == 48


async def test_non_stream_reports_thought_tokens_as_output() -> None:
    (response,) = await run("chat_text", model(stream=False))
    assert text(response) == "Paris."
    assert response.usage is not None
    assert (response.usage.output_tokens, response.usage.reasoning_tokens) == (32, 30)


async def test_parallel_function_calls_get_distinct_stable_ids() -> None:
    (response,) = await run("chat_tools", model(stream=False), tools=TOOLS)
    calls = [b for b in response.content if isinstance(b, ToolCallBlock)]
    assert [json.loads(c.input) for c in calls] == [{"city": "Paris"}, {"city": "Rome"}]
    assert [c.id for c in calls] == ["gemini_call_resp-cassette_1", "gemini_call_resp-cassette_2"]
    assert getattr(calls[0], "signature", None) and getattr(calls[1], "signature", None) is None


async def test_thought_parts_become_thinking() -> None:
    params = GeminiChatModel.Parameters(thinking_enable=True)
    chunks = await run("chat_stream_thinking", model(stream=True, parameters=params))
    thoughts = [b for b in chunks[-1].content if isinstance(b, ThinkingBlock)]
    assert thoughts[0].thinking.startswith("**Checking small primes**")
    assert thoughts[-1].signature == "CiQBcassette-text-signature"
    assert text(chunks[-1]) == "Yes, 97 is prime."


async def test_quota_error_is_a_rate_limit_error() -> None:
    with pytest.raises(RateLimitError) as caught:
        await run("chat_error", model(stream=False))
    assert caught.value.status == 429 and caught.value.code == "RESOURCE_EXHAUSTED"
