"""Every dialect says why an answer ended, normalized, on whole answers and on a
stream's final chunk (never on deltas), and keeps the provider's own value."""

from __future__ import annotations

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire.message import UserMsg
from specwire.model import ChatResponse

from .dialects import CASE_IDS, CASES, STOP_VALUES, DialectCase

ASK = [UserMsg(name="user", content="Say hello")]
KEY = "sk-finish-test-key"


async def _final(
    case: DialectCase, reply: Reply, stream: bool
) -> tuple[ChatResponse, list[ChatResponse]]:
    async with LoopbackServer([reply]) as server:
        model = case.make(server.url, KEY, stream)
        result = await model(ASK)
        if isinstance(result, ChatResponse):
            return result, []
        chunks = [c async for c in result]
    return chunks[-1], chunks[:-1]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_a_cut_at_max_tokens_says_length(case: DialectCase, stream: bool) -> None:
    value = case.length_value
    reply = case.stream_reply(value) if stream else Reply.json(case.whole(value))
    final, deltas = await _final(case, reply, stream)
    assert final.finish_reason == "length"
    assert final.provider_finish_reason == value
    assert "".join(b.text for b in final.content if b.type == "text") == "Hello world"
    assert all(d.finish_reason is None and d.provider_finish_reason is None for d in deltas)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_a_finished_answer_says_stop(case: DialectCase, stream: bool) -> None:
    value = STOP_VALUES[case.name]
    reply = case.stream_reply(value) if stream else Reply.json(case.whole(value))
    final, _ = await _final(case, reply, stream)
    assert final.finish_reason == "stop"
    assert final.provider_finish_reason == value


@pytest.mark.parametrize(
    ("case_name", "value", "expected"),
    [
        ("openai_chat", "content_filter", "content_filter"),
        ("openai_chat", "tool_calls", "tool_calls"),
        ("openai_chat", "something_new", "other"),
        ("anthropic", "refusal", "refusal"),
        ("anthropic", "pause_turn", "pause"),
        ("anthropic", "stop_sequence", "stop"),
        ("anthropic", "tool_use", "tool_calls"),
        ("gemini", "SAFETY", "content_filter"),
        ("gemini", "RECITATION", "content_filter"),
        ("gemini", "MALFORMED_FUNCTION_CALL", "other"),
        ("openai_responses", "content_filter", "content_filter"),
        ("ollama", "unload", "other"),
    ],
)
async def test_provider_values_map_to_the_normalized_set(
    case_name: str, value: str, expected: str
) -> None:
    case = next(c for c in CASES if c.name == case_name)
    final, _ = await _final(case, Reply.json(case.whole(value)), False)
    assert (final.finish_reason, final.provider_finish_reason) == (expected, value)


async def test_a_stop_that_ends_in_tool_calls_says_tool_calls() -> None:
    # Gemini says STOP for a turn that calls a function
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"functionCall": {"name": "f", "args": {"a": 1}}}],
                },
                "finishReason": "STOP",
            }
        ]
    }
    case = next(c for c in CASES if c.name == "gemini")
    final, _ = await _final(case, Reply.json(body), False)
    assert (final.finish_reason, final.provider_finish_reason) == ("tool_calls", "STOP")
