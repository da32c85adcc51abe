"""The OpenAI Responses dialect against a loopback server: typed SSE events, items by
output index, encrypted reasoning carried to the next turn, usage and failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from specwire._testing import LoopbackServer, Reply, sse_body
from specwire.credential import OpenAICredential
from specwire.errors import BadRequestError, RateLimitError, ServerError
from specwire.message import (
    AssistantMsg,
    SystemMsg,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
    UserMsg,
)
from specwire.model import ChatResponse, OpenAIResponseModel

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "weather",
            "description": "Weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]
HELLO = [UserMsg(name="user", content="Weather in Paris and Rome?")]
ENCRYPTED = "gAAAAABencrypted-reasoning-blob"
USAGE = {
    "input_tokens": 80,
    "input_tokens_details": {"cached_tokens": 16},
    "output_tokens": 64,
    "output_tokens_details": {"reasoning_tokens": 40},
    "total_tokens": 144,
}
REASONING = {
    "id": "rs_1",
    "type": "reasoning",
    "encrypted_content": ENCRYPTED,
    "summary": [
        {"type": "summary_text", "text": "**Two cities** need two calls."},
        {"type": "summary_text", "text": "Then answer."},
    ],
}
MESSAGE = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "status": "completed",
    "content": [{"type": "output_text", "text": "Checking both.", "annotations": []}],
}


def function_call(n: int, city: str) -> dict[str, Any]:
    return {
        "id": f"fc_{n}",
        "type": "function_call",
        "status": "completed",
        "call_id": f"call_{city.lower()}",
        "name": "weather",
        "arguments": json.dumps({"city": city}),
    }


OUTPUT = [REASONING, MESSAGE, function_call(2, "Paris"), function_call(3, "Rome")]
WHOLE = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "output": OUTPUT,
    "usage": USAGE,
}


def ev(kind: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    return kind, {"type": kind, **fields}


def added(index: int, item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    empty = {**item, "summary": []} if item["type"] == "reasoning" else dict(item)
    if item["type"] == "message":
        empty["content"] = []
    if item["type"] == "function_call":
        empty["arguments"] = ""
    return ev("response.output_item.added", output_index=index, item=empty)


def args_delta(index: int, delta: str) -> tuple[str, dict[str, Any]]:
    return ev(
        "response.function_call_arguments.delta",
        output_index=index,
        item_id=f"fc_{index}",
        delta=delta,
    )


EVENTS: list[tuple[str, dict[str, Any]]] = [
    ev(
        "response.created", response={**WHOLE, "status": "in_progress", "output": [], "usage": None}
    ),
    added(0, REASONING),
    ev(
        "response.reasoning_summary_text.delta",
        output_index=0,
        summary_index=0,
        delta="**Two cities** ",
    ),
    ev(
        "response.reasoning_summary_text.delta",
        output_index=0,
        summary_index=0,
        delta="need two calls.",
    ),
    ev(
        "response.reasoning_summary_text.delta",
        output_index=0,
        summary_index=1,
        delta="Then answer.",
    ),
    ev("response.output_item.done", output_index=0, item=REASONING),
    added(1, MESSAGE),
    ev("response.output_text.delta", output_index=1, content_index=0, delta="Checking "),
    ev("response.output_text.delta", output_index=1, content_index=0, delta="both."),
    ev("response.output_item.done", output_index=1, item=MESSAGE),
    added(2, function_call(2, "Paris")),
    args_delta(2, '{"city": '),
    args_delta(2, '"Paris"}'),
    ev("response.function_call_arguments.done", output_index=2, arguments='{"city": "Paris"}'),
    ev("response.output_item.done", output_index=2, item=function_call(2, "Paris")),
    added(3, function_call(3, "Rome")),
    args_delta(3, '{"city": "Rome"}'),
    ev("response.output_item.done", output_index=3, item=function_call(3, "Rome")),
    ev("response.completed", response=WHOLE),
]


def stream_bytes(events: list[tuple[str, dict[str, Any]]] = EVENTS) -> bytes:
    return b"".join(sse_body(events, done=False))


def stream_reply(events: list[tuple[str, dict[str, Any]]] = EVENTS) -> Reply:
    return Reply(body=sse_body(events, done=False), content_type="text/event-stream")


def gpt(server: LoopbackServer, model: str = "gpt-5-mini", **kwargs: Any) -> OpenAIResponseModel:
    cred = OpenAICredential(api_key="sk-responses-secret", base_url=server.url + "/v1")
    return OpenAIResponseModel(credential=cred, model=model, **{"max_retries": 0, **kwargs})


def summary(blocks: list[Any]) -> tuple[str, str, list[tuple[str, str, Any]]]:
    text = "".join(b.text for b in blocks if isinstance(b, TextBlock))
    thinking = "".join(b.thinking for b in blocks if isinstance(b, ThinkingBlock))
    calls = [(b.id, b.name, json.loads(b.input)) for b in blocks if isinstance(b, ToolCallBlock)]
    return text, thinking, calls


async def collect(
    model: OpenAIResponseModel, msgs: list[Any] = HELLO, **kw: Any
) -> list[ChatResponse]:
    stream = await model(msgs, **kw)
    assert not isinstance(stream, ChatResponse)
    return [c async for c in stream]


EXPECTED = (
    "Checking both.",
    "**Two cities** need two calls.\n\nThen answer.",
    [("call_paris", "weather", {"city": "Paris"}), ("call_rome", "weather", {"city": "Rome"})],
)


async def test_stream_keeps_items_apart_and_the_encrypted_reasoning() -> None:
    async with LoopbackServer([stream_reply()]) as server:
        chunks = await collect(gpt(server), tools=TOOLS)
    final = chunks[-1]
    assert summary(final.content) == EXPECTED
    thinking = final.content[0]
    assert isinstance(thinking, ThinkingBlock) and thinking.signature == ENCRYPTED
    usage = final.usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.cache_read_input_tokens) == (80, 64, 16)
    assert usage.reasoning_tokens == 40


async def test_request_shape() -> None:
    params = OpenAIResponseModel.Parameters(
        max_tokens=500, reasoning_effort="low", reasoning_summary="auto", parallel_tool_calls=False
    )
    msgs = [SystemMsg(name="system", content="Be brief."), *HELLO]
    async with LoopbackServer([stream_reply(), Reply.json(WHOLE)]) as server:
        model = gpt(server, parameters=params)
        await collect(model, msgs, tools=TOOLS, tool_choice="weather")
        await gpt(server, model="gpt-4o", stream=False)(HELLO)
        streamed, plain = (r.json() for r in server.requests)
        assert server.requests[0].path == "/v1/responses"
    assert streamed["instructions"] == "Be brief."
    assert streamed["input"] == [{"role": "user", "content": HELLO[0].get_text_content()}]
    assert (streamed["stream"], streamed["store"]) == (True, False)
    assert streamed["include"] == ["reasoning.encrypted_content"]
    assert streamed["max_output_tokens"] == 500
    assert streamed["reasoning"] == {"effort": "low", "summary": "auto"}
    assert streamed["tools"] == [
        {
            "type": "function",
            "name": "weather",
            "description": "Weather in a city.",
            "parameters": TOOLS[0]["function"]["parameters"],
            "strict": False,
        }
    ]
    assert streamed["tool_choice"] == {"type": "function", "name": "weather"}
    assert streamed["parallel_tool_calls"] is False
    # a non-reasoning model is not asked for encrypted reasoning it would refuse
    assert plain["stream"] is False and "include" not in plain and "tools" not in plain


async def test_encrypted_reasoning_and_tool_results_are_carried_to_the_next_turn() -> None:
    async with LoopbackServer([Reply.json(WHOLE), Reply.json(WHOLE)]) as server:
        model = gpt(server, stream=False)
        first = await model(HELLO, tools=TOOLS)
        assert isinstance(first, ChatResponse)
        results = [
            ToolResultBlock(id=b.id, name=b.name, output="sunny")
            for b in first.content
            if isinstance(b, ToolCallBlock)
        ]
        history = [
            *HELLO,
            AssistantMsg(name="gpt", content=first.content),
            UserMsg(name="user", content=results),
        ]
        await model(history, tools=TOOLS)
        sent = server.requests[1].json()["input"]
    assert sent[1] == {
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": EXPECTED[1]}],
        "encrypted_content": ENCRYPTED,
    }
    assert sent[2] == {"role": "assistant", "content": "Checking both."}
    assert [i["type"] for i in sent[3:]] == ["function_call"] * 2 + ["function_call_output"] * 2
    assert sent[3]["call_id"] == sent[5]["call_id"] == "call_paris"
    assert sent[5]["output"] == "sunny"


async def test_items_only_reported_when_done_are_still_read() -> None:
    # Servers that skip the deltas (or a stream cut before them) leave the content to
    # the done events and to response.completed.
    events = [
        ev("response.output_item.done", output_index=0, item=REASONING),
        ev("response.output_item.done", output_index=1, item=MESSAGE),
        ev("response.completed", response=WHOLE),
    ]
    async with LoopbackServer([stream_reply(events)]) as server:
        chunks = await collect(gpt(server), tools=TOOLS)
    assert summary(chunks[-1].content) == EXPECTED


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (ev("error", code="rate_limit_exceeded", message="Slow down", param=None), RateLimitError),
        (
            ev(
                "response.failed",
                response={
                    **WHOLE,
                    "status": "failed",
                    "error": {"code": "server_error", "message": "boom"},
                },
            ),
            ServerError,
        ),
    ],
)
async def test_failures_inside_a_stream_raise_typed_errors(
    event: tuple[str, dict[str, Any]], error: type[Exception]
) -> None:
    async with LoopbackServer([stream_reply([*EVENTS[:4], event])]) as server:
        with pytest.raises(error):
            await collect(gpt(server))


async def test_http_error_is_a_typed_error() -> None:
    body = {
        "error": {
            "message": "Unsupported parameter: 'temperature'",
            "type": "invalid_request_error",
            "code": None,
        }
    }
    async with LoopbackServer([Reply.json(body, status=400)]) as server:
        with pytest.raises(BadRequestError) as info:
            await gpt(server, stream=False)(HELLO)
    assert info.value.status == 400 and "temperature" in info.value.message
