"""Re-chunking properties of the Gemini dialect, for both stream forms (SSE and JSON
array): deltas join to the final answer, the final equals the non-streamed response,
usage is counted once although every chunk repeats it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from specwire._testing import LoopbackServer, Reply
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock
from specwire.model import ChatResponse
from tests.core.test_decoders import split_at
from tests.dialects.test_gemini_dialect import (
    HELLO,
    TOOLS,
    WHOLE,
    array_bytes,
    gemini,
    stream_bytes,
    summary,
)


def joined_deltas(chunks: list[ChatResponse]) -> tuple[str, str, dict[str, Any], list[str]]:
    text = thinking = ""
    args: dict[str, str] = {}
    signatures: list[str] = []
    for chunk in chunks:
        for block in chunk.content:
            if isinstance(block, TextBlock):
                text += block.text
            elif isinstance(block, ThinkingBlock):
                thinking += block.thinking
                if block.signature and block.signature not in signatures:
                    signatures.append(block.signature)
            elif isinstance(block, ToolCallBlock):
                args[block.id] = args.get(block.id, "") + block.input
    return text, thinking, {k: json.loads(v) for k, v in args.items()}, signatures


@given(
    st.lists(st.integers(min_value=0, max_value=100_000), max_size=30),
    st.sampled_from(["sse", "json-array"]),
)
@settings(max_examples=40, deadline=None)
def test_any_rechunking_joins_to_the_final_and_equals_the_whole_answer(
    cuts: list[int], form: str
) -> None:
    async def run() -> None:
        body, content_type = (
            (stream_bytes(), "text/event-stream")
            if form == "sse"
            else (array_bytes(), "application/json")
        )
        pieces = [p for p in split_at(body, cuts) if p]
        replies = [Reply(body=pieces, content_type=content_type), Reply.json(WHOLE)]
        async with LoopbackServer(replies) as server:
            model = gemini(server)
            stream = await model(HELLO, tools=TOOLS)
            assert not isinstance(stream, ChatResponse)
            chunks = [c async for c in stream]
            whole = await model(HELLO, tools=TOOLS, stream=False)
            await model.aclose()
        assert isinstance(whole, ChatResponse)
        assert [c.is_last for c in chunks] == [False] * (len(chunks) - 1) + [True]
        final = chunks[-1]
        text, thinking, args, signatures = joined_deltas(chunks[:-1])
        assert (text, thinking) == summary(final.content)[:2]
        calls = [b for b in final.content if isinstance(b, ToolCallBlock)]
        assert args == {c.id: json.loads(c.input) for c in calls}
        assert summary(final.content) == summary(whole.content)
        # same blocks, same ids (made from the response id), same signatures
        assert [(type(b), getattr(b, "signature", None)) for b in final.content] == [
            (type(b), getattr(b, "signature", None)) for b in whole.content
        ]
        assert [c.id for c in calls] == [
            b.id for b in whole.content if isinstance(b, ToolCallBlock)
        ]
        assert signatures == [
            b.signature for b in final.content if isinstance(b, ThinkingBlock) and b.signature
        ]
        assert all(c.usage is None for c in chunks[:-1])
        assert final.usage is not None and whole.usage is not None
        assert final.usage.model_dump(exclude={"time"}) == whole.usage.model_dump(exclude={"time"})
        assert (final.usage.input_tokens, final.usage.output_tokens) == (30, 26)

    asyncio.run(run())
