"""``specwire demo``: a streamed chat and a tool-calling chat, offline.

An embedded loopback server answers in the OpenAI Chat Completions wire format, so the
demo exercises the real path: spec-generated class, formatter, dialect, SSE decoding,
accumulation, tool-call round trip.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ._testing.loopback import LoopbackServer, ReceivedRequest, Reply

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-demo",
        "object": "chat.completion.chunk",
        "model": "demo-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-demo",
        "object": "chat.completion.chunk",
        "choices": [],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion},
    }


def _answer(request: ReceivedRequest) -> Reply:
    """The demo 'model': counts, calls the weather tool, then reads its result."""
    body = request.json()
    last = body["messages"][-1]
    if last["role"] == "tool":
        weather = json.loads(last["content"])
        words = ["It is ", f"{weather['temperature']}°C and ", f"{weather['sky']} ", "in Paris."]
        return Reply.sse(
            [*(_chunk({"content": w}) for w in words), _chunk({}, "stop"), _usage(61, 12)]
        )
    if body.get("tools"):
        return Reply.sse(
            [
                _chunk(
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": ""},
                            }
                        ],
                    }
                ),
                _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}),
                _chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
                _chunk({}, "tool_calls"),
                _usage(48, 9),
            ]
        )
    pieces = ["1", ", 2,", " 3, ", "4, 5"]
    return Reply.sse([*(_chunk({"content": p}) for p in pieces), _chunk({}, "stop"), _usage(12, 9)])


def get_weather(city: str) -> dict[str, Any]:
    """The demo's local tool."""
    return {"city": city, "temperature": 21, "sky": "sunny"}


async def run_demo() -> None:
    """Run both conversations against the embedded server, printing what arrives."""
    from .credential import OpenAICredential
    from .message import AssistantMsg, Msg, ToolCallBlock, ToolResultBlock, UserMsg
    from .model import ChatResponse, OpenAIChatModel

    async with LoopbackServer(_answer) as server:
        credential = OpenAICredential(api_key="sk-demo-not-a-real-key", base_url=server.url + "/v1")
        model = OpenAIChatModel(credential=credential, model="demo-model", stream=True)

        print("== streamed chat")
        stream = await model([UserMsg(name="user", content="Count from 1 to 5.")])
        assert not isinstance(stream, ChatResponse)
        async for chunk in stream:
            print(
                ("Final:" if chunk.is_last else "Delta:"),
                chunk.content
                if chunk.is_last
                else [b.model_dump(include={"type", "text"}) for b in chunk.content],
            )
            if chunk.is_last and chunk.usage:
                print(
                    f"       usage: {chunk.usage.input_tokens} in / {chunk.usage.output_tokens} out"
                )

        print("\n== tool-calling chat")
        history: list[Msg] = [UserMsg(name="user", content="What's the weather in Paris?")]
        stream = await model(history, tools=[WEATHER_TOOL])
        assert not isinstance(stream, ChatResponse)
        final = None
        async for chunk in stream:
            if chunk.is_last:
                final = chunk
            else:
                print(
                    "Delta:",
                    [b.model_dump(include={"type", "id", "name", "input"}) for b in chunk.content],
                )
        assert final is not None
        calls = [b for b in final.content if isinstance(b, ToolCallBlock)]
        for call in calls:
            print(f"Tool call: {call.name}({call.input}) id={call.id}")
        results = [
            ToolResultBlock(
                id=c.id, name=c.name, output=json.dumps(get_weather(**json.loads(c.input)))
            )
            for c in calls
        ]
        history += [
            AssistantMsg(name="assistant", content=list(final.content)),
            UserMsg(name="user", content=results),
        ]
        stream = await model(history, tools=[WEATHER_TOOL])
        assert not isinstance(stream, ChatResponse)
        async for chunk in stream:
            if chunk.is_last:
                print(
                    "Final:",
                    chunk.content[0].model_dump(include={"type", "text"})
                    if chunk.content
                    else chunk.content,
                )
        await model.aclose()


def main() -> None:
    """Entry point of ``specwire demo``."""
    asyncio.run(run_demo())
