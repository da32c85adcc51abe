"""Re-chunking properties of the DashScope native dialect: an SSE body split at arbitrary byte
offsets gives deltas that join to the final answer, the same final as the non-streamed
response, and usage counted once (DashScope repeats the running usage on every event)."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from specwire._testing import LoopbackServer, Reply
from tests.core.test_decoders import split_at
from tests.dialects.test_dashscope_dialect import HELLO, TOOLS, WHOLE, qwen, stream_bytes
from tests.stream_contract import assert_stream_contract, stream_then_whole


@given(st.lists(st.integers(min_value=0, max_value=100_000), max_size=30))
@settings(max_examples=40, deadline=None)
def test_any_rechunking_joins_to_the_final_and_equals_the_whole_answer(cuts: list[int]) -> None:
    async def run() -> None:
        pieces = [p for p in split_at(stream_bytes(), cuts) if p]
        replies = [Reply(body=pieces, content_type="text/event-stream"), Reply.json(WHOLE)]
        async with LoopbackServer(replies) as server:
            model = qwen(server)
            chunks, whole = await stream_then_whole(model, HELLO, tools=TOOLS)
            await model.aclose()
        assert_stream_contract(chunks, whole, expected_usage=(250, 37))

    asyncio.run(run())
