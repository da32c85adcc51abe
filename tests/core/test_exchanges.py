"""Per-call exchange objects: each chat dialect keeps what one request or stream
remembers in a typed object of its own, new with every accumulator."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

from specwire._core.dialect import ChatDialect
from specwire._dialects import all_dialects, load_dialect
from specwire._testing import LoopbackServer, Reply
from specwire.credential import OpenAICredential
from specwire.message import ToolCallBlock, UserMsg
from specwire.model import OpenAIChatModel

CHAT = [name for name, cls in all_dialects().items() if cls.family == "chat"]


def dialect(name: str) -> ChatDialect:
    from specwire._core.binding import EndpointBinding

    return load_dialect(name, ChatDialect)(EndpointBinding(dialect=name, path="/x"), {}, "p")


def test_every_chat_dialect_gives_each_call_a_typed_exchange_of_its_own() -> None:
    for name in CHAT:
        d = dialect(name)
        first, second = d.accumulator(), d.accumulator()
        if d.Exchange is None:
            assert first.exchange is None, name
            continue
        assert dataclasses.is_dataclass(d.Exchange) and hasattr(d.Exchange, "__slots__"), name
        assert isinstance(first.exchange, d.Exchange) and first.exchange is not second.exchange


def _calls_stream(call_id: str, name: str) -> Reply:
    events: list[dict[str, Any]] = [
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "id": call_id, "function": {"name": name, "arguments": ""}}
                        ]
                    },
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "function": {"arguments": json.dumps({"q": call_id})}}
                        ]
                    },
                }
            ]
        },
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]
    return Reply.sse(events)


async def test_concurrent_streams_of_one_model_keep_their_call_ids_apart() -> None:
    async with LoopbackServer(
        [_calls_stream("call_a", "f"), _calls_stream("call_b", "g")]
    ) as server:
        model = OpenAIChatModel(
            credential=OpenAICredential(api_key="k", base_url=server.url), model="m"
        )
        streams = [await model([UserMsg(name="user", content=q)]) for q in ("a", "b")]

        async def last(stream: Any) -> Any:
            return [c async for c in stream][-1]

        finals = await asyncio.gather(*(last(s) for s in streams))
        await model.aclose()
    calls = sorted(
        (b.id, b.name, json.loads(b.input))
        for final in finals
        for b in final.content
        if isinstance(b, ToolCallBlock)
    )
    assert calls == [("call_a", "f", {"q": "call_a"}), ("call_b", "g", {"q": "call_b"})]
