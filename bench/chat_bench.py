"""Chat streaming overhead against a raw-httpx baseline, on one loopback server.

For each size and payload kind, the same SSE body is consumed (interleaved, several
rounds, best time kept) by:
- baseline: httpx stream, split events on blank lines, json.loads each data payload;
- specwire: ``OpenAIChatModel(stream=True)`` (or ``AnthropicChatModel``) consumed to its
  final, fully accumulated chunk.
Prints per-chunk microseconds, the ratio, and tracemalloc peak memory per run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from specwire.message import UserMsg


def openai_events(n: int, kind: str) -> list[bytes]:
    out = []
    for i in range(n):
        if kind == "text":
            delta: dict[str, Any] = {"content": f"tok{i % 97} "}
        else:
            delta = {"tool_calls": [{"index": 0, "function": {"arguments": f'"k{i}": {i}, '}}]}
            if i == 0:
                delta["tool_calls"][0].update(
                    id="call_1", type="function", function={"name": "f", "arguments": "{"}
                )
        event = {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
        out.append(b"data: " + json.dumps(event).encode() + b"\n\n")
    out.append(
        b'data: {"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":%d}}\n\n' % n
    )
    out.append(b"data: [DONE]\n\n")
    return out


def anthropic_events(n: int, kind: str) -> list[bytes]:
    def ev(name: str, data: dict[str, Any]) -> bytes:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

    block = (
        {"type": "text", "text": ""}
        if kind == "text"
        else {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
    )
    out = [
        ev(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "m",
                    "type": "message",
                    "role": "assistant",
                    "content": [],
                    "model": "claude",
                    "usage": {"input_tokens": 5, "output_tokens": 1},
                },
            },
        ),
        ev(
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        ),
    ]
    for i in range(n):
        delta = (
            {"type": "text_delta", "text": f"tok{i % 97} "}
            if kind == "text"
            else {
                "type": "input_json_delta",
                "partial_json": ("{" if i == 0 else "") + f'"k{i}": {i}, ',
            }
        )
        out.append(
            ev("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta})
        )
    out += [
        ev("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ev(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": n},
            },
        ),
        ev("message_stop", {"type": "message_stop"}),
    ]
    return out


class BodyServer:
    """Serves one fixed SSE body to every request, written in large chunked pieces."""

    def __init__(self, pieces: list[bytes]) -> None:
        body = b"".join(pieces)
        chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
        self.payload = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                )
                writer.write(self.payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()

    async def start(self) -> asyncio.Server:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        return server


async def baseline(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> int:
    """Raw httpx: stream, split events, json.loads each payload."""
    events = 0
    pending = b""
    async with client.stream("POST", url, json=body) as response:
        async for chunk in response.aiter_bytes():
            pending += chunk
            *complete, pending = pending.split(b"\n\n")
            for raw in complete:
                for line in raw.split(b"\n"):
                    if line.startswith(b"data: ") and line != b"data: [DONE]":
                        json.loads(line[6:])
                        events += 1
    return events


async def time_best(fn: Callable[[], Awaitable[Any]], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        await fn()
        best = min(best, time.perf_counter() - t0)
    return best


async def bench_dialect(dialect: str, sizes: list[int], rounds: int) -> list[dict[str, Any]]:
    from specwire.credential import AnthropicCredential, OpenAICredential  # type: ignore[attr-defined]
    from specwire.model import AnthropicChatModel, OpenAIChatModel  # type: ignore[attr-defined]

    rows = []
    for kind in ("text", "tool"):
        for n in sizes:
            pieces = (openai_events if dialect == "openai" else anthropic_events)(n, kind)
            server_obj = BodyServer(pieces)
            server = await server_obj.start()
            root = f"http://127.0.0.1:{server_obj.port}"
            if dialect == "openai":
                model: Any = OpenAIChatModel(
                    credential=OpenAICredential(api_key="k", base_url=root + "/v1"),
                    model="m",
                    stream=True,
                )
                url = root + "/v1/chat/completions"
            else:
                model = AnthropicChatModel(
                    credential=AnthropicCredential(api_key="k", base_url=root),
                    model="m",
                    stream=True,
                )
                url = root + "/v1/messages"
            msgs = [UserMsg(name="user", content="go")]
            tools = (
                [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
                if kind == "tool"
                else None
            )
            client = httpx.AsyncClient(timeout=60)

            async def run_baseline() -> None:
                await baseline(
                    client,
                    url,
                    {"model": "m", "messages": [{"role": "user", "content": "go"}], "stream": True},
                )

            async def run_specwire() -> None:
                final = None
                async for chunk in await model(msgs, tools=tools):
                    final = chunk
                assert final is not None and final.is_last

            await run_baseline()
            await run_specwire()  # warm connections and caches
            base_t = spec_t = float("inf")
            for _ in range(rounds):  # interleaved
                base_t = min(base_t, await time_best(run_baseline, 1))
                spec_t = min(spec_t, await time_best(run_specwire, 1))
            tracemalloc.start()
            await run_specwire()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            content = sum(len(p) for p in pieces)
            rows.append(
                {
                    "dialect": dialect,
                    "kind": kind,
                    "chunks": n,
                    "baseline_us": base_t / n * 1e6,
                    "specwire_us": spec_t / n * 1e6,
                    "ratio": spec_t / base_t,
                    "peak_mb": peak / 2**20,
                    "body_mb": content / 2**20,
                }
            )
            await client.aclose()
            await model.aclose()
            server.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dialects", default="openai,anthropic")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[dict[str, Any]] = []
    for dialect in args.dialects.split(","):
        try:
            rows += asyncio.run(bench_dialect(dialect, sizes, args.rounds))
        except (ImportError, AttributeError) as exc:
            print(f"skip {dialect}: {exc}")
    print(
        f"{'dialect':<10}{'kind':<6}{'chunks':>8}{'base µs/chunk':>15}{'specwire µs/chunk':>19}{'ratio':>7}{'peak MB':>9}{'body MB':>9}"
    )
    for r in rows:
        print(
            f"{r['dialect']:<10}{r['kind']:<6}{r['chunks']:>8}{r['baseline_us']:>15.2f}{r['specwire_us']:>19.2f}"
            f"{r['ratio']:>7.2f}{r['peak_mb']:>9.1f}{r['body_mb']:>9.1f}"
        )


if __name__ == "__main__":
    main()
