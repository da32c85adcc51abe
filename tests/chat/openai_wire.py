"""Builders for OpenAI Chat Completions wire data used across chat tests."""

from __future__ import annotations

import json
from typing import Any

from specwire._testing import sse_body


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def usage_chunk(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion.chunk",
        "choices": [],
        "usage": {"prompt_tokens": prompt, "completion_tokens": completion},
    }


# One answer with reasoning, text and two parallel tool calls, as events and as a whole.
ANSWER_EVENTS: list[dict[str, Any]] = [
    chunk({"role": "assistant", "reasoning_content": "The user wants "}),
    chunk({"reasoning_content": "two cities."}),
    chunk({"content": "Checking "}),
    chunk({"content": "both…"}),
    chunk(
        {
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "weather", "arguments": ""},
                }
            ]
        }
    ),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Par'}}]}),
    chunk(
        {
            "tool_calls": [
                {
                    "index": 1,
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city"'},
                }
            ]
        }
    ),
    chunk({"tool_calls": [{"index": 0, "function": {"arguments": 'is"}'}}]}),
    chunk({"tool_calls": [{"index": 1, "function": {"arguments": ': "Rome"}'}}]}),
    chunk({}, "tool_calls"),
    usage_chunk(40, 25),
]
ANSWER_WHOLE: dict[str, Any] = {
    "id": "c1",
    "object": "chat.completion",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "reasoning_content": "The user wants two cities.",
                "content": "Checking both…",
                "tool_calls": [
                    {
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                    },
                    {
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city": "Rome"}'},
                    },
                ],
            },
        }
    ],
    "usage": {"prompt_tokens": 40, "completion_tokens": 25},
}


def answer_stream_bytes() -> bytes:
    return b"".join(sse_body(ANSWER_EVENTS))


def whole_json() -> bytes:
    return json.dumps(ANSWER_WHOLE).encode()
