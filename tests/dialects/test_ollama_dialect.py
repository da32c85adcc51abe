"""Ollama's native /api/chat dialect against a loopback server: request shape, NDJSON
streams, whole tool calls, thinking, usage and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire.credential import OllamaCredential
from specwire.errors import NotFoundError, StreamBrokenError
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock, UserMsg
from specwire.model import ChatResponse, OllamaChatModel

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "weather",
            "description": "Weather in a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    },
    {"type": "function", "function": {"name": "clock", "parameters": {"type": "object"}}},
]
HELLO = [UserMsg(name="user", content="Weather in Paris and Rome?")]


def line(message: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"model": "qwen3", "created_at": "2026-01-01T00:00:00Z", "message": message, **extra}


FINAL = {"done": True, "done_reason": "stop", "prompt_eval_count": 31, "eval_count": 17}
# One answer with thinking, text and two tool calls (each call arrives whole).
STREAM_LINES: list[dict[str, Any]] = [
    line({"role": "assistant", "content": "", "thinking": "Two cities, "}, done=False),
    line({"role": "assistant", "content": "", "thinking": "two calls."}, done=False),
    line({"role": "assistant", "content": "Checking "}, done=False),
    line({"role": "assistant", "content": "both."}, done=False),
    line(
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": {"name": "weather", "arguments": {"city": "Paris"}}}],
        },
        done=False,
    ),
    line(
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"id": "call_rome", "function": {"name": "weather", "arguments": {"city": "Rome"}}}
            ],
        },
        done=False,
    ),
    line({"role": "assistant", "content": ""}, **FINAL),
]
WHOLE = line(
    {
        "role": "assistant",
        "content": "Checking both.",
        "thinking": "Two cities, two calls.",
        "tool_calls": [
            {"function": {"name": "weather", "arguments": {"city": "Paris"}}},
            {"id": "call_rome", "function": {"name": "weather", "arguments": {"city": "Rome"}}},
        ],
    },
    **FINAL,
)


def stream_bytes() -> bytes:
    return b"".join(json.dumps(item).encode() + b"\n" for item in STREAM_LINES)


def ndjson(items: list[dict[str, Any]], **kwargs: Any) -> Reply:
    pieces = [json.dumps(i).encode() + b"\n" for i in items]
    return Reply(body=pieces, content_type="application/x-ndjson", **kwargs)


def ollama(server: LoopbackServer, **kwargs: Any) -> OllamaChatModel:
    return OllamaChatModel(
        credential=OllamaCredential(host=server.url), model="qwen3", **{"max_retries": 0, **kwargs}
    )


def summary(blocks: list[Any]) -> tuple[str, str, list[tuple[str, Any]]]:
    text = "".join(b.text for b in blocks if isinstance(b, TextBlock))
    thinking = "".join(b.thinking for b in blocks if isinstance(b, ThinkingBlock))
    calls = [(b.name, json.loads(b.input)) for b in blocks if isinstance(b, ToolCallBlock)]
    return text, thinking, calls


async def collect(model: OllamaChatModel, **kwargs: Any) -> list[ChatResponse]:
    stream = await model(HELLO, **kwargs)
    assert not isinstance(stream, ChatResponse)
    return [c async for c in stream]


async def test_streamed_answer_keeps_thinking_text_and_whole_tool_calls_apart() -> None:
    async with LoopbackServer(
        [Reply(body=stream_bytes(), content_type="application/x-ndjson")]
    ) as server:
        chunks = await collect(ollama(server), tools=TOOLS)
    final = chunks[-1]
    assert final.is_last and not any(c.is_last for c in chunks[:-1])
    assert summary(final.content) == (
        "Checking both.",
        "Two cities, two calls.",
        [("weather", {"city": "Paris"}), ("weather", {"city": "Rome"})],
    )
    ids = [b.id for b in final.content if isinstance(b, ToolCallBlock)]
    assert ids[1] == "call_rome" and ids[0] and ids[0] != ids[1]  # server id kept, else minted
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens) == (31, 17)


async def test_request_sends_stream_switch_options_think_and_tools() -> None:
    params = OllamaChatModel.Parameters(
        temperature=0.2, max_tokens=64, num_ctx=8192, thinking_enable=True, keep_alive="10m"
    )
    async with LoopbackServer([ndjson(STREAM_LINES), Reply.json(WHOLE)]) as server:
        model = ollama(server, parameters=params)
        await collect(model, tools=TOOLS, seed=3)
        await model(HELLO, stream=False)
        streamed, whole = (r.json() for r in server.requests)
        assert server.requests[0].path == "/api/chat"
        assert "authorization" not in server.requests[0].headers
    assert streamed["stream"] is True and whole["stream"] is False
    assert streamed["options"] == {
        "temperature": 0.2,
        "num_predict": 64,
        "num_ctx": 8192,
        "seed": 3,
    }
    assert streamed["think"] is True and streamed["keep_alive"] == "10m"
    assert [t["function"]["name"] for t in streamed["tools"]] == ["weather", "clock"]
    assert "tools" not in whole and "temperature" not in streamed


async def test_tool_choice_none_withholds_tools_and_a_named_one_is_the_only_offer() -> None:
    async with LoopbackServer([ndjson(STREAM_LINES)]) as server:
        await collect(ollama(server), tools=TOOLS, tool_choice="none")
        await collect(ollama(server), tools=TOOLS, tool_choice="clock")
        no_tools, named = (r.json() for r in server.requests)
    assert "tools" not in no_tools
    assert [t["function"]["name"] for t in named["tools"]] == ["clock"]


async def test_reasoning_effort_wins_over_thinking_enable() -> None:
    params = OllamaChatModel.Parameters(thinking_enable=True, reasoning_effort="high")
    async with LoopbackServer([ndjson(STREAM_LINES)]) as server:
        await collect(ollama(server, parameters=params))
        assert server.requests[0].json()["think"] == "high"


async def test_non_streamed_answer_matches_the_stream() -> None:
    async with LoopbackServer([Reply.json(WHOLE)]) as server:
        response = await ollama(server, stream=False)(HELLO, tools=TOOLS)
    assert isinstance(response, ChatResponse)
    assert summary(response.content)[0] == "Checking both."
    assert [type(b).__name__ for b in response.content] == [
        "ThinkingBlock",
        "TextBlock",
        "ToolCallBlock",
        "ToolCallBlock",
    ]


async def test_error_line_in_the_middle_of_a_stream_raises() -> None:
    items = [*STREAM_LINES[:2], {"error": "an error was encountered while running the model"}]
    async with LoopbackServer([ndjson(items)]) as server:
        with pytest.raises(StreamBrokenError) as info:
            await collect(ollama(server))
    assert "running the model" in info.value.message


async def test_http_error_body_is_a_typed_error_with_status() -> None:
    reply = Reply.json({"error": "model 'nope' not found"}, status=404)
    async with LoopbackServer([reply]) as server:
        with pytest.raises(NotFoundError) as info:
            await ollama(server, stream=False)(HELLO)
    assert info.value.status == 404 and info.value.message == "model 'nope' not found"


async def test_hosted_ollama_gets_the_api_key_as_bearer() -> None:
    async with LoopbackServer([Reply.json(WHOLE)]) as server:
        cred = OllamaCredential(host=server.url + "/", api_key="ollama-secret-key")
        model = OllamaChatModel(credential=cred, model="qwen3", stream=False, max_retries=0)
        await model(HELLO)
        assert server.requests[0].headers["authorization"] == "Bearer ollama-secret-key"
    assert "ollama-secret-key" not in repr(cred)


def test_credential_defaults_to_the_local_server_and_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    assert OllamaCredential().resolved_base_url() == "http://localhost:11434"
    monkeypatch.setenv("OLLAMA_HOST", "http://gpu-box:11434")
    assert OllamaCredential().host == "http://gpu-box:11434"
    assert OllamaCredential.get_chat_model_class() is OllamaChatModel
