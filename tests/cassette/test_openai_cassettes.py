"""OpenAI chat replayed from cassettes (offline, secrets scrubbed)."""

from __future__ import annotations

import json

import vcr

from specwire.credential import OpenAICredential
from specwire.message import ToolCallBlock, UserMsg
from specwire.model import OpenAIChatModel
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


async def test_streamed_parallel_tool_calls_stay_apart() -> None:
    model = OpenAIChatModel(
        credential=OpenAICredential(api_key="sk-test"), model="gpt-4.1-mini", stream=True
    )
    with vcr.use_cassette("openai/chat_stream_tools.yaml", **vcr_config()):
        chunks = [
            c
            async for c in await model(
                [UserMsg(name="user", content="Weather in Paris and Rome?")], tools=TOOLS
            )
        ]
    final = chunks[-1]
    assert final.is_last and all(not c.is_last for c in chunks[:-1])
    calls = [b for b in final.content if isinstance(b, ToolCallBlock)]
    assert [(c.id, json.loads(c.input)) for c in calls] == [
        ("call_paris", {"city": "Paris"}),
        ("call_rome", {"city": "Rome"}),
    ]
    assert final.usage is not None and (final.usage.input_tokens, final.usage.output_tokens) == (
        52,
        31,
    )
