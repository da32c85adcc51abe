"""A conversation started on one of the Ollama, DashScope and Responses dialects (with
thinking and tool calls in its history) continues on each of them: every ordered pair
sends a well-formed request, and reasoning signatures only go back where they came from."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from specwire._testing import LoopbackServer, Reply
from specwire.message import AssistantMsg, ToolCallBlock, ToolResultBlock, UserMsg
from specwire.model import ChatResponse
from tests.dialects import test_dashscope_dialect as dashscope
from tests.dialects import test_ollama_dialect as ollama
from tests.dialects import test_openai_responses_dialect as responses

Factory = Callable[[LoopbackServer], Any]
DIALECTS: dict[str, tuple[Factory, dict[str, Any], list[dict[str, Any]]]] = {
    "ollama": (lambda s: ollama.ollama(s, stream=False), ollama.WHOLE, ollama.TOOLS),
    "dashscope": (lambda s: dashscope.qwen(s, stream=False), dashscope.WHOLE, dashscope.TOOLS),
    "responses": (lambda s: responses.gpt(s, stream=False), responses.WHOLE, responses.TOOLS),
}
PAIRS = [(a, b) for a in DIALECTS for b in DIALECTS]


async def history_from(source: str) -> list[Any]:
    """The user turn, the source model's answer (thinking, text, two calls) and results."""
    make, whole, tools = DIALECTS[source]
    async with LoopbackServer([Reply.json(whole)]) as server:
        answer = await make(server)([UserMsg(name="user", content="Weather?")], tools=tools)
    assert isinstance(answer, ChatResponse)
    calls = [b for b in answer.content if isinstance(b, ToolCallBlock)]
    results = [
        ToolResultBlock(id=c.id, name=c.name, output=f"sunny-{i}") for i, c in enumerate(calls)
    ]
    return [
        UserMsg(name="user", content="Weather?"),
        AssistantMsg(name=source, content=answer.content),
        UserMsg(name="user", content=results),
    ]


@pytest.mark.parametrize(("source", "target"), PAIRS)
async def test_conversation_continues_on_another_dialect(source: str, target: str) -> None:
    history = await history_from(source)
    make, whole, tools = DIALECTS[target]
    async with LoopbackServer([Reply.json(whole)]) as server:
        answer = await make(server)(history, tools=tools)
        sent = server.requests[0].json()
    assert isinstance(answer, ChatResponse) and answer.content
    wire = json.dumps(sent)
    assert "sunny-0" in wire and "sunny-1" in wire  # both tool results reached the model
    # encrypted reasoning is only meaningful to the Responses API that produced it
    assert (responses.ENCRYPTED in wire) == (source == target == "responses")
