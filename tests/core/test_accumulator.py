"""The accumulator: blocks keyed apart, deltas that join to the final, usage once."""

from __future__ import annotations

import json

from specwire._core.accumulator import StreamAccumulator
from specwire.message import TextBlock, ThinkingBlock, ToolCallBlock


def test_parallel_tool_calls_stay_apart_when_interleaved() -> None:
    acc = StreamAccumulator()
    acc.tool_call(0, call_id="a", name="f", arguments='{"x": ')
    acc.tool_call(1, call_id="b", name="g", arguments='{"y": ')
    acc.tool_call(0, arguments="1}")
    acc.tool_call(1, arguments="2}")
    calls = [b for b in acc.final_blocks() if isinstance(b, ToolCallBlock)]
    assert [(c.id, c.name, json.loads(c.input)) for c in calls] == [
        ("a", "f", {"x": 1}),
        ("b", "g", {"y": 2}),
    ]


def test_deltas_join_to_final_and_keep_block_ids() -> None:
    acc = StreamAccumulator()
    deltas = []
    for piece in ["Hel", "lo", " world"]:
        acc.thinking("t" + piece, key="th")
        acc.text(piece)
        deltas.append(acc.take_delta())
    final = acc.final_blocks()
    text = "".join(b.text for d in deltas for b in d if isinstance(b, TextBlock))
    thinking = "".join(b.thinking for d in deltas for b in d if isinstance(b, ThinkingBlock))
    assert isinstance(final[0], ThinkingBlock) and final[0].thinking == thinking == "tHeltlot world"
    assert isinstance(final[1], TextBlock) and final[1].text == text == "Hello world"
    assert {b.id for d in deltas for b in d if isinstance(b, TextBlock)} == {final[1].id}


def test_take_delta_is_empty_when_nothing_changed() -> None:
    acc = StreamAccumulator()
    acc.text("a")
    assert acc.take_delta()
    assert acc.take_delta() == []


def test_usage_is_replaced_not_summed() -> None:
    acc = StreamAccumulator()
    for total in (5, 9, 14):  # a provider repeating running totals on every chunk
        acc.usage(input_tokens=100, output_tokens=total)
    usage = acc.chat_usage(0.5)
    assert usage is not None and (usage.input_tokens, usage.output_tokens) == (100, 14)


def test_signature_is_kept_on_thinking() -> None:
    acc = StreamAccumulator()
    acc.thinking("reason", key=0)
    acc.thinking("", key=0, signature="sig-part-1")
    acc.thinking("", key=0, signature="-2")
    (block,) = acc.final_blocks()
    assert isinstance(block, ThinkingBlock) and block.signature == "sig-part-1-2"


def test_tool_call_without_id_gets_a_stable_one() -> None:
    acc = StreamAccumulator()
    acc.tool_call("k", name="f", arguments="{}")
    (delta,) = acc.take_delta()
    (final,) = acc.final_blocks()
    assert isinstance(delta, ToolCallBlock) and isinstance(final, ToolCallBlock)
    assert delta.id == final.id and delta.id.startswith("call_")


def test_many_small_deltas_are_not_rejoined_per_chunk() -> None:
    acc = StreamAccumulator()
    for _ in range(50_000):
        acc.text("x")
        acc.take_delta()
    (block,) = acc.final_blocks()
    assert isinstance(block, TextBlock) and len(block.text) == 50_000
