"""The same behaviour on every transport: per-read timeouts, drops, cancellation closing
the connection, the pool limit, proxies from the environment, error mapping, a user's
own client and default headers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from specwire._core.transport import HttpTransport, choose_transport
from specwire._testing import LoopbackServer, Reply
from specwire.credential import OpenAICredential
from specwire.errors import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    StreamBrokenError,
)
from specwire.message import UserMsg
from specwire.model import ChatResponse, OpenAIChatModel
from tests.chat.openai_wire import chunk, usage_chunk, whole_json

HELLO = [UserMsg(name="user", content="hi")]
TRANSPORTS = ["aiohttp", "httpx"]


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def model_at(base: str, transport: str, **kwargs: Any) -> OpenAIChatModel:
    cred = OpenAICredential(api_key="sk-test", base_url=base + "/v1")
    return OpenAIChatModel(
        credential=cred, model="m", transport=transport, **{"max_retries": 0, **kwargs}
    )


async def texts(model: OpenAIChatModel) -> list[str]:
    stream = await model(HELLO)
    assert not isinstance(stream, ChatResponse)
    out = []
    async for c in stream:
        if not c.is_last:
            out += [b.text for b in c.content if b.type == "text"]
    return out


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def raw_server(handle: Handler) -> AsyncIterator[str]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":")[1]))
    return head


SSE_HEAD = (
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
)


def sse_chunk(event: dict[str, Any]) -> bytes:
    data = b"data: " + json.dumps(event).encode() + b"\n\n"
    return b"%x\r\n%s\r\n" % (len(data), data)


# the stream's completion signal, then the chunked body's end
SSE_END = b"e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n"


# ------------------------------------------------------------------ choosing
def test_transport_choice_env_and_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPECWIRE_TRANSPORT", raising=False)
    assert choose_transport(None) == "aiohttp"  # installed: the default
    assert choose_transport("httpx") == "httpx"
    monkeypatch.setenv("SPECWIRE_TRANSPORT", "httpx")
    assert choose_transport(None) == "httpx"
    assert choose_transport("aiohttp") == "aiohttp"  # the model's own choice wins
    monkeypatch.setenv("SPECWIRE_TRANSPORT", "curl")
    with pytest.raises(ValueError, match="SPECWIRE_TRANSPORT must be one of aiohttp, httpx, http2"):
        choose_transport(None)
    with pytest.raises(ValueError, match="transport must be one of"):
        choose_transport("h3")
    assert choose_transport("http2") == "http2"
    with pytest.raises(ValueError, match="max_connections must be >= 1"):
        HttpTransport(max_connections=0)
    with pytest.raises(TypeError, match=r"http_client must be an httpx\.AsyncClient"):
        HttpTransport(http_client=object())  # type: ignore[arg-type]


def test_http2_is_httpx_with_http2_offered() -> None:
    try:
        import h2  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="h2"):
            _ = HttpTransport(transport="http2").client
    else:
        client = HttpTransport(transport="http2").client
        assert not isinstance(client, type(HttpTransport(transport="aiohttp").client))


def test_aiohttp_is_imported_on_first_send_not_with_the_model() -> None:
    probe = (
        "import sys\n"
        "from specwire.model import OpenAIChatModel\n"
        "from specwire.credential import OpenAICredential\n"
        "m = OpenAIChatModel(credential=OpenAICredential(api_key='k'), model='m')\n"
        "print('aiohttp' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# ------------------------------------------------------------------ streams
async def test_stream_reads_every_event(transport: str) -> None:
    events = [chunk({"content": f"t{i}"}) for i in range(200)] + [usage_chunk(1, 200)]
    async with LoopbackServer([Reply.sse(events)]) as server:
        model = model_at(server.url, transport)
        got = await texts(model)
        await model.aclose()
    assert "".join(got) == "".join(f"t{i}" for i in range(200))


async def test_a_stall_after_the_headers_is_a_read_timeout(transport: str) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(SSE_HEAD + sse_chunk(chunk({"content": "a"})))
        await writer.drain()
        await asyncio.sleep(10)  # then nothing: the per-read timeout must fire
        writer.close()

    async with raw_server(handle) as url:
        model = model_at(url, transport, timeout=httpx.Timeout(0.3))
        started = time.perf_counter()
        with pytest.raises(APITimeoutError):
            await texts(model)
        assert time.perf_counter() - started < 5
        await model.aclose()


async def test_slow_but_steady_stream_is_not_timed_out(transport: str) -> None:
    # each read comes within the timeout, the whole stream takes longer than it
    events = [chunk({"content": str(i)}) for i in range(6)]
    async with LoopbackServer([Reply.sse(events, delay=0.1)]) as server:
        model = model_at(server.url, transport, timeout=httpx.Timeout(0.4))
        assert "".join(await texts(model)) == "012345"
        await model.aclose()


async def test_a_drop_mid_stream_is_stream_broken(transport: str) -> None:
    events = [chunk({"content": "a"}), chunk({"content": "b"}), chunk({"content": "c"})]
    async with LoopbackServer([Reply.sse(events, drop_after=1, delay=0.01)]) as server:
        model = model_at(server.url, transport, max_retries=2)
        got: list[str] = []
        with pytest.raises(StreamBrokenError):
            stream = await model(HELLO)
            assert not isinstance(stream, ChatResponse)
            async for c in stream:
                got += [b.text for b in c.content if b.type == "text" and not c.is_last]
        assert len(server.requests) == 1  # never replayed after a delta went out
        await model.aclose()
    assert got == ["a"]


async def test_cancelling_a_stream_closes_the_connection(transport: str) -> None:
    closed = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(SSE_HEAD)
        try:
            for i in range(1000):
                writer.write(sse_chunk(chunk({"content": str(i)})))
                await writer.drain()
                await asyncio.sleep(0.01)
                if reader.at_eof():
                    break
            await reader.read()  # b"" once the client closed its end
        except ConnectionError:
            pass
        closed.set()
        writer.close()

    async with raw_server(handle) as url:
        model = model_at(url, transport)
        stream = await model(HELLO)
        assert not isinstance(stream, ChatResponse)
        async for _ in stream:
            break
        await stream.aclose()
        await asyncio.wait_for(closed.wait(), 3)  # the server saw the socket close
        await model.aclose()


async def test_a_finished_stream_reuses_its_connection(transport: str) -> None:
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                await read_request(reader)
                # complete by its finish_reason, with the body's end right after: a
                # [DONE] ends the read before the body does, and httpx then drops the socket
                writer.write(SSE_HEAD + sse_chunk(chunk({"content": "x"}, "stop")) + b"0\r\n\r\n")
                await writer.drain()
        writer.close()

    async with raw_server(handle) as url:
        model = model_at(url, transport)
        for _ in range(3):
            assert await texts(model) == ["x"]
        await model.aclose()
    assert connections == 1


async def test_pool_limit_bounds_concurrent_connections(transport: str) -> None:
    active = peak = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                await read_request(reader)
                writer.write(SSE_HEAD)
                for i in range(3):
                    writer.write(sse_chunk(chunk({"content": str(i)})))
                    await writer.drain()
                    await asyncio.sleep(0.03)
                writer.write(SSE_END)
                await writer.drain()
        active -= 1
        writer.close()

    async with raw_server(handle) as url:
        model = model_at(url, transport, max_connections=2)
        results = await asyncio.gather(*(texts(model) for _ in range(6)))
        await model.aclose()
    assert all("".join(r) == "012" for r in results)
    assert peak == 2


async def test_proxy_from_the_environment_is_used(
    transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # a forward proxy receives the absolute URL; this one answers as the origin
        seen.append((await read_request(reader)).split(b"\r\n")[0])
        writer.write(SSE_HEAD + sse_chunk(chunk({"content": "via proxy"})) + SSE_END)
        await writer.drain()
        writer.close()

    async with raw_server(proxy) as proxy_url:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        model = model_at("http://provider.example", transport)
        assert await texts(model) == ["via proxy"]
        await model.aclose()
    assert seen == [b"POST http://provider.example/v1/chat/completions HTTP/1.1"]


# ------------------------------------------------------------------ errors
async def test_error_status_maps_to_the_same_typed_error(transport: str) -> None:
    reply = Reply.json(
        {"error": {"message": "slow down", "type": "rate_limit_error"}},
        status=429,
        headers={"retry-after": "7", "x-request-id": "req-1"},
    )
    async with LoopbackServer([reply]) as server:
        model = model_at(server.url, transport)
        with pytest.raises(RateLimitError) as info:
            await model(HELLO, stream=False)
        await model.aclose()
    assert info.value.status == 429 and info.value.message == "slow down"
    assert info.value.retry_after == 7 and info.value.request_id == "req-1"


async def test_connection_refused_is_a_connection_error(transport: str) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    model = model_at(f"http://127.0.0.1:{port}", transport)
    with pytest.raises(APIConnectionError):
        await model(HELLO, stream=False)
    await model.aclose()


# ------------------------------------------------------------------ user's client, headers
async def test_users_client_is_used_and_never_closed() -> None:
    hooked: list[str] = []

    async def hook(request: httpx.Request) -> None:
        hooked.append(request.headers.get("x-gateway", ""))

    client = httpx.AsyncClient(event_hooks={"request": [hook]}, headers={"x-gateway": "corp"})
    async with LoopbackServer([Reply.sse([chunk({"content": "hi"})])]) as server:
        model = model_at(server.url, "httpx", http_client=client)
        assert await texts(model) == ["hi"]
        await model.aclose()
        assert not client.is_closed
        assert await texts(model) == ["hi"]  # still usable after the model closed
        await client.aclose()
    assert hooked == ["corp", "corp"]
    assert server.requests[0].headers["x-gateway"] == "corp"


async def test_default_headers_go_on_every_request_and_win(transport: str) -> None:
    replies = [Reply.sse([chunk({"content": "hi"})]), Reply(body=whole_json())]
    async with LoopbackServer(replies) as server:
        model = model_at(
            server.url,
            transport,
            default_headers={"x-team": "speed", "authorization": "Bearer gateway-token"},
        )
        await texts(model)
        await model(HELLO, stream=False)
        await model.aclose()
    assert len(server.requests) == 2
    for request in server.requests:
        assert request.headers["x-team"] == "speed"
        assert request.headers["authorization"] == "Bearer gateway-token"
