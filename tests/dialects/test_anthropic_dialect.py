"""The Anthropic Messages dialect end to end, against a loopback server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from specwire._testing import LoopbackServer, Reply, sse_body
from specwire.credential import AnthropicCredential
from specwire.errors import AuthenticationError, BadRequestError, RateLimitError, ServerError
from specwire.message import (
    AssistantMsg,
    SystemMsg,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
    UserMsg,
)
from specwire.model import AnthropicChatModel, ChatResponse

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "weather",
            "description": "Weather of a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]
HELLO = [UserMsg(name="user", content="hi")]
SIGNATURE = "EqQBCkYIBxgCKkBsig=="

# One answer: signed thinking, text, two parallel tool calls; usage with cache reads and
# writes (the whole prompt is 10 + 100 + 5 tokens).
EVENTS: list[tuple[str, dict[str, Any]]] = [
    (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-test",
                "content": [],
                "stop_reason": None,
                "usage": {
                    "input_tokens": 10,
                    "cache_read_input_tokens": 100,
                    "cache_creation_input_tokens": 5,
                    "output_tokens": 1,
                },
            },
        },
    ),
    (
        "content_block_start",
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "thinking", "thinking": "", "signature": ""},
        },
    ),
    ("ping", {"type": "ping"}),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "Two cities, "},
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "two calls."},
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "signature_delta", "signature": SIGNATURE},
        },
    ),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    (
        "content_block_start",
        {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "text_delta", "text": "Checking "},
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "text_delta", "text": "both…"},
        },
    ),
    ("content_block_stop", {"type": "content_block_stop", "index": 1}),
    (
        "content_block_start",
        {
            "type": "content_block_start",
            "index": 2,
            "content_block": {
                "type": "tool_use",
                "id": "toolu_paris",
                "name": "weather",
                "input": {},
            },
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": ""},
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": '{"city": "Par'},
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": 'is"}'},
        },
    ),
    ("content_block_stop", {"type": "content_block_stop", "index": 2}),
    (
        "content_block_start",
        {
            "type": "content_block_start",
            "index": 3,
            "content_block": {
                "type": "tool_use",
                "id": "toolu_rome",
                "name": "weather",
                "input": {},
            },
        },
    ),
    (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 3,
            "delta": {"type": "input_json_delta", "partial_json": '{"city": "Rome"}'},
        },
    ),
    ("content_block_stop", {"type": "content_block_stop", "index": 3}),
    (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 42},
        },
    ),
    ("message_stop", {"type": "message_stop"}),
]
WHOLE: dict[str, Any] = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-test",
    "content": [
        {"type": "thinking", "thinking": "Two cities, two calls.", "signature": SIGNATURE},
        {"type": "text", "text": "Checking both…"},
        {"type": "tool_use", "id": "toolu_paris", "name": "weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_rome", "name": "weather", "input": {"city": "Rome"}},
    ],
    "stop_reason": "tool_use",
    "usage": {
        "input_tokens": 10,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 5,
        "output_tokens": 42,
    },
}


def stream_bytes(events: list[tuple[str, dict[str, Any]]] = EVENTS) -> bytes:
    return b"".join(sse_body(events, done=False))


def sse_reply(events: list[tuple[str, dict[str, Any]]] = EVENTS, **kwargs: Any) -> Reply:
    return Reply(body=sse_body(events, done=False), content_type="text/event-stream", **kwargs)


def claude(server: LoopbackServer, **kwargs: Any) -> AnthropicChatModel:
    cred = AnthropicCredential(api_key="sk-ant-secret-123", base_url=server.url)
    return AnthropicChatModel(credential=cred, model="claude-test", **{"max_retries": 0, **kwargs})


async def collect(
    model: AnthropicChatModel, msgs: list[Any] = HELLO, **kwargs: Any
) -> list[ChatResponse]:
    stream = await model(msgs, **kwargs)
    assert not isinstance(stream, ChatResponse)
    return [c async for c in stream]


def summary(blocks: list[Any]) -> tuple[str, str, list[tuple[str, str, Any]]]:
    text = "".join(b.text for b in blocks if isinstance(b, TextBlock))
    thinking = "".join(b.thinking for b in blocks if isinstance(b, ThinkingBlock))
    calls = [(b.id, b.name, json.loads(b.input)) for b in blocks if isinstance(b, ToolCallBlock)]
    return text, thinking, calls


async def sent_body(
    model_kwargs: dict[str, Any], msgs: list[Any] = HELLO, **call: Any
) -> dict[str, Any]:
    async with LoopbackServer([Reply.json(WHOLE)]) as server:
        await claude(server, stream=False, **model_kwargs)(msgs, **call)
        body = server.requests[0].json()
    assert isinstance(body, dict)
    return body


# ---------------------------------------------------------------------- requests
async def test_request_goes_to_v1_messages_with_key_version_and_required_max_tokens() -> None:
    async with LoopbackServer([sse_reply()]) as server:
        await collect(claude(server), [SystemMsg(name="s", content="Be brief."), *HELLO])
        request = server.requests[0]
    body = request.json()
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == "sk-ant-secret-123"
    assert "authorization" not in request.headers
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert body["model"] == "claude-test" and body["stream"] is True
    assert body["system"] == "Be brief."
    assert body["max_tokens"] == 4096
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


async def test_tools_and_tool_choice_map_to_anthropic_shapes() -> None:
    body = await sent_body({}, tools=TOOLS, tool_choice="required")
    assert body["tools"] == [
        {
            "name": "weather",
            "description": "Weather of a city.",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
        }
    ]
    assert body["tool_choice"] == {"type": "any"}
    assert (await sent_body({}, tools=TOOLS, tool_choice="weather"))["tool_choice"] == {
        "type": "tool",
        "name": "weather",
    }
    assert (await sent_body({}, tools=TOOLS, tool_choice="none"))["tool_choice"] == {"type": "none"}
    assert "tool_choice" not in await sent_body({}, tools=TOOLS)
    params = AnthropicChatModel.Parameters(parallel_tool_calls=False)
    serial = await sent_body({"parameters": params}, tools=TOOLS)
    assert serial["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert "parallel_tool_calls" not in serial


async def test_sampling_parameters_and_stop_sequences() -> None:
    params = AnthropicChatModel.Parameters(temperature=0.3, top_k=5, stop=["END"], max_tokens=900)
    body = await sent_body({"parameters": params})
    assert (body["temperature"], body["top_k"], body["stop_sequences"], body["max_tokens"]) == (
        0.3,
        5,
        ["END"],
        900,
    )


async def test_thinking_sends_budget_and_drops_temperature_and_top_k() -> None:
    params = AnthropicChatModel.Parameters(
        thinking_enable=True, thinking_budget=2000, temperature=0.5, top_k=3, top_p=0.5
    )
    body = await sent_body({"parameters": params})
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2000}
    assert body["max_tokens"] == 4096
    assert not {"temperature", "top_k", "top_p"} & body.keys()


async def test_budget_not_below_max_tokens_raises_max_tokens() -> None:
    params = AnthropicChatModel.Parameters(
        thinking_enable=True, thinking_budget=8000, max_tokens=1000
    )
    body = await sent_body({"parameters": params})
    assert body["thinking"]["budget_tokens"] == 8000
    assert body["max_tokens"] == 9000 > body["thinking"]["budget_tokens"]


async def test_thinking_without_budget_uses_default_or_adaptive_per_model() -> None:
    params = AnthropicChatModel.Parameters(thinking_enable=True)
    body = await sent_body({"parameters": params})
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    async with LoopbackServer([Reply.json(WHOLE)]) as server:
        cred = AnthropicCredential(api_key="k", base_url=server.url)
        model = AnthropicChatModel(
            credential=cred, model="claude-opus-4-7", stream=False, parameters=params
        )
        await model(HELLO)
        assert server.requests[0].json()["thinking"] == {"type": "adaptive"}
    off = await sent_body({"parameters": AnthropicChatModel.Parameters(thinking_enable=False)})
    assert off["thinking"] == {"type": "disabled"}


async def test_forced_tool_choice_becomes_auto_when_thinking_is_on() -> None:
    params = AnthropicChatModel.Parameters(thinking_enable=True)
    body = await sent_body({"parameters": params}, tools=TOOLS, tool_choice="weather")
    assert body["tool_choice"] == {"type": "auto"}


async def test_structured_output_with_thinking_wastes_no_call() -> None:
    answer = {
        **WHOLE,
        "content": [
            {"type": "thinking", "thinking": "A name and an age.", "signature": SIGNATURE},
            {
                "type": "tool_use",
                "id": "toolu_1",
                "name": "generate_structured_output",
                "input": {"name": "Ada", "age": 36},
            },
        ],
    }
    params = AnthropicChatModel.Parameters(thinking_enable=True)
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    async with LoopbackServer([Reply.json(answer)]) as server:
        model = claude(server, parameters=params, stream=False)
        result = await model.generate_structured_output(HELLO, schema)
        assert len(server.requests) == 1
        assert server.requests[0].json()["tool_choice"] == {"type": "auto"}
    assert result.content == {"name": "Ada", "age": 36}


async def test_history_without_signed_thinking_before_tool_use_switches_thinking_off() -> None:
    history = [
        *HELLO,
        AssistantMsg(
            name="bot",
            content=[ToolCallBlock(id="call_1", name="weather", input='{"city": "Oslo"}')],
        ),
        UserMsg(
            name="user", content=[ToolResultBlock(id="call_1", name="weather", output="sunny")]
        ),
    ]
    params = AnthropicChatModel.Parameters(thinking_enable=True, temperature=0.2)
    body = await sent_body({"parameters": params}, history, tools=TOOLS)
    assert "thinking" not in body and body["temperature"] == 0.2
    signed = [
        *HELLO,
        AssistantMsg(
            name="bot",
            content=[
                ThinkingBlock(thinking="Oslo.", signature=SIGNATURE, origin="anthropic"),
                ToolCallBlock(id="call_1", name="weather", input='{"city": "Oslo"}'),
            ],
        ),
        history[2],
    ]
    body = await sent_body({"parameters": params}, signed, tools=TOOLS)
    assert body["thinking"]["type"] == "enabled"
    assert body["messages"][1]["content"][0] == {
        "type": "thinking",
        "thinking": "Oslo.",
        "signature": SIGNATURE,
    }


# ---------------------------------------------------------------------- responses
async def test_stream_keeps_blocks_apart_by_index_with_signature_and_cache_usage() -> None:
    async with LoopbackServer([sse_reply()]) as server:
        chunks = await collect(claude(server), tools=TOOLS)
    final = chunks[-1]
    assert [c.is_last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert [type(b).__name__ for b in final.content] == [
        "ThinkingBlock",
        "TextBlock",
        "ToolCallBlock",
        "ToolCallBlock",
    ]
    thinking = final.content[0]
    assert isinstance(thinking, ThinkingBlock)
    assert thinking.signature == SIGNATURE and getattr(thinking, "origin", None) == "anthropic"
    assert summary(final.content) == (
        "Checking both…",
        "Two cities, two calls.",
        [
            ("toolu_paris", "weather", {"city": "Paris"}),
            ("toolu_rome", "weather", {"city": "Rome"}),
        ],
    )
    usage = final.usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens) == (115, 42)
    assert (usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (100, 5)


async def test_non_stream_answer_equals_stream_final_and_keeps_redacted_thinking() -> None:
    answer = {
        **WHOLE,
        "content": [{"type": "redacted_thinking", "data": "opaque=="}, *WHOLE["content"]],
    }
    async with LoopbackServer([Reply.json(answer)]) as server:
        response = await claude(server, stream=False)(HELLO, tools=TOOLS)
    assert isinstance(response, ChatResponse)
    redacted = response.content[0]
    assert isinstance(redacted, ThinkingBlock) and redacted.redacted == "opaque=="
    assert summary(response.content)[2][0] == ("toolu_paris", "weather", {"city": "Paris"})
    assert response.usage is not None and response.usage.input_tokens == 115


async def test_tool_call_without_arguments_gets_an_empty_object() -> None:
    events = [
        EVENTS[0],
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "tool_use", "id": "toolu_x", "name": "now", "input": {}},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": ""},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_stop", {"type": "message_stop"}),
    ]
    async with LoopbackServer([sse_reply(events)]) as server:
        chunks = await collect(claude(server))
    call = chunks[-1].content[0]
    assert isinstance(call, ToolCallBlock) and (call.name, call.input) == ("now", "{}")


# ---------------------------------------------------------------------- errors
async def test_overloaded_error_event_in_stream_is_a_retryable_server_error() -> None:
    overloaded = [
        ("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    ]
    async with LoopbackServer([sse_reply(overloaded)]) as server:
        with pytest.raises(ServerError) as info:
            await collect(claude(server))
    assert info.value.code == "overloaded_error" and info.value.message == "Overloaded"
    async with LoopbackServer([sse_reply(overloaded), sse_reply()]) as server:
        chunks = await collect(claude(server, max_retries=1))
        assert len(server.requests) == 2
    assert summary(chunks[-1].content)[0] == "Checking both…"


async def test_http_529_is_retried_and_errors_are_typed() -> None:
    overloaded = Reply.json(
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
        status=529,
        headers={"retry-after": "0"},
    )
    async with LoopbackServer([overloaded, Reply.json(WHOLE)]) as server:
        response = await claude(server, stream=False, max_retries=1)(HELLO)
        assert len(server.requests) == 2
    assert isinstance(response, ChatResponse)
    cases = [
        (401, "authentication_error", AuthenticationError),
        (429, "rate_limit_error", RateLimitError),
        (400, "invalid_request_error", BadRequestError),
    ]
    for status, kind, error in cases:
        reply = Reply.json(
            {"type": "error", "error": {"type": kind, "message": "no"}}, status=status
        )
        async with LoopbackServer([reply]) as server:
            with pytest.raises(error) as caught:
                await claude(server, stream=False)(HELLO)
        assert caught.value.status == status and caught.value.code == kind
        assert "sk-ant-secret-123" not in str(caught.value)
