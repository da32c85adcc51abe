"""Re-chunking properties of the Anthropic dialect: a recorded-style SSE body split at
arbitrary byte offsets gives deltas that join to the final answer, the same final as the
non-streamed response, and usage counted once."""

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
from tests.dialects.test_anthropic_dialect import HELLO, TOOLS, WHOLE, claude, stream_bytes, summary


def joined_deltas(chunks: list[ChatResponse]) -> tuple[str, str, dict[str, Any], str | None]:
    text = thinking = ""
    args: dict[str, str] = {}
    signature = None
    for chunk in chunks:
        for block in chunk.content:
            if isinstance(block, TextBlock):
                text += block.text
            elif isinstance(block, ThinkingBlock):
                thinking += block.thinking
                signature = block.signature or signature
            elif isinstance(block, ToolCallBlock):
                args[block.id] = args.get(block.id, "") + block.input
    return text, thinking, {k: json.loads(v) for k, v in args.items()}, signature


@given(st.lists(st.integers(min_value=0, max_value=100_000), max_size=30))
@settings(max_examples=40, deadline=None)
def test_any_rechunking_joins_to_the_final_and_equals_the_whole_answer(cuts: list[int]) -> None:
    async def run() -> None:
        pieces = [p for p in split_at(stream_bytes(), cuts) if p]
        replies = [Reply(body=pieces, content_type="text/event-stream"), Reply.json(WHOLE)]
        async with LoopbackServer(replies) as server:
            model = claude(server)
            stream = await model(HELLO, tools=TOOLS)
            assert not isinstance(stream, ChatResponse)
            chunks = [c async for c in stream]
            whole = await model(HELLO, tools=TOOLS, stream=False)
            await model.aclose()
        assert isinstance(whole, ChatResponse)
        assert [c.is_last for c in chunks] == [False] * (len(chunks) - 1) + [True]
        final = chunks[-1]
        text, thinking, args, signature = joined_deltas(chunks[:-1])
        assert (text, thinking) == summary(final.content)[:2]
        assert args == {i: a for i, _, a in summary(final.content)[2]}
        assert signature == final.content[0].signature  # type: ignore[union-attr]
        assert summary(final.content) == summary(whole.content)
        assert [type(b) for b in final.content] == [type(b) for b in whole.content]
        assert all(c.usage is None for c in chunks[:-1])
        assert final.usage is not None and whole.usage is not None
        counts = (final.usage.input_tokens, final.usage.output_tokens)
        assert counts == (115, 42) == (whole.usage.input_tokens, whole.usage.output_tokens)

    asyncio.run(run())
