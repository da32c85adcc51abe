"""Re-chunking properties of the Gemini dialect, for both stream forms (SSE and JSON
array): deltas join to the final answer, the final equals the non-streamed response,
usage is counted once although every chunk repeats it."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from specwire._testing import LoopbackServer, Reply
from specwire.message import ThinkingBlock
from tests.core.test_decoders import split_at
from tests.dialects.test_gemini_dialect import (
    HELLO,
    TOOLS,
    WHOLE,
    array_bytes,
    gemini,
    stream_bytes,
)
from tests.stream_contract import assert_stream_contract, delta_signatures, stream_then_whole


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
            chunks, whole = await stream_then_whole(model, HELLO, tools=TOOLS)
            await model.aclose()
        # same call ids in final and whole (made from the response id)
        assert_stream_contract(chunks, whole, expected_usage=(30, 26), same_call_ids=True)
        final = chunks[-1]
        # same blocks with the same signatures; the deltas carry each signature, in order
        assert [(type(b), getattr(b, "signature", None)) for b in final.content] == [
            (type(b), getattr(b, "signature", None)) for b in whole.content
        ]
        assert list(dict.fromkeys(delta_signatures(chunks[:-1]))) == [
            b.signature for b in final.content if isinstance(b, ThinkingBlock) and b.signature
        ]
        # the usage repeated on every chunk is counted once: final and whole agree throughout
        assert final.usage is not None and whole.usage is not None
        assert final.usage.model_dump(exclude={"time"}) == whole.usage.model_dump(exclude={"time"})

    asyncio.run(run())
