"""Re-chunking properties of the Anthropic dialect: a recorded-style SSE body split at
arbitrary byte offsets gives deltas that join to the final answer, the same final as the
non-streamed response, and usage counted once."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from specwire._testing import LoopbackServer, Reply
from tests.core.test_decoders import split_at
from tests.dialects.test_anthropic_dialect import HELLO, TOOLS, WHOLE, claude, stream_bytes
from tests.stream_contract import assert_stream_contract, last_delta_signature, stream_then_whole


@given(st.lists(st.integers(min_value=0, max_value=100_000), max_size=30))
@settings(max_examples=40, deadline=None)
def test_any_rechunking_joins_to_the_final_and_equals_the_whole_answer(cuts: list[int]) -> None:
    async def run() -> None:
        pieces = [p for p in split_at(stream_bytes(), cuts) if p]
        replies = [Reply(body=pieces, content_type="text/event-stream"), Reply.json(WHOLE)]
        async with LoopbackServer(replies) as server:
            model = claude(server)
            chunks, whole = await stream_then_whole(model, HELLO, tools=TOOLS)
            await model.aclose()
        assert_stream_contract(chunks, whole, expected_usage=(115, 42))
        # the last signature on the deltas is the final thinking block's
        signature = last_delta_signature(chunks[:-1])
        assert signature == chunks[-1].content[0].signature  # type: ignore[union-attr]

    asyncio.run(run())
