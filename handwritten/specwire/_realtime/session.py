"""The realtime session engine: one websocket, a bounded send queue, typed events out,
and reconnects that carry the session over where the provider allows.

Reading happens in the caller's ``async for``: each iteration reads the next server
message straight off the socket and hands back the events the dialect makes of it (no
reader task, so no hand-off between tasks on the path audio takes). Sending goes through
a bounded queue drained by one sender task: ``send_audio`` waits while the queue is
full (backpressure: a caller producing audio faster than the socket takes it is slowed
down, and memory stays bounded), frames queued while a connection is being replaced
are sent on the new one, and ``interrupt`` jumps the queue.

A dropped connection (seen by either the reader or the sender) is reopened with the
binding's retry policy; the dialect then says what it sends to carry the session over
(a Gemini resumption handle and the frames it may not cover, or a re-created
conversation) and what is lost. The turn in flight ends with ``finish_reason="error"``;
a ``Reconnected`` event follows. Leaving the ``async with`` (or cancelling the task in
it) closes the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._core.errors import (
    APIConnectionError,
    APITimeoutError,
    ProviderError,
    SpecwireError,
    StreamBrokenError,
)
from .._core.retry import RetryPolicy
from .._core.websocket import credential_secrets, open_websocket, websocket_url
from .dialect import RealtimeDialect, SessionConfig, close_error
from .events import ErrorEvent, RealtimeEvent, Reconnected

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

    from .base import RealtimeModelBase


class SessionClosedError(SpecwireError):
    """The session was closed (or failed for good) and takes no more input."""


class _SendQueue:
    """Frames waiting for the socket: bounded for ``put``, with a front lane."""

    __slots__ = ("_items", "_maxsize", "_not_empty", "_not_full", "_unsent", "drained")

    def __init__(self, maxsize: int) -> None:
        self._items: deque[bytes] = deque()
        self._maxsize = maxsize
        self._not_empty = asyncio.Event()
        self._not_full = asyncio.Event()
        self._not_full.set()
        self._unsent = 0  # queued or being sent
        self.drained = asyncio.Event()
        """Set while every queued frame has been sent."""
        self.drained.set()

    def __len__(self) -> int:
        return len(self._items)

    async def put(self, frame: bytes) -> None:
        while len(self._items) >= self._maxsize:
            self._not_full.clear()
            await self._not_full.wait()
        self._items.append(frame)
        self._unsent += 1
        self.drained.clear()
        self._not_empty.set()

    def put_front(self, frames: list[bytes]) -> None:
        self._items.extendleft(reversed(frames))
        self._unsent += len(frames)
        self.drained.clear()
        self._not_empty.set()

    def sent(self) -> None:
        """One frame taken by ``get`` went out."""
        self._unsent -= 1
        if not self._unsent:
            self.drained.set()

    async def get(self) -> bytes:
        items = self._items
        while not items:
            self._not_empty.clear()
            await self._not_empty.wait()
        frame = items.popleft()
        if len(items) < self._maxsize:
            self._not_full.set()
        return frame

    def clear(self) -> None:
        self._items.clear()
        self._unsent = 0
        self.drained.set()
        self._not_full.set()


class RealtimeSession:
    """A live session: ``async with model.connect(...) as session`` (see ``connect``).

    Input: ``send_audio(pcm)``, ``send_text(text)``, ``commit()``, ``interrupt()``,
    ``send_tool_result(call_id, output)``. Output: ``async for event in session``
    (``specwire.realtime`` event types; iterate promptly: unread messages are buffered
    up to the model's ``max_queue``, after which the server is slowed by TCP).
    """

    def __init__(
        self, model: RealtimeModelBase, config: SessionConfig, dialect: RealtimeDialect
    ) -> None:
        self.model = model
        self.config = config
        self._dialect = dialect
        self._provider = model.binding.provider
        self._queue = _SendQueue(model.send_queue_size)
        self._pending: deque[RealtimeEvent] = deque()
        self._ws: ClientConnection | None = None
        self._lock = asyncio.Lock()
        self._connected = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None
        self._failure: ProviderError | None = None
        self._closed = False
        self._opened = False
        self.reconnects = 0
        """How many times the connection was replaced."""
        self._retry: RetryPolicy = model.retry_policy()
        self._records_frames = dialect.remembers_client_frames

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("open" if self._ws is not None else "connecting")
        return f"RealtimeSession(model={self.config.model!r}, {state})"

    # ---------------------------------------------------------------- lifecycle
    async def __aenter__(self) -> RealtimeSession:
        await self.open()
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        await self.close(graceful=exc_type is None)

    async def open(self) -> None:
        """Connect and configure the session (``async with`` does this)."""
        if self._opened:
            raise RuntimeError("a realtime session opens once; call model.connect() again")
        self._opened = True
        attempt = 0
        try:
            while True:
                try:
                    await self._establish(reconnect=False)
                    break
                except ProviderError as exc:
                    if attempt >= self.model.max_retries or not self._retry.is_retryable(exc):
                        raise
                    attempt += 1
                    await asyncio.sleep(self._retry.delay(attempt, exc))
        except BaseException:
            self._closed = True
            raise
        self._sender = asyncio.get_running_loop().create_task(
            self._send_loop(), name=f"specwire realtime sender {self.config.model}"
        )

    async def close(self, graceful: bool = True) -> None:
        """Send what is queued (``graceful``, within the model's ``close_timeout``), then
        close the socket. Events not yet read are dropped."""
        if self._closed:
            return
        if graceful and self._failure is None and self._sender is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.model.close_timeout):
                    await self._queue.drained.wait()
        self._closed = True
        sender, ws = self._sender, self._ws
        self._ws = None
        self._connected.set()  # wakes a sender waiting for a connection
        if sender is not None and not sender.done():
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
        if ws is not None:
            if graceful:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(self.model.close_timeout):
                        await ws.close()
            ws.transport.abort()  # a no-op after a clean close; ends a broken one now
        self._queue.clear()
        self._pending.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    # ---------------------------------------------------------------- input
    async def send_audio(self, pcm: bytes | bytearray | memoryview) -> None:
        """Queue a piece of the user's audio: PCM16 mono at ``config.input_sample_rate``
        (waits while the send queue is full)."""
        if len(pcm) % 2:
            raise ValueError("PCM16 audio has an even number of bytes")
        self._check_open()
        for frame in self._dialect.audio(bytes(pcm)):
            await self._queue.put(frame)

    async def send_text(self, text: str, respond: bool = True) -> None:
        """Send a user text message; ``respond``: ask for a response to it."""
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty string")
        self._check_open()
        for frame in self._dialect.text(text, respond):
            await self._queue.put(frame)

    async def commit(self, respond: bool = True) -> None:
        """End the user's audio turn (for ``turn_detection=False``; with server turn
        detection the server decides) and, with ``respond``, ask for a response."""
        self._check_open()
        for frame in self._dialect.commit(respond):
            await self._queue.put(frame)

    async def interrupt(self, played_ms: int | None = None) -> None:
        """Stop the response in progress (ahead of queued audio). Deltas of it still
        in flight are dropped. ``played_ms``: how much of its audio the user heard,
        so the server's record of the response is cut there (OpenAI)."""
        self._check_open()
        frames = self._dialect.interrupt(played_ms)
        if frames:
            self._queue.put_front(frames)

    async def send_tool_result(
        self,
        call_id: str,
        output: str | Mapping[str, Any],
        name: str | None = None,
        respond: bool = True,
    ) -> None:
        """Answer a ``ToolCall`` (``output``: text, or a mapping sent as JSON);
        ``respond``: ask for the model's next response (Gemini always continues)."""
        self._check_open()
        if not isinstance(output, str):
            import orjson

            output = orjson.dumps(dict(output)).decode()
        for frame in self._dialect.tool_result(call_id, output, name, respond):
            await self._queue.put(frame)

    def _check_open(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._closed or not self._opened:
            raise SessionClosedError("the realtime session is not open")

    # ---------------------------------------------------------------- output
    def __aiter__(self) -> RealtimeSession:
        return self

    async def __anext__(self) -> RealtimeEvent:
        pending = self._pending
        dialect = self._dialect
        while True:
            if pending:
                return pending.popleft()
            ws = self._ws
            if ws is None:
                if self._failure is not None:
                    failure, self._failure = self._failure, None
                    self._closed = True
                    raise failure
                if self._closed:
                    raise StopAsyncIteration
                async with self._lock:  # a reconnect is under way: wait for it
                    pass
                continue
            try:
                message = await ws.recv(decode=False)
            except Exception as exc:
                if self._closed:
                    raise StopAsyncIteration from None
                with contextlib.suppress(ProviderError):  # raised below, after the events
                    await self._recover(ws, self._drop_error(ws, exc))
                continue
            try:
                events = dialect.read(message)
            except ProviderError as exc:
                self._failure = exc  # an error event that ends the session
                await self._abort()
                continue
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                # Not the documented shape (orjson's errors are ValueErrors): reported,
                # and the session goes on with the next message.
                events = (
                    ErrorEvent(
                        StreamBrokenError(
                            f"unreadable server message: {type(exc).__name__}: {exc}",
                            provider=self._provider,
                        )
                    ),
                )
            if dialect.go_away and not dialect.busy:
                with contextlib.suppress(ProviderError):
                    await self._move(ws)
            if len(events) == 1 and not pending:
                return events[0]
            pending.extend(events)

    # ---------------------------------------------------------------- sending
    async def _send_loop(self) -> None:
        queue = self._queue
        dialect = self._dialect
        frame: bytes | None = None
        while True:
            if frame is None:
                frame = await queue.get()
            ws = self._ws
            if ws is None:
                if self._closed or self._failure is not None:
                    return
                self._connected.clear()
                await self._connected.wait()
                continue
            try:
                await ws.send(frame, text=True)
            except Exception as exc:
                if self._closed:
                    return
                # The frame stays: it goes out again on the next connection.
                try:
                    await self._recover(ws, self._drop_error(ws, exc))
                except ProviderError:
                    return  # the failure is raised to the reader and to senders
                continue
            if self._records_frames:
                dialect.sent(frame)
            frame = None
            queue.sent()

    # ---------------------------------------------------------------- connections
    async def _establish(self, reconnect: bool) -> None:
        """Open a socket, configure the session, wait until the server confirms, then
        carry the session over (``reconnect``)."""
        model = self.model
        dialect = self._dialect
        endpoint = model.endpoint
        url = websocket_url(
            model.credential,
            endpoint,
            self.config.model,
            dialect.ws_base_path(),
            dialect.url_query(),
        )
        headers = model.credential.auth_headers()
        headers.update(endpoint.headers)
        ws = await open_websocket(
            url,
            headers,
            provider=self._provider,
            secrets=credential_secrets(model.credential),
            errors=dialect.errors,
            open_timeout=model.open_timeout,
            close_timeout=model.close_timeout,
            ping_interval=model.ping_interval,
            ping_timeout=model.ping_interval,
            max_queue=model.max_queue,
        )
        try:
            async with asyncio.timeout(model.open_timeout):
                for frame in dialect.opening():
                    await ws.send(frame, text=True)
                    dialect.sent(frame)
                while not dialect.ready:
                    self._pending.extend(dialect.read(await ws.recv(decode=False)))
                restore = dialect.restore() if reconnect else None
                if restore is not None:
                    for frame in restore.frames:
                        await ws.send(frame, text=True)
                        if self._records_frames:
                            dialect.sent(frame)
        except TimeoutError:
            ws.transport.abort()
            raise APITimeoutError(
                "the server did not confirm the session in time", provider=self._provider
            ) from None
        except ProviderError:
            ws.transport.abort()
            raise
        except Exception as exc:
            ws.transport.abort()
            raise self._drop_error(ws, exc) from None
        if restore is not None:
            self.reconnects += 1
            self._pending.append(
                Reconnected(
                    attempt=self.reconnects,
                    resumed=restore.resumed,
                    restored_items=restore.restored_items,
                    lost=restore.lost,
                    cause=self._last_cause,
                )
            )
        self._ws = ws
        self._connected.set()

    _last_cause = ""

    async def _recover(self, broken: ClientConnection, cause: ProviderError) -> None:
        """Replace a broken connection (once, whoever noticed first), or fail."""
        async with self._lock:
            if self._ws is not broken or self._closed:
                return  # already replaced (or closing)
            self._ws = None
            broken.transport.abort()
            self._pending.extend(self._dialect.dropped(cause))
            self._last_cause = str(cause)
            attempt = 0
            while True:
                if attempt >= self.model.max_retries or not self._retry.is_retryable(cause):
                    self._failure = cause
                    self._connected.set()
                    raise cause
                attempt += 1
                await asyncio.sleep(self._retry.delay(attempt, cause))
                if self._closed:
                    return
                try:
                    await self._establish(reconnect=True)
                    return
                except ProviderError as exc:
                    cause = exc

    async def _move(self, ws: ClientConnection) -> None:
        """The server announced it will close (``goAway``): move to a new connection now,
        between responses, rather than be cut off in the middle of one."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(self.model.close_timeout):
                await ws.close()
        await self._recover(
            ws,
            StreamBrokenError(
                "the server asked the client to reconnect (goAway)", provider=self._provider
            ),
        )

    async def _abort(self) -> None:
        ws = self._ws
        self._ws = None
        self._connected.set()
        if ws is not None:
            ws.transport.abort()

    def _drop_error(self, ws: ClientConnection, exc: BaseException) -> ProviderError:
        close = getattr(exc, "rcvd", None)
        if close is not None and close.code not in (1000, 1001, 1005, 1006):
            return close_error(close.code, close.reason, self._provider)
        if isinstance(exc, ProviderError):
            return exc
        if close is None and not hasattr(exc, "rcvd"):
            return APIConnectionError(
                f"the websocket broke: {type(exc).__name__}", provider=self._provider
            )
        return StreamBrokenError("the websocket connection dropped", provider=self._provider)
