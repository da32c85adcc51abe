"""The stream contract every chat dialect keeps, checked in one place.

A streamed answer is a run of delta chunks and then one final chunk (``is_last``) holding
the whole answer. The deltas join to the final: text and thinking concatenated, tool-call
arguments concatenated per call id. The final says what the non-streamed response says,
block for block. Usage is counted once: on the final only, never on a delta.
"""

from __future__ import annotations

import json
from typing import Any

from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock
from specwire.model import ChatModelBase, ChatResponse


async def stream_then_whole(
    model: ChatModelBase, msgs: list[Any], **kwargs: Any
) -> tuple[list[ChatResponse], ChatResponse]:
    """Call the model streamed and then not streamed; the chunks and the whole response."""
    stream = await model(msgs, **kwargs)
    assert not isinstance(stream, ChatResponse)
    chunks = [c async for c in stream]
    whole = await model(msgs, **kwargs, stream=False)
    assert isinstance(whole, ChatResponse)
    return chunks, whole


def joined_deltas(chunks: list[ChatResponse]) -> tuple[str, str, dict[str, Any]]:
    """The chunks' text and thinking joined, and each call id's argument pieces joined
    and parsed."""
    text = thinking = ""
    args: dict[str, str] = {}
    for chunk in chunks:
        for block in chunk.content:
            if isinstance(block, TextBlock):
                text += block.text
            elif isinstance(block, ThinkingBlock):
                thinking += block.thinking
            elif isinstance(block, ToolCallBlock):
                args[block.id] = args.get(block.id, "") + block.input
    return text, thinking, {k: json.loads(v) for k, v in args.items()}


def delta_signatures(chunks: list[ChatResponse]) -> list[str]:
    """Every non-empty thinking signature on the chunks, in order, repeats kept."""
    return [
        block.signature
        for chunk in chunks
        for block in chunk.content
        if isinstance(block, ThinkingBlock) and block.signature
    ]


def last_delta_signature(chunks: list[ChatResponse]) -> str | None:
    """The last non-empty thinking signature on the chunks, if any."""
    signatures = delta_signatures(chunks)
    return signatures[-1] if signatures else None


def content_summary(
    blocks: list[Any], *, call_ids: bool = True
) -> tuple[str, str, list[tuple[Any, ...]]]:
    """Text joined, thinking joined, and the tool calls as ``(id, name, parsed arguments)``
    (``(name, parsed arguments)`` without ``call_ids``)."""
    text = "".join(b.text for b in blocks if isinstance(b, TextBlock))
    thinking = "".join(b.thinking for b in blocks if isinstance(b, ThinkingBlock))
    calls = [
        (b.id, b.name, json.loads(b.input)) if call_ids else (b.name, json.loads(b.input))
        for b in blocks
        if isinstance(b, ToolCallBlock)
    ]
    return text, thinking, calls


def assert_stream_contract(
    chunks: list[ChatResponse],
    whole: ChatResponse,
    *,
    expected_usage: tuple[int, int],
    same_call_ids: bool = True,
) -> None:
    """Check the stream contract of ``chunks`` against the non-streamed ``whole``.

    ``expected_usage`` is ``(input_tokens, output_tokens)`` of both the final chunk and
    ``whole``. ``same_call_ids=False`` leaves tool-call ids out of the final-vs-whole
    comparison, for dialects whose ids are made up per response."""
    assert [c.is_last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    deltas, final = chunks[:-1], chunks[-1]
    # the deltas join to the final
    text, thinking, args = joined_deltas(deltas)
    assert (text, thinking) == content_summary(final.content)[:2]
    calls = [b for b in final.content if isinstance(b, ToolCallBlock)]
    assert args == {c.id: json.loads(c.input) for c in calls}
    # the final says what the non-streamed response says, block for block
    assert content_summary(final.content, call_ids=same_call_ids) == content_summary(
        whole.content, call_ids=same_call_ids
    )
    assert [type(b) for b in final.content] == [type(b) for b in whole.content]
    # usage counted once, on the final only
    assert all(c.usage is None for c in deltas)
    assert final.usage is not None and whole.usage is not None
    counts = (final.usage.input_tokens, final.usage.output_tokens)
    assert counts == expected_usage == (whole.usage.input_tokens, whole.usage.output_tokens)
