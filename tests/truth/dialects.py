"""One small complete answer per chat dialect, whole and streamed, for the tests of
issue 11 (finish reasons, completion signals, secrets): each case builds its model
against a loopback server and writes the provider's framing of "Hello world" ending
for a given provider finish value, with or without the stream's completion signal."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from specwire._testing import Reply
from specwire.credential import (
    AnthropicCredential,
    DashScopeCredential,
    GeminiCredential,
    OllamaCredential,
    OpenAICredential,
)
from specwire.model import (
    AnthropicChatModel,
    ChatModelBase,
    DashScopeChatModel,
    GeminiChatModel,
    OllamaChatModel,
    OpenAIChatModel,
    OpenAIResponseModel,
)

TEXT = ("Hello", " world")


def _sse(events: list[Any]) -> list[bytes]:
    out = []
    for event in events:
        name = None
        if isinstance(event, tuple):
            name, event = event
        data = event if isinstance(event, str) else json.dumps(event)
        out.append((f"event: {name}\n" if name else "").encode() + f"data: {data}\n\n".encode())
    return out


@dataclass(frozen=True)
class DialectCase:
    """How one dialect frames the same short answer."""

    name: str
    make: Callable[[str, str, bool], ChatModelBase]
    whole: Callable[[str], Any]
    events: Callable[[str, bool], list[bytes]]  # (finish value, with the end signal)
    content_type: str = "text/event-stream"
    length_value: str = "length"  # the provider's value for a max-tokens cut

    def stream_reply(self, finish: str, signal: bool = True) -> Reply:
        return Reply(body=self.events(finish, signal), content_type=self.content_type)


# ---------------------------------------------------------------- OpenAI chat
def _openai_whole(finish: str) -> Any:
    return {
        "id": "c1",
        "choices": [
            {
                "index": 0,
                "finish_reason": finish,
                "message": {"role": "assistant", "content": "".join(TEXT)},
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2},
    }


def _openai_events(finish: str, signal: bool) -> list[bytes]:
    events: list[Any] = [
        {"choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None}]} for t in TEXT
    ]
    if signal:
        events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        events.append("[DONE]")
    return _sse(events)


# ---------------------------------------------------------------- Responses
def _responses_status(finish: str) -> dict[str, Any]:
    if finish == "completed":
        return {"status": "completed"}
    return {"status": "incomplete", "incomplete_details": {"reason": finish}}


def _responses_whole(finish: str) -> Any:
    return {
        "id": "r1",
        "object": "response",
        **_responses_status(finish),
        "output": [
            {
                "type": "message",
                "id": "m1",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "".join(TEXT)}],
            }
        ],
        "usage": {"input_tokens": 3, "output_tokens": 2},
    }


def _responses_events(finish: str, signal: bool) -> list[bytes]:
    events: list[Any] = [
        (
            "response.created",
            {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}},
        ),
        (
            "response.output_item.added",
            {
                "type": "response.output_item.added",
                "output_index": 0,
                "item": {"type": "message", "id": "m1"},
            },
        ),
    ]
    for t in TEXT:
        events.append(
            (
                "response.output_text.delta",
                {
                    "type": "response.output_text.delta",
                    "output_index": 0,
                    "item_id": "m1",
                    "delta": t,
                },
            )
        )
    if signal:
        kind = "response.completed" if finish == "completed" else "response.incomplete"
        events.append((kind, {"type": kind, "response": _responses_whole(finish)}))
    return _sse(events)


# ---------------------------------------------------------------- Anthropic
def _anthropic_whole(finish: str) -> Any:
    return {
        "id": "msg1",
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "".join(TEXT)}],
        "stop_reason": finish,
        "usage": {"input_tokens": 3, "output_tokens": 2},
    }


def _anthropic_events(finish: str, signal: bool) -> list[bytes]:
    events: list[Any] = [
        (
            "message_start",
            {"type": "message_start", "message": {"id": "msg1", "usage": {"input_tokens": 3}}},
        ),
        (
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
    ]
    for t in TEXT:
        events.append(
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": t},
                },
            )
        )
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": finish},
                "usage": {"output_tokens": 2},
            },
        )
    )
    if signal:
        events.append(("message_stop", {"type": "message_stop"}))
    return _sse(events)


# ---------------------------------------------------------------- Gemini
def _gemini_chunk(text: str, finish: str | None) -> dict[str, Any]:
    candidate: dict[str, Any] = {
        "content": {"role": "model", "parts": [{"text": text}]},
        "index": 0,
    }
    if finish is not None:
        candidate["finishReason"] = finish
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 2},
        "responseId": "g1",
    }


def _gemini_events(finish: str, signal: bool) -> list[bytes]:
    chunks = [_gemini_chunk(TEXT[0], None), _gemini_chunk(TEXT[1], finish if signal else None)]
    return _sse(chunks)


# ---------------------------------------------------------------- Ollama
def _ollama_whole(finish: str) -> Any:
    return {
        "model": "m",
        "message": {"role": "assistant", "content": "".join(TEXT)},
        "done": True,
        "done_reason": finish,
        "prompt_eval_count": 3,
        "eval_count": 2,
    }


def _ollama_events(finish: str, signal: bool) -> list[bytes]:
    lines: list[Any] = [
        {"model": "m", "message": {"role": "assistant", "content": t}, "done": False} for t in TEXT
    ]
    if signal:
        lines.append(
            {
                "model": "m",
                "message": {"role": "assistant", "content": ""},
                "done": True,
                "done_reason": finish,
                "prompt_eval_count": 3,
                "eval_count": 2,
            }
        )
    return [json.dumps(line).encode() + b"\n" for line in lines]


# ---------------------------------------------------------------- DashScope
def _dashscope_chunk(text: str, finish: str) -> dict[str, Any]:
    return {
        "output": {
            "choices": [
                {"message": {"role": "assistant", "content": text}, "finish_reason": finish}
            ]
        },
        "usage": {"input_tokens": 3, "output_tokens": 2},
        "request_id": "d1",
    }


def _dashscope_events(finish: str, signal: bool) -> list[bytes]:
    chunks = [
        _dashscope_chunk(TEXT[0], "null"),
        _dashscope_chunk(TEXT[1], finish if signal else "null"),
    ]
    return _sse([("result", c) for c in chunks])


CASES = [
    DialectCase(
        "openai_chat",
        lambda url, key, stream: OpenAIChatModel(
            credential=OpenAICredential(api_key=key, base_url=url),
            model="gpt-4o",
            stream=stream,
            max_retries=0,
        ),
        _openai_whole,
        _openai_events,
    ),
    DialectCase(
        "openai_responses",
        lambda url, key, stream: OpenAIResponseModel(
            credential=OpenAICredential(api_key=key, base_url=url),
            model="gpt-4o",
            stream=stream,
            max_retries=0,
        ),
        _responses_whole,
        _responses_events,
        length_value="max_output_tokens",
    ),
    DialectCase(
        "anthropic",
        lambda url, key, stream: AnthropicChatModel(
            credential=AnthropicCredential(api_key=key, base_url=url),
            model="claude-sonnet-4-5",
            stream=stream,
            max_retries=0,
        ),
        _anthropic_whole,
        _anthropic_events,
        length_value="max_tokens",
    ),
    DialectCase(
        "gemini",
        lambda url, key, stream: GeminiChatModel(
            credential=GeminiCredential(api_key=key, base_url=url),
            model="gemini-2.5-flash",
            stream=stream,
            max_retries=0,
        ),
        lambda finish: _gemini_chunk("".join(TEXT), finish),
        _gemini_events,
        length_value="MAX_TOKENS",
    ),
    DialectCase(
        "ollama",
        lambda url, key, stream: OllamaChatModel(
            credential=OllamaCredential(api_key=key, host=url),
            model="qwen3",
            stream=stream,
            max_retries=0,
        ),
        _ollama_whole,
        _ollama_events,
        content_type="application/x-ndjson",
    ),
    DialectCase(
        "dashscope",
        lambda url, key, stream: DashScopeChatModel(
            credential=DashScopeCredential(api_key=key, base_url=url + "/api/v1"),
            model="qwen-plus",
            stream=stream,
            max_retries=0,
        ),
        lambda finish: _dashscope_chunk("".join(TEXT), finish),
        _dashscope_events,
    ),
]
CASE_IDS = [c.name for c in CASES]
STOP_VALUES = {
    "openai_chat": "stop",
    "openai_responses": "completed",
    "anthropic": "end_turn",
    "gemini": "STOP",
    "ollama": "stop",
    "dashscope": "stop",
}
