"""The chat engine end to end on the OpenAI dialect, against a loopback server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from specwire._testing import LoopbackServer, Reply
from specwire.credential import DashScopeCredential, DeepSeekCredential, OpenAICredential
from specwire.errors import (
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    ServerError,
    StreamBrokenError,
)
from specwire.message import (
    AssistantMsg,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
    UserMsg,
)
from specwire.model import ChatResponse, DashScopeChatModel, DeepSeekChatModel, OpenAIChatModel
from tests.chat.openai_wire import answer_stream_bytes, chunk, usage_chunk, whole_json
from tests.core.test_decoders import split_at
from tests.stream_contract import assert_stream_contract, stream_then_whole

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]
HELLO = [UserMsg(name="user", content="hi")]


def openai(server: LoopbackServer, **kwargs: Any) -> OpenAIChatModel:
    cred = OpenAICredential(api_key="sk-secret-value-123", base_url=server.url + "/v1")
    return OpenAIChatModel(credential=cred, model="gpt-test", **{"max_retries": 2, **kwargs})


async def collect(
    model: OpenAIChatModel, msgs: list[Any] = HELLO, **kwargs: Any
) -> list[ChatResponse]:
    stream = await model(msgs, **kwargs)
    assert not isinstance(stream, ChatResponse)
    return [c async for c in stream]


def summary(blocks: list[Any]) -> tuple[str, str, list[tuple[str, str, Any]]]:
    text = "".join(b.text for b in blocks if isinstance(b, TextBlock))
    thinking = "".join(b.thinking for b in blocks if isinstance(b, ThinkingBlock))
    calls = [(b.id, b.name, json.loads(b.input)) for b in blocks if isinstance(b, ToolCallBlock)]
    return text, thinking, calls


@given(st.lists(st.integers(min_value=0, max_value=100_000), max_size=25))
@settings(max_examples=40, deadline=None)
def test_any_rechunking_gives_deltas_that_join_to_the_non_streamed_answer(cuts: list[int]) -> None:
    async def run() -> None:
        pieces = [p for p in split_at(answer_stream_bytes(), cuts) if p]
        async with LoopbackServer(
            [Reply(body=pieces, content_type="text/event-stream"), Reply(body=whole_json())]
        ) as server:
            model = openai(server)
            chunks, whole = await stream_then_whole(model, HELLO, tools=TOOLS)
            await model.aclose()
        assert_stream_contract(chunks, whole, expected_usage=(40, 25))

    asyncio.run(run())


async def test_request_carries_tools_choice_parameters_and_stream_usage() -> None:
    async with LoopbackServer([Reply.sse([chunk({"content": "ok"}), usage_chunk(1, 1)])]) as server:
        model = openai(
            server, parameters=OpenAIChatModel.Parameters(max_tokens=64, temperature=0.3)
        )
        await collect(model, tools=TOOLS, tool_choice="weather", seed=7)
        body = server.requests[0].json()
        path, auth = server.requests[0].path, server.requests[0].headers["authorization"]
    assert path == "/v1/chat/completions" and auth == "Bearer sk-secret-value-123"
    assert body["max_completion_tokens"] == 64 and "max_tokens" not in body
    assert body["temperature"] == 0.3 and body["seed"] == 7
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["tool_choice"] == {"type": "function", "function": {"name": "weather"}}
    assert body["tools"][0]["function"]["name"] == "weather"


def test_parameters_are_validated_against_spec_ranges() -> None:
    with pytest.raises(ValidationError):
        OpenAIChatModel.Parameters(temperature=7)
    with pytest.raises(ValidationError):
        OpenAIChatModel.Parameters(reasoning_effort="extreme")
    with pytest.raises(ValidationError):
        OpenAIChatModel.Parameters(not_a_parameter=1)


async def test_retry_after_429_then_success() -> None:
    replies = [
        Reply.json(
            {"error": {"message": "slow down", "type": "rate_limit_error"}},
            status=429,
            headers={"retry-after": "0"},
        ),
        Reply(body=whole_json()),
    ]
    async with LoopbackServer(replies) as server:
        response = await openai(server, stream=False)(HELLO)
        assert len(server.requests) == 2
    assert isinstance(response, ChatResponse) and summary(response.content)[0] == "Checking both…"


async def test_bad_request_is_never_retried() -> None:
    async with LoopbackServer(
        [
            Reply.json(
                {"error": {"message": "bad field", "type": "invalid_request_error"}}, status=400
            )
        ]
    ) as server:
        with pytest.raises(BadRequestError) as info:
            await openai(server, stream=False)(HELLO)
        assert len(server.requests) == 1
    assert info.value.status == 400 and info.value.message == "bad field"


async def test_server_errors_retry_until_exhausted() -> None:
    async with LoopbackServer(
        [Reply.json({"error": {"message": "boom"}}, status=503, headers={"retry-after": "0"})]
    ) as server:
        with pytest.raises(ServerError):
            await openai(server, stream=False, max_retries=2)(HELLO)
        assert len(server.requests) == 3


async def test_stream_dropped_before_any_delta_is_retried() -> None:
    events = [chunk({"content": "hello"}), usage_chunk(1, 1)]
    replies = [Reply.sse(events, drop_after=0), Reply.sse(events)]
    async with LoopbackServer(replies) as server:
        chunks = await collect(openai(server))
        assert len(server.requests) == 2
    assert summary(chunks[-1].content)[0] == "hello"


async def test_stream_is_never_replayed_after_a_delta_was_handed_out() -> None:
    events = [chunk({"content": "a"}), chunk({"content": "b"}), chunk({"content": "c"})]
    async with LoopbackServer([Reply.sse(events, drop_after=1, delay=0.01)]) as server:
        got: list[str] = []
        with pytest.raises(StreamBrokenError):
            stream = await openai(server)(HELLO)
            assert not isinstance(stream, ChatResponse)
            async for c in stream:
                got += [b.text for b in c.content if isinstance(b, TextBlock)]
        assert len(server.requests) == 1
    assert got == ["a"]


async def test_error_event_inside_a_200_stream_raises_typed_error() -> None:
    events: list[Any] = [
        chunk({"content": "par"}),
        {"error": {"message": "quota", "type": "rate_limit_error", "code": "rate_limit_exceeded"}},
    ]
    async with LoopbackServer([Reply.sse(events, done=False)]) as server:
        with pytest.raises(RateLimitError):
            await collect(openai(server, max_retries=0))


async def test_cancelling_a_stream_closes_its_connection() -> None:
    events = [chunk({"content": str(i)}) for i in range(50)]
    async with LoopbackServer([Reply.sse(events, delay=0.02)]) as server:
        model = openai(server)
        opened: list[Any] = []
        original = model._open

        async def spy(*args: Any) -> Any:
            response = await original(*args)
            opened.append(response)
            return response

        model._open = spy  # type: ignore[method-assign]
        stream = await model(HELLO)
        assert not isinstance(stream, ChatResponse)
        async for _ in stream:
            break
        await stream.aclose()
        assert opened and opened[0].is_closed


async def test_secrets_never_show_in_reprs_or_errors() -> None:
    async with LoopbackServer(
        [Reply.json({"error": {"message": "Incorrect API key provided"}}, status=401)]
    ) as server:
        model = openai(server, stream=False)
        with pytest.raises(AuthenticationError) as info:
            await model(HELLO)
    assert "sk-secret-value-123" not in repr(model.credential) + str(info.value) + repr(
        info.value
    ) + repr(model)


async def test_deepseek_reasoning_goes_back_only_on_tool_turns_and_thinking_switch_maps() -> None:
    history = [
        UserMsg(name="user", content="weather?"),
        AssistantMsg(
            name="ai",
            content=[
                ThinkingBlock(thinking="need tool"),
                ToolCallBlock(id="c1", name="weather", input='{"city":"Oslo"}'),
            ],
        ),
        UserMsg(name="user", content=[ToolResultBlock(id="c1", name="weather", output="cold")]),
        AssistantMsg(
            name="ai", content=[ThinkingBlock(thinking="private"), TextBlock(text="It is cold.")]
        ),
        UserMsg(name="user", content="thanks"),
    ]
    async with LoopbackServer([Reply(body=whole_json())]) as server:
        cred = DeepSeekCredential(api_key="k", base_url=server.url)
        params = DeepSeekChatModel.Parameters(thinking_enable=True)
        await DeepSeekChatModel(
            credential=cred, model="deepseek-chat", stream=False, parameters=params
        )(history)
        body = server.requests[0].json()
    assistants = [m for m in body["messages"] if m["role"] == "assistant"]
    assert (
        assistants[0]["reasoning_content"] == "need tool"
        and "reasoning_content" not in assistants[1]
    )
    assert body["thinking"] == {"type": "enabled"}
    assert [m["role"] for m in body["messages"]] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]


async def test_dashscope_compatible_mode_is_chosen_by_base_url() -> None:
    async with LoopbackServer([Reply(body=whole_json())]) as server:
        cred = DashScopeCredential(api_key="k", base_url=server.url + "/compatible-mode/v1")
        params = DashScopeChatModel.Parameters(thinking_enable=True, thinking_budget=512)
        await DashScopeChatModel(
            credential=cred, model="qwen-plus", stream=False, parameters=params
        )(HELLO)
        request = server.requests[0]
    body = request.json()
    assert request.path == "/compatible-mode/v1/chat/completions"
    assert body["enable_thinking"] is True and body["thinking_budget"] == 512


async def test_a_parameter_the_card_removes_is_refused_per_call_too() -> None:
    from specwire.errors import UnsupportedParameterError

    cred = OpenAICredential(api_key="k", base_url="http://127.0.0.1:9")
    with pytest.raises(UnsupportedParameterError):
        OpenAIChatModel(
            credential=cred,
            model="gpt-5-mini",
            parameters=OpenAIChatModel.Parameters(temperature=0.5),
        )
    model = OpenAIChatModel(credential=cred, model="gpt-5-mini", stream=False)
    with pytest.raises(UnsupportedParameterError):
        await model(HELLO, temperature=0.5)
