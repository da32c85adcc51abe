"""A loopback HTTP/1.1 server that answers with scripted replies and keeps the requests.

Replies are sent chunked, one piece per write, so clients see a stream arrive in parts.
It can also break a connection midway (``drop_after``), delay pieces, or answer with
an error status, for fault tests. It binds 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes | Sequence[bytes] = b"{}"
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop_after: int | None = None  # close the socket after this many pieces

    @classmethod
    def json(cls, data: Any, status: int = 200, **kwargs: Any) -> Reply:
        """A JSON answer."""
        return cls(status=status, body=json.dumps(data).encode(), **kwargs)

    @classmethod
    def sse(cls, events: Iterable[Any], done: bool = True, **kwargs: Any) -> Reply:
        """An SSE answer, one event per piece (dicts are JSON-encoded)."""
        return cls(body=sse_body(events, done), content_type="text/event-stream", **kwargs)

    def pieces(self) -> list[bytes]:
        return [self.body] if isinstance(self.body, bytes) else list(self.body)


def sse_body(events: Iterable[Any], done: bool = True) -> list[bytes]:
    """SSE pieces for ``events`` (``(name, data)`` pairs, dicts or raw strings)."""
    out: list[bytes] = []
    for event in events:
        name = None
        if isinstance(event, tuple):
            name, event = event
        data = event if isinstance(event, str) else json.dumps(event)
        head = f"event: {name}\n" if name else ""
        out.append(f"{head}data: {data}\n\n".encode())
    if done:
        out.append(b"data: [DONE]\n\n")
    return out


@dataclass
class ReceivedRequest:
    """A request the server got."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class LoopbackServer:
    """``async with LoopbackServer(replies) as server: server.url ...``.

    ``replies`` is a list consumed in order (the last one repeats) or a function from
    the request to a reply.
    """

    def __init__(self, replies: Sequence[Reply] | Callable[[ReceivedRequest], Reply]) -> None:
        self._replies = replies
        self.requests: list[ReceivedRequest] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> LoopbackServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    def _next_reply(self, request: ReceivedRequest) -> Reply:
        if callable(self._replies):
            return self._replies(request)
        index = min(len(self.requests) - 1, len(self._replies) - 1)
        return self._replies[index]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                line, _, rest = head.decode("latin1").partition("\r\n")
                method, target, _ = line.split(" ", 2)
                headers = {}
                for h in rest.split("\r\n"):
                    if ":" in h:
                        k, v = h.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = b""
                if "chunked" in headers.get("transfer-encoding", ""):
                    while True:
                        size = int(
                            (await reader.readuntil(b"\r\n")).strip().split(b";")[0] or b"0", 16
                        )
                        if size == 0:
                            await reader.readuntil(b"\r\n")
                            break
                        body += await reader.readexactly(size)
                        await reader.readexactly(2)
                elif headers.get("content-length"):
                    body = await reader.readexactly(int(headers["content-length"]))
                path, _, query = target.partition("?")
                request = ReceivedRequest(method, path, query, headers, body)
                self.requests.append(request)
                reply = self._next_reply(request)
                if not await self._send(writer, reply):
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()

    async def _send(self, writer: asyncio.StreamWriter, reply: Reply) -> bool:
        phrase = (
            HTTPStatus(reply.status).phrase
            if reply.status in HTTPStatus._value2member_map_
            else "Status"
        )
        head = [
            f"HTTP/1.1 {reply.status} {phrase}",
            f"content-type: {reply.content_type}",
            "transfer-encoding: chunked",
        ]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin1"))
        for i, piece in enumerate(reply.pieces()):
            if reply.drop_after is not None and i >= reply.drop_after:
                await writer.drain()
                writer.transport.abort()
                return False
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if piece:
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True
