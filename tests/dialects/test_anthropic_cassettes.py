"""Anthropic chat replayed from cassettes written from the documented Messages format:
stream, non-stream, tools, thinking and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vcr

from specwire.credential import AnthropicCredential
from specwire.errors import ServerError
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import AnthropicChatModel, ChatResponse
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


def model(**kwargs: Any) -> AnthropicChatModel:
    cred = AnthropicCredential(api_key="sk-ant-test")
    return AnthropicChatModel(credential=cred, model="claude-sonnet-4-5", max_retries=0, **kwargs)


async def run(cassette: str, m: AnthropicChatModel, **kwargs: Any) -> list[ChatResponse]:
    with vcr.use_cassette(f"anthropic/{cassette}.yaml", **vcr_config()):
        result = await m([UserMsg(name="user", content="hi")], **kwargs)
        if isinstance(result, ChatResponse):
            return [result]
        return [c async for c in result]


def text(response: ChatResponse) -> str:
    return "".join(b.text for b in response.content if isinstance(b, TextBlock))


async def test_stream_counts_cache_reads_in_the_prompt() -> None:
    chunks = await run("chat_stream", model(stream=True))
    assert "".join(text(c) for c in chunks[:-1]) == text(chunks[-1]) == "1, 2, 3"
    assert chunks[-1].is_last and not any(c.is_last for c in chunks[:-1])
    usage = chunks[-1].usage
    assert usage is not None
    assert (usage.input_tokens, usage.cache_read_input_tokens, usage.output_tokens) == (
        1203,
        1200,
        9,
    )


async def test_non_stream() -> None:
    (response,) = await run("chat_text", model(stream=False))
    assert text(response) == "Paris."
    assert response.usage is not None and response.usage.input_tokens == 12


async def test_streamed_parallel_tool_calls_stay_apart() -> None:
    chunks = await run("chat_stream_tools", model(stream=True), tools=TOOLS)
    calls = [b for b in chunks[-1].content if isinstance(b, ToolCallBlock)]
    assert [(c.id, json.loads(c.input)) for c in calls] == [
        ("toolu_01Paris", {"city": "Paris"}),
        ("toolu_01Rome", {"city": "Rome"}),
    ]
    assert text(chunks[-1]) == "I'll check both cities."


async def test_thinking_signature_and_redacted_thinking_are_kept() -> None:
    params = AnthropicChatModel.Parameters(thinking_enable=True)
    chunks = await run("chat_stream_thinking", model(stream=True, parameters=params))
    thinking, redacted = (b for b in chunks[-1].content if isinstance(b, ThinkingBlock))
    assert thinking.thinking.endswith("121 > 97.") and thinking.signature
    assert redacted.redacted and not redacted.thinking
    assert text(chunks[-1]) == "Yes, 97 is prime."


async def test_overloaded_answers_raise_server_errors() -> None:
    with vcr.use_cassette("anthropic/chat_error.yaml", **vcr_config()):
        with pytest.raises(ServerError) as http_error:
            await model(stream=False)([UserMsg(name="user", content="hi")])
        stream = await model(stream=True)([UserMsg(name="user", content="hi")])
        assert not isinstance(stream, ChatResponse)
        with pytest.raises(ServerError) as event_error:
            _ = [c async for c in stream]
    assert http_error.value.status == 529 and http_error.value.code == "overloaded_error"
    assert http_error.value.request_id == "req_011CeOverloaded"
    assert event_error.value.status is None and event_error.value.code == "overloaded_error"
