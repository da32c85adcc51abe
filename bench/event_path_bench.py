"""specwire's own work per stream event, without the network: SSE decoding, JSON parsing,
the dialect's event mapping, the accumulator and the delta response object, for each
event fed alone (the one-event-per-read worst case). CPU time, best of 5 over 20,000
events, so other processes on the machine disturb it little.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sse_server import anthropic_events, openai_events


def per_event_us(model: Any, events: list[bytes]) -> float:
    from orjson import loads

    from specwire._core.accumulator import StreamAccumulator
    from specwire._core.construct import construct
    from specwire._core.decoders import SseDecoder
    from specwire.model import ChatResponse  # type: ignore[attr-defined]

    decoder = SseDecoder()
    acc = StreamAccumulator()
    on_event = model._dialect.on_event
    take = acc.take_delta
    started = time.process_time()
    for chunk in events:
        for event in decoder.feed(chunk):
            if event.data != b"[DONE]":
                on_event(event.event, loads(event.data), acc)
        delta = take()
        if delta:
            construct(
                ChatResponse,
                {
                    "content": delta,
                    "is_last": False,
                    "usage": None,
                    "id": "r",
                    "created_at": "t",
                    "metadata": None,
                    "type": "chat",
                },
            )
    acc.final_blocks()
    return (time.process_time() - started) / len(events) * 1e6


def main() -> None:
    from specwire.credential import AnthropicCredential, OpenAICredential  # type: ignore[attr-defined]
    from specwire.model import AnthropicChatModel, OpenAIChatModel  # type: ignore[attr-defined]

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--results", type=Path, help="write the results here (JSON)")
    args = parser.parse_args()
    openai = OpenAIChatModel(credential=OpenAICredential(api_key="k"), model="m")
    anthropic = AnthropicChatModel(credential=AnthropicCredential(api_key="k"), model="m")
    results = {}
    for dialect, kind in [
        ("openai", "text"),
        ("openai", "tool"),
        ("openai", "reasoning"),
        ("anthropic", "text"),
        ("anthropic", "tool"),
    ]:
        model = openai if dialect == "openai" else anthropic
        events = (openai_events if dialect == "openai" else anthropic_events)(args.events, kind)
        best = min(per_event_us(model, events) for _ in range(5))
        results[f"{dialect} {kind}"] = best
        print(f"{dialect + ' ' + kind:<20}{best:6.2f} µs/event", flush=True)
    if args.results:
        args.results.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
