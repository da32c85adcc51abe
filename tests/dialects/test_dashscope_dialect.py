"""DashScope's native protocol against a loopback server: endpoint choice, request body,
SSE with incremental output, reasoning, incremental tool calls, usage and error codes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire.credential import DashScopeCredential
from specwire.errors import (
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    RateLimitError,
    ServerError,
)
from specwire.message import (
    Base64Source,
    DataBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    UserMsg,
)
from specwire.model import ChatResponse, DashScopeChatModel

TEXT_PATH = "/api/v1/services/aigc/text-generation/generation"
VL_PATH = "/api/v1/services/aigc/multimodal-generation/generation"
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
HELLO = [UserMsg(name="user", content="Weather in Hangzhou and Shanghai?")]


def event(message: dict[str, Any], usage: tuple[int, int], finish: str = "null") -> dict[str, Any]:
    return {
        "output": {
            "choices": [{"message": {"role": "assistant", **message}, "finish_reason": finish}]
        },
        "usage": {"input_tokens": usage[0], "output_tokens": usage[1], "total_tokens": sum(usage)},
        "request_id": "req-1",
    }


def call(index: int, call_id: str, name: str | None, arguments: str) -> dict[str, Any]:
    fn: dict[str, Any] = {"arguments": arguments}
    if name:
        fn["name"] = name
    return {"index": index, "id": call_id, "type": "function", "function": fn}


# Running usage on every event, as DashScope sends it; the last one is the total.
EVENTS: list[dict[str, Any]] = [
    event({"content": "", "reasoning_content": "Two cities, "}, (250, 3)),
    event({"content": "", "reasoning_content": "two calls."}, (250, 6)),
    event({"content": "Checking "}, (250, 8)),
    event({"content": "both."}, (250, 10)),
    event({"content": "", "tool_calls": [call(0, "call_hz", "weather", '{"city": "')]}, (250, 16)),
    event({"content": "", "tool_calls": [call(0, "", None, 'Hangzhou"}')]}, (250, 20)),
    event({"content": "", "tool_calls": [call(1, "call_sh", "weather", '{"city":')]}, (250, 30)),
    event(
        {"content": "", "tool_calls": [call(1, "", None, ' "Shanghai"}')]}, (250, 37), "tool_calls"
    ),
]
WHOLE = {
    "output": {
        "choices": [
            {
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "reasoning_content": "Two cities, two calls.",
                    "content": "Checking both.",
                    "tool_calls": [
                        {
                            "id": "call_hz",
                            "type": "function",
                            "function": {"name": "weather", "arguments": '{"city": "Hangzhou"}'},
                        },
                        {
                            "id": "call_sh",
                            "type": "function",
                            "function": {"name": "weather", "arguments": '{"city": "Shanghai"}'},
                        },
                    ],
                },
            }
        ]
    },
    "usage": {"input_tokens": 250, "output_tokens": 37, "total_tokens": 287},
    "request_id": "req-2",
}


def sse(payloads: list[tuple[str, dict[str, Any]]]) -> list[bytes]:
    """DashScope's framing: id, event, an HTTP_STATUS comment, data."""
    return [
        f"id:{i}\nevent:{name}\n:HTTP_STATUS/200\ndata:{json.dumps(p, ensure_ascii=False)}\n\n".encode()
        for i, (name, p) in enumerate(payloads, 1)
    ]


def stream_bytes() -> bytes:
    return b"".join(sse([("result", e) for e in EVENTS]))


def stream_reply(payloads: list[dict[str, Any]] | None = None, **kwargs: Any) -> Reply:
    body = sse([("result", e) for e in (EVENTS if payloads is None else payloads)])
    return Reply(body=body, content_type="text/event-stream;charset=UTF-8", **kwargs)


def error_event(code: str, message: str) -> list[bytes]:
    return sse([("error", {"code": code, "message": message, "request_id": "req-e"})])


def qwen(server: LoopbackServer, model: str = "qwen-plus", **kwargs: Any) -> DashScopeChatModel:
    cred = DashScopeCredential(api_key="sk-dashscope-secret", base_url=server.url + "/api/v1")
    return DashScopeChatModel(credential=cred, model=model, **{"max_retries": 0, **kwargs})


def summary(blocks: list[Any]) -> tuple[str, str, list[tuple[str, str, Any]]]:
    text = "".join(b.text for b in blocks if isinstance(b, TextBlock))
    thinking = "".join(b.thinking for b in blocks if isinstance(b, ThinkingBlock))
    calls = [(b.id, b.name, json.loads(b.input)) for b in blocks if isinstance(b, ToolCallBlock)]
    return text, thinking, calls


async def collect(
    model: DashScopeChatModel, msgs: list[Any] = HELLO, **kw: Any
) -> list[ChatResponse]:
    stream = await model(msgs, **kw)
    assert not isinstance(stream, ChatResponse)
    return [c async for c in stream]


async def test_stream_of_reasoning_text_and_incremental_parallel_tool_calls() -> None:
    async with LoopbackServer([stream_reply()]) as server:
        chunks = await collect(qwen(server), tools=TOOLS)
    final = chunks[-1]
    assert summary(final.content) == (
        "Checking both.",
        "Two cities, two calls.",
        [
            ("call_hz", "weather", {"city": "Hangzhou"}),
            ("call_sh", "weather", {"city": "Shanghai"}),
        ],
    )
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens) == (250, 37)


async def test_request_body_and_stream_header() -> None:
    params = DashScopeChatModel.Parameters(
        thinking_enable=True, thinking_budget=2048, parallel_tool_calls=False, temperature=0.5
    )
    async with LoopbackServer([stream_reply(), Reply.json(WHOLE)]) as server:
        model = qwen(server, parameters=params)
        await collect(model, tools=TOOLS, tool_choice="weather")
        await model(HELLO, stream=False)
        streamed, whole = server.requests
    assert streamed.path == whole.path == TEXT_PATH
    assert (
        streamed.headers["x-dashscope-sse"] == "enable" and "x-dashscope-sse" not in whole.headers
    )
    assert streamed.headers["authorization"] == "Bearer sk-dashscope-secret"
    body = streamed.json()
    assert body["model"] == "qwen-plus"
    assert body["input"] == {"messages": [{"role": "user", "content": HELLO[0].get_text_content()}]}
    p = body["parameters"]
    assert p["result_format"] == "message" and p["incremental_output"] is True
    assert (p["enable_thinking"], p["thinking_budget"], p["temperature"]) == (True, 2048, 0.5)
    assert p["parallel_tool_calls"] is False and p["tools"][0]["function"]["name"] == "weather"
    assert p["tool_choice"] == {"type": "function", "function": {"name": "weather"}}
    assert "incremental_output" not in whole.json()["parameters"]
    assert "parallel_tool_calls" not in whole.json()["parameters"]  # no tools, no switch


async def test_vision_models_and_requests_with_images_use_the_multimodal_endpoint() -> None:
    image = DataBlock(source=Base64Source(data="iVBORw0KGgo=", media_type="image/png"))
    with_image = [UserMsg(name="user", content=[TextBlock(text="What is it?"), image])]
    async with LoopbackServer([stream_reply()]) as server:
        await collect(qwen(server, model="qwen3-vl-plus"))
        await collect(qwen(server, model="qwen-plus"), msgs=with_image)
        by_name, by_media = server.requests
    assert by_name.path == by_media.path == VL_PATH
    assert by_name.json()["input"]["messages"][0]["content"] == [
        {"text": HELLO[0].get_text_content()}
    ]
    assert by_media.json()["input"]["messages"][0]["content"] == [
        {"text": "What is it?"},
        {"image": "data:image/png;base64,iVBORw0KGgo="},
    ]


async def test_multimodal_answers_with_content_lists_are_read() -> None:
    events = [
        event({"content": [{"text": "A beach"}]}, (1283, 2)),
        event({"content": [{"text": " at dusk."}]}, (1283, 5), "stop"),
    ]
    async with LoopbackServer([stream_reply(events)]) as server:
        chunks = await collect(qwen(server, model="qwen-vl-plus"))
    assert summary(chunks[-1].content)[0] == "A beach at dusk."


async def test_sse_labelled_as_json_is_still_read_as_sse() -> None:
    async with LoopbackServer(
        [Reply(body=stream_bytes(), content_type="application/json")]
    ) as server:
        chunks = await collect(qwen(server), tools=TOOLS)
    assert summary(chunks[-1].content)[0] == "Checking both."


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("Throttling.RateQuota", RateLimitError),
        ("DataInspectionFailed", ContentFilterError),
        ("InvalidParameter", BadRequestError),
        ("InternalError.Algo", ServerError),
    ],
)
async def test_error_events_in_a_stream_map_to_typed_errors(
    code: str, error: type[Exception]
) -> None:
    body = sse([("result", EVENTS[0])]) + error_event(code, "failed")
    async with LoopbackServer([Reply(body=body, content_type="text/event-stream")]) as server:
        with pytest.raises(error) as info:
            await collect(qwen(server))
    assert getattr(info.value, "code", None) == code


async def test_throttling_before_any_delta_is_retried_by_its_spec_code() -> None:
    throttled = Reply(
        body=error_event("Throttling", "Requests throttled"), content_type="text/event-stream"
    )
    async with LoopbackServer([throttled, stream_reply()]) as server:
        chunks = await collect(qwen(server, max_retries=1))
        assert len(server.requests) == 2
    assert summary(chunks[-1].content)[0] == "Checking both."


async def test_http_errors_carry_code_status_and_request_id() -> None:
    body = {"code": "InvalidApiKey", "message": "Invalid API-key provided.", "request_id": "r-9"}
    async with LoopbackServer([Reply.json(body, status=401)]) as server:
        with pytest.raises(AuthenticationError) as info:
            await qwen(server, stream=False)(HELLO)
    assert (info.value.status, info.value.code) == (401, "InvalidApiKey")
    assert "sk-dashscope-secret" not in str(info.value)


async def test_compatible_mode_base_url_speaks_the_openai_dialect() -> None:
    answer = {
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ]
    }
    async with LoopbackServer([Reply.json(answer)]) as server:
        cred = DashScopeCredential(api_key="k", base_url=server.url + "/compatible-mode/v1")
        model = DashScopeChatModel(
            credential=cred,
            model="qwen-plus",
            stream=False,
            parameters=DashScopeChatModel.Parameters(thinking_enable=False),
        )
        response = await model(HELLO)
        request = server.requests[0]
    assert request.path == "/compatible-mode/v1/chat/completions"
    assert request.json()["enable_thinking"] is False and "parameters" not in request.json()
    assert isinstance(response, ChatResponse) and summary(response.content)[0] == "hi"


async def test_result_format_text_answers_are_read_too() -> None:
    events = [
        {
            "output": {"finish_reason": "null", "text": "1+1"},
            "usage": {"input_tokens": 8, "output_tokens": 2},
        },
        {
            "output": {"finish_reason": "stop", "text": " = 2"},
            "usage": {"input_tokens": 8, "output_tokens": 4},
        },
    ]
    async with LoopbackServer([stream_reply(events)]) as server:
        chunks = await collect(qwen(server))
    assert summary(chunks[-1].content)[0] == "1+1 = 2"
