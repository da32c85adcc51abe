"""Ollama chat replayed from cassettes written from the documented /api/chat format:
stream, non-stream, tools, thinking and an error."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vcr

from specwire.credential import OllamaCredential
from specwire.errors import NotFoundError
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import ChatResponse, OllamaChatModel
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


def model(name: str = "qwen3", **kwargs: Any) -> OllamaChatModel:
    return OllamaChatModel(
        credential=OllamaCredential(host="http://localhost:11434"), model=name, **kwargs
    )


async def run(cassette: str, m: OllamaChatModel, **kwargs: Any) -> list[ChatResponse]:
    with vcr.use_cassette(f"ollama/{cassette}.yaml", **vcr_config()):
        result = await m([UserMsg(name="user", content="hi")], **kwargs)
        if isinstance(result, ChatResponse):
            return [result]
        return [c async for c in result]


def texts(response: ChatResponse) -> tuple[str, str]:
    return (
        "".join(b.text for b in response.content if isinstance(b, TextBlock)),
        "".join(b.thinking for b in response.content if isinstance(b, ThinkingBlock)),
    )


async def test_stream() -> None:
    chunks = await run("chat_stream", model(stream=True))
    # vcr replays the body in one read, so the deltas may arrive as one chunk
    assert "".join(texts(c)[0] for c in chunks[:-1]) == texts(chunks[-1])[0] == "1, 2, 3"
    assert chunks[-1].is_last and not any(c.is_last for c in chunks[:-1])
    assert chunks[-1].usage is not None and chunks[-1].usage.output_tokens == 9


async def test_non_stream() -> None:
    (response,) = await run("chat_text", model(stream=False))
    assert texts(response) == ("Paris.", "")
    assert response.usage is not None and response.usage.input_tokens == 12


async def test_tools() -> None:
    (response,) = await run("chat_tools", model(stream=False), tools=TOOLS)
    calls = [b for b in response.content if isinstance(b, ToolCallBlock)]
    assert [json.loads(c.input) for c in calls] == [{"city": "Paris"}, {"city": "Rome"}]
    assert len({c.id for c in calls}) == 2


async def test_thinking() -> None:
    chunks = await run(
        "chat_stream_thinking",
        model(stream=True, parameters=OllamaChatModel.Parameters(thinking_enable=True)),
    )
    assert texts(chunks[-1]) == ("4", "The user asks 2+2. That is 4.")


async def test_error() -> None:
    with pytest.raises(NotFoundError) as info:
        await run("chat_error", model("llama9", stream=False, max_retries=0))
    assert info.value.status == 404 and "not found" in info.value.message
