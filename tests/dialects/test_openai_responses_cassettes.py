"""OpenAI Responses replayed from cassettes written from the documented API: stream,
non-stream, tools, thinking (encrypted reasoning) and a failure event."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vcr

from specwire.credential import OpenAICredential
from specwire.errors import RateLimitError
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import ChatResponse, OpenAIResponseModel
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


def model(name: str = "gpt-4.1-mini", **kwargs: Any) -> OpenAIResponseModel:
    return OpenAIResponseModel(credential=OpenAICredential(api_key="sk-test"), model=name, **kwargs)


async def run(cassette: str, m: OpenAIResponseModel, **kwargs: Any) -> list[ChatResponse]:
    with vcr.use_cassette(f"openai_responses/{cassette}.yaml", **vcr_config()):
        result = await m([UserMsg(name="user", content="hi")], **kwargs)
        if isinstance(result, ChatResponse):
            return [result]
        return [c async for c in result]


def text(response: ChatResponse) -> str:
    return "".join(b.text for b in response.content if isinstance(b, TextBlock))


async def test_stream() -> None:
    chunks = await run("chat_stream", model(stream=True))
    assert "".join(text(c) for c in chunks[:-1]) == text(chunks[-1]) == "1, 2, 3"
    usage = chunks[-1].usage
    assert usage is not None and (usage.input_tokens, usage.output_tokens) == (13, 9)


async def test_non_stream() -> None:
    (response,) = await run("chat_text", model(stream=False))
    assert text(response) == "Paris."


async def test_tools() -> None:
    chunks = await run("chat_stream_tools", model(stream=True), tools=TOOLS)
    calls = [b for b in chunks[-1].content if isinstance(b, ToolCallBlock)]
    assert [(c.id, c.name, json.loads(c.input)) for c in calls] == [
        ("call_paris", "get_weather", {"city": "Paris"}),
        ("call_rome", "get_weather", {"city": "Rome"}),
    ]


async def test_thinking() -> None:
    params = OpenAIResponseModel.Parameters(reasoning_effort="low", reasoning_summary="auto")
    (response,) = await run("chat_thinking", model("gpt-5-mini", stream=False, parameters=params))
    thinking = response.content[0]
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.thinking == "**Adding** two and two gives four."
    assert thinking.signature == "gAAAAABexample-encrypted-reasoning=="
    assert text(response) == "4"
    assert response.usage is not None and response.usage.reasoning_tokens == 64


async def test_error() -> None:
    with pytest.raises(RateLimitError) as info:
        await run("chat_error", model(stream=True, max_retries=0))
    assert info.value.code == "rate_limit_exceeded"
