"""A loopback provider for the chat benchmarks, run in its own process.

The request path names the stream: ``/<dialect>/<kind>/<events>/<framing>/...`` with
dialect ``openai`` or ``anthropic``, kind ``text``, ``tool`` or ``reasoning``, and framing
``event`` (one HTTP chunk per SSE event, as providers send), ``large`` (the same body
in 64 KiB chunks) or ``paced`` (one chunk per event, one event per millisecond, so every
read a client makes holds one event, as when tokens arrive spread in time). ``/json/<n>`` answers a non-stream chat completion of ``n`` characters.
Bodies are built once per path and kept, so the server does no per-request work beyond
writing bytes.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any


def openai_events(n: int, kind: str) -> list[bytes]:
    out = []
    for i in range(n):
        if kind == "text":
            delta: dict[str, Any] = {"content": f"tok{i % 97} "}
        elif kind == "reasoning":
            delta = {"reasoning_content": f"think{i % 89} "}
        else:
            delta = {"tool_calls": [{"index": 0, "function": {"arguments": f'"k{i}": {i}, '}}]}
            if i == 0:
                delta["tool_calls"][0].update(
                    id="call_1", type="function", function={"name": "f", "arguments": "{"}
                )
        event = {
            "id": "chatcmpl-bench",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
        out.append(b"data: " + json.dumps(event).encode() + b"\n\n")
    out.append(
        b'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,"model":"m",'
        b'"choices":[{"index":0,"delta":{},"finish_reason":"%s"}]}\n\n'
        % (b"stop" if kind != "tool" else b"tool_calls")
    )
    out.append(
        b'data: {"id":"chatcmpl-bench","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":%d}}\n\n'
        % n
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
                    "id": "msg_bench",
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


def stream_response(dialect: str, kind: str, n: int, framing: str) -> bytes:
    """Status line, headers and the chunked body of one stream."""
    events = (openai_events if dialect == "openai" else anthropic_events)(n, kind)
    if framing in ("event", "paced"):
        chunks = events
    else:
        body = b"".join(events)
        chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    framed = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
        b"transfer-encoding: chunked\r\n\r\n"
    )
    return head + framed


def json_response(n: int) -> bytes:
    body = json.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "x" * n},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 5, "completion_tokens": n // 4},
        }
    ).encode()
    return (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
        % len(body)
        + body
    )


async def _paced(writer: asyncio.StreamWriter, payload: bytes) -> None:
    """Write the head, then one chunk (one event) per millisecond."""
    head_end = payload.index(b"\r\n\r\n") + 4
    writer.write(payload[:head_end])
    rest = memoryview(payload)[head_end:]
    while len(rest) > 5:  # each chunk: size line, data, CRLF; then the 0 chunk
        line_end = bytes(rest[:16]).index(b"\r\n")
        size = int(bytes(rest[:line_end]), 16)
        end = line_end + 2 + size + 2
        writer.write(rest[:end])
        await writer.drain()
        rest = rest[end:]
        await asyncio.sleep(0.001)
    writer.write(rest)
    await writer.drain()


def _serve() -> None:
    cache: dict[bytes, bytes] = {}

    def answer(path: bytes) -> bytes:
        hit = cache.get(path)
        if hit is None:
            parts = path.decode().strip("/").split("/")
            if parts[0] == "json":
                hit = json_response(int(parts[1]))
            else:
                hit = stream_response(parts[0], parts[1], int(parts[2]), parts[3])
            if len(cache) > 4:  # keep memory bounded across sizes
                cache.clear()
            cache[path] = hit
        return hit

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1]
                length = 0
                for line in lines[1:]:
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                payload = answer(path)
                if b"/paced/" in path:
                    await _paced(writer, payload)
                    continue
                view = memoryview(payload)
                for i in range(0, len(payload), 1 << 20):
                    writer.write(view[i : i + (1 << 20)])
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class ServerProcess:
    """The server in a child process (its own interpreter); ``port`` once started."""

    def __init__(self) -> None:
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> ServerProcess:
        self._proc = subprocess.Popen([sys.executable, __file__], stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        self.port = int(self._proc.stdout.readline())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(5)


if __name__ == "__main__":
    _serve()
