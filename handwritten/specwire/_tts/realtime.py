"""Realtime text to speech: text pushed piece by piece over one websocket, audio back
while the text still flows.

One asyncio task per open model owns the socket: it connects, reads every server
message, and reconnects with exponential backoff when the socket drops. ``push`` and
``synthesize`` never wait for that task except to collect what they asked for (no
threads, no polling: waiters sleep on an ``asyncio.Event``).

No audio is lost or repeated across a reconnect. The ``TextLedger`` knows which text
the server has finished speaking (its acknowledgements: a response done, a sentence
ended), which is in flight, and how many audio bytes of the in-flight text were already
handed out. After a reconnect only the in-flight and unsent text is sent again, and that
many bytes are skipped from the new audio (speech of the same text is taken to be the
same length, which holds for a deterministic server and keeps real audio in step).

Protocol subclasses (``qwen_realtime.py``, ``cosyvoice_realtime.py``) supply the
messages; everything here is shared.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import abstractmethod
from collections.abc import AsyncGenerator, Callable
from typing import Any, ClassVar, Self

import orjson
from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, ConnectionClosedError

from .._core.binding import ModelBinding
from .._core.bound import BoundModel, check_model_arguments
from .._core.contract import Dialect, DialectOptions
from .._core.credential import CredentialBase
from .._core.errors import (
    APIConnectionError,
    ProviderError,
    StreamBrokenError,
)
from .._core.ids import new_id, now_iso
from .._core.secrets import Redactor
from .._core.websocket import credential_secrets, open_websocket
from .base import TTSModelBase
from .ledger import TextLedger
from .response import TTSResponse, TTSUsage, audio_block, delta_response
from .wire import AudioDefault, TTSOptions, WsBasePath, audio_defaults, media_type, websocket_url


class RealtimeTTSOptions(TTSOptions):
    """The options every realtime TTS dialect reads."""

    ws_base_path: WsBasePath | None = None
    """How the HTTP base URL's root path becomes the websocket root (None: unchanged)."""
    audio_defaults: tuple[AudioDefault, ...] = ()
    """Each model's default audio format and rate, first matching entry wins."""


class RealtimeTTSDialect(Dialect):
    """A realtime TTS protocol as a spec sees it: its options, and (``model_base``) the
    model class that speaks it over the socket."""

    family: ClassVar[str] = "tts"
    Options: ClassVar[type[DialectOptions]] = RealtimeTTSOptions
    options: RealtimeTTSOptions


_WS_LOGGER = logging.getLogger("specwire.websocket")


class RealtimeTTSModelBase(TTSModelBase, BoundModel):
    """A streaming-input TTS model over a websocket.

    ``async with model:`` (or ``connect()`` / ``close()``) holds the socket open;
    ``push(text)`` queues text and returns at once with the audio received since the
    previous call (``content`` None when there is none yet); ``synthesize(text=None)``
    sends the rest, ends the utterance and returns (or, with ``stream=True``, streams)
    the remaining audio. ``cold_start_length`` / ``cold_start_words`` hold back the first
    send of an utterance until that many characters / whitespace-separated words are
    queued. A dropped socket is reopened up to ``max_retries`` times in a row without
    progress, waiting ``retry_delay`` seconds doubled each time.
    """

    realtime: ClassVar[bool] = True
    binding: ClassVar[ModelBinding]
    ready_on_start: ClassVar[bool] = True
    """Text may follow the session-start message at once (else wait for the server)."""
    finish_on_ack: ClassVar[bool] = False
    """An utterance ends when all its text is acknowledged (no end message from the
    server)."""

    def __init__(
        self,
        credential: CredentialBase,
        model: str,
        parameters: BaseModel | None = None,
        stream: bool = True,
        cold_start_length: int | None = None,
        cold_start_words: int | None = None,
        max_retries: int = 3,
        retry_delay: float = 5.0,
        open_timeout: float = 10.0,
        close_timeout: float = 2.0,
    ) -> None:
        super().__init__(credential=credential, model=model, parameters=parameters, stream=stream)
        check_model_arguments(model, max_retries)
        if retry_delay < 0:
            raise ValueError("retry_delay must be >= 0")
        self.cold_start_length = cold_start_length
        self.cold_start_words = cold_start_words
        self.max_retries = max_retries
        self.retry_delay = retry_delay
        self.open_timeout = open_timeout
        self.close_timeout = close_timeout
        # reconnects back off from retry_delay, doubling once per retry at most
        self._dialect: RealtimeTTSDialect = self._bind(
            credential,
            RealtimeTTSDialect,
            max_retries,
            http=False,
            initial_delay=retry_delay,
            max_delay=retry_delay * 2 ** max(max_retries, 1),
        )
        self._options: RealtimeTTSOptions = self._dialect.options
        self._wire_parameters = self._effective_parameters()
        self.media_type = media_type(
            str(self._wire_parameters.get("format", "pcm")),
            self._wire_parameters.get("sample_rate"),
        )
        """The media type of the audio this model returns."""
        self._ledger: TextLedger
        self._audio: list[bytes]
        self._cold_ok: bool
        self._finishing: bool
        self._usage: dict[str, int]
        self._utterance_id: str
        self._created_at: str
        self._utterance_started: float | None
        self._done: asyncio.Event
        self._started: bool
        self._ready: bool
        self._finish_sent: bool
        self._ws: ClientConnection | None = None
        self._runner: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._failure: ProviderError | None = None
        self._closing = False
        self._explicit = False
        self._progress = False
        self._reset_connection_state()
        self._reset_utterance()
        self._configure_protocol()

    # ------------------------------------------------------------ protocol hooks
    def _configure_protocol(self) -> None:
        """Read the protocol's spec data (event names...) from ``self._options``."""

    @abstractmethod
    async def _send_start(self, ws: ClientConnection) -> None:
        """Start a session / task on a fresh connection or after an utterance ended."""

    @abstractmethod
    async def _send_text(self, ws: ClientConnection, text: str) -> None:
        """Send one piece of text for synthesis."""

    @abstractmethod
    async def _send_finish(self, ws: ClientConnection) -> None:
        """Tell the server the utterance's text is complete."""

    @abstractmethod
    def _on_message(self, message: str | bytes) -> bool:
        """Handle one server message; True when new sends may be possible (e.g. the
        server became ready). Raise a ``ProviderError`` for an error event."""

    async def _send_goodbye(self, ws: ClientConnection) -> bool:
        """End the session before closing; True when the server then closes the socket
        itself. By default nothing is sent."""
        return False

    @property
    def single_shot(self) -> bool:
        """The model takes its whole text in the start message (no streaming input)."""
        return False

    # ------------------------------------------------------------ public API
    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def aclose(self) -> None:
        """The same as ``close()``: the lifecycle every model shares."""
        await self.close()

    async def connect(self) -> None:
        """Open the websocket and start a session; returns once it can take text (for
        protocols that confirm a started task, once the server has)."""
        self._explicit = True
        self._take_failure()
        self._ensure_runner()
        await self._wait_until(lambda: self._ws is not None or self._runner_stopped())
        if not self._started:
            await self._advance(opening=True)  # e.g. after an utterance ended its task
        await self._wait_until(
            lambda: (
                (self._ws is not None and (self._ready or self.single_shot))
                or self._runner_stopped()
            )
        )
        self._take_failure()
        if self._ws is None:
            raise APIConnectionError("the websocket closed while opening", provider=self._provider)

    async def close(self) -> None:
        """End the session and close the websocket. An unfinished utterance is dropped."""
        await self._shutdown(graceful=True)
        self._explicit = False
        self._failure = None
        self._reset_utterance()

    async def push(self, text: str, **kwargs: Any) -> TTSResponse:
        """Queue ``text`` for synthesis and return the audio received since the previous
        call (``content`` None when there is none yet). Never waits for synthesis."""
        if kwargs:
            raise TypeError(f"push() got unexpected arguments {sorted(kwargs)}")
        self._take_failure()
        self._begin()
        self._ledger.add(text)
        self._ensure_runner()
        await self._advance()
        return self._response(self._take_audio(), is_last=False)

    async def synthesize(
        self, text: str | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        """Send ``text`` (if any) and all queued text, end the utterance, and return the
        audio not handed out yet: one response, or (``stream=True``) audio deltas and a
        final chunk holding all the audio of this call. Without ``connect()`` the socket
        is opened for the call and closed after it."""
        stream = bool(kwargs.pop("stream", self.stream))
        if kwargs:
            raise TypeError(f"synthesize() got unexpected arguments {sorted(kwargs)}")
        self._take_failure()
        owned = not self._explicit
        self._begin()
        if text:
            self._ledger.add(text)
        self._finishing = True
        if not self._ledger.had_text:
            self._complete_utterance()
        else:
            self._ensure_runner()
            await self._advance()
        if stream:
            return self._stream_rest(owned)
        try:
            await self._wait_until(
                lambda: self._done.is_set() or self._failure is not None or self._runner_stopped()
            )
            self._take_failure()
            if not self._done.is_set():
                raise StreamBrokenError(
                    "the websocket closed before the synthesis finished", provider=self._provider
                )
            return self._final_response(self._take_audio())
        except BaseException:
            await self._shutdown(graceful=False)
            owned = False
            raise
        finally:
            self._reset_utterance()
            if owned:
                await self._shutdown(graceful=True)

    # ------------------------------------------------------------ utterances
    def _begin(self) -> None:
        if self._utterance_started is None:
            self._utterance_started = time.perf_counter()

    def _reset_utterance(self) -> None:
        self._ledger = TextLedger()
        self._audio = []
        self._cold_ok = False
        self._finishing = False
        self._usage = {}
        self._utterance_id = new_id()
        self._created_at = now_iso()
        self._utterance_started = None
        self._done = asyncio.Event()

    def __getstate__(self) -> dict[str, Any]:
        # a pickle holds the settings; the socket, its task and the current utterance
        # stay behind, and the worker connects afresh
        state = dict(self.__dict__)
        for name in ("_ws", "_runner", "_changed", "_done", "_failure"):
            state.pop(name, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._ws = None
        self._runner = None
        self._changed = asyncio.Event()
        self._failure = None
        self._closing = False
        self._explicit = False
        self._reset_connection_state()
        self._reset_utterance()

    def _reset_connection_state(self) -> None:
        self._started = False
        self._ready = False
        self._finish_sent = False

    def _complete_utterance(self) -> None:
        """The server spoke the whole utterance."""
        self._finish_sent = False
        if not self.finish_on_ack:
            # The task is over; the next utterance starts a new one on this socket.
            self._started = False
            self._ready = False
        self._done.set()
        self._changed.set()

    def _check_settled(self) -> None:
        if (
            self.finish_on_ack
            and self._finishing
            and self._finish_sent
            and self._ledger.settled
            and not self._done.is_set()
        ):
            self._complete_utterance()

    def _cold_start_met(self) -> bool:
        if self._cold_ok:
            return True
        if self.cold_start_length or self.cold_start_words:
            text = self._ledger.pending_text()
            if self.cold_start_length and len(text) < self.cold_start_length:
                return False
            if self.cold_start_words and len(text.split()) < self.cold_start_words:
                return False
        self._cold_ok = True
        return True

    def _has_work(self) -> bool:
        return not self._ledger.settled or (self._finishing and not self._done.is_set())

    # ------------------------------------------------------------ sending
    async def _advance(self, opening: bool = False) -> None:
        """Send whatever the state allows on the current connection: the start message,
        queued text (once the cold start is met), the end of the utterance."""
        ws = self._ws
        if ws is None or self._failure is not None:
            return
        ledger = self._ledger
        try:
            if not self._started:
                if self.single_shot:
                    if not (self._finishing and ledger.pending):
                        return
                elif not (opening or ledger.pending or self._finishing):
                    return
                self._started = True
                if self.ready_on_start:
                    self._ready = True
                await self._send_start(ws)
            if not self._ready or self.single_shot:
                return
            if self._finishing or self._cold_start_met():
                text = ledger.take(final=self._finishing)
                if text:
                    await self._send_text(ws, text)
            if self._finishing and not self._finish_sent and not ledger.pending:
                self._finish_sent = True
                await self._send_finish(ws)
            self._check_settled()
        except ConnectionClosed:
            # The reader sees the close too and reconnects; the text is unacknowledged,
            # so it is sent again there.
            return

    async def _send_json(self, ws: ClientConnection, message: dict[str, Any]) -> None:
        await ws.send(orjson.dumps(message), text=True)

    # ------------------------------------------------------------ receiving
    def _on_audio(self, data: bytes) -> None:
        ledger = self._ledger
        ledger.unacked_audio += len(data)
        if ledger.skip:
            cut = min(ledger.skip, len(data))
            ledger.skip -= cut
            data = data[cut:]
        self._progress = True
        if data:
            self._audio.append(data)
            self._changed.set()

    def _ack_pieces(self, count: int = 1) -> None:
        self._ledger.ack_pieces(count)
        self._progress = True
        self._check_settled()

    def _ack_text(self, spoken: str) -> None:
        if self._ledger.ack_text(spoken):
            self._progress = True

    def _record_usage(self, usage: Any, cumulative: bool) -> None:
        """Provider counts: running totals replace, per-response counts add up."""
        if not isinstance(usage, dict):
            return
        for key in ("input_tokens", "output_tokens", "characters"):
            value = usage.get(key)
            if isinstance(value, int | float):
                self._usage[key] = int(value) + (0 if cumulative else self._usage.get(key, 0))

    def _event_error(self, body: Any) -> ProviderError:
        """The typed error a server error event stands for."""
        error = self._dialect.errors.error(
            body,
            provider=self._provider,
            default=ProviderError,
            fallback="the server reported an error",
        )
        return Redactor.for_credential(self.credential).error(error)

    def _take_audio(self) -> bytes:
        audio = self._audio
        if not audio:
            return b""
        data = audio[0] if len(audio) == 1 else b"".join(audio)
        audio.clear()
        return data

    # ------------------------------------------------------------ responses
    def _response(self, audio: bytes, is_last: bool) -> TTSResponse:
        return delta_response(
            audio_block(audio, self.media_type), is_last, self._utterance_id, self._created_at
        )

    def _final_response(self, audio: bytes) -> TTSResponse:
        started = self._utterance_started or time.perf_counter()
        return TTSResponse(
            content=audio_block(audio, self.media_type),
            is_last=True,
            usage=TTSUsage(
                input_tokens=self._usage.get("input_tokens", 0),
                output_tokens=self._usage.get("output_tokens", 0),
                characters=self._usage.get("characters", 0),
                time=time.perf_counter() - started,
            ),
            id=self._utterance_id,
            created_at=self._created_at,
        )

    async def _stream_rest(self, owned: bool) -> AsyncGenerator[TTSResponse, None]:
        delivered: list[bytes] = []
        completed = False
        try:
            while True:
                self._changed.clear()
                audio = self._take_audio()
                if audio:
                    delivered.append(audio)
                    yield self._response(audio, is_last=False)
                    continue
                self._take_failure()
                if self._done.is_set():
                    break
                if self._runner_stopped():
                    raise StreamBrokenError(
                        "the websocket closed before the synthesis finished",
                        provider=self._provider,
                    )
                await self._changed.wait()
            final = self._final_response(b"".join(delivered))
            completed = True
            self._reset_utterance()
            yield final
        finally:
            if not completed:
                # Abandoned, cancelled or failed midway: the utterance cannot go on.
                self._reset_utterance()
                await self._shutdown(graceful=False)
            elif owned:
                await self._shutdown(graceful=True)

    # ------------------------------------------------------------ failures
    def _fail(self, error: ProviderError) -> None:
        self._failure = error
        self._changed.set()

    def _take_failure(self) -> None:
        """Raise (once) the error that stopped the session; the utterance is dropped."""
        error = self._failure
        if error is not None:
            self._failure = None
            self._reset_utterance()
            raise error

    async def _wait_until(self, condition: Callable[[], bool]) -> None:
        while True:
            self._changed.clear()
            if condition():
                return
            await self._changed.wait()

    # ------------------------------------------------------------ the connection task
    def _runner_stopped(self) -> bool:
        return self._runner is None or self._runner.done()

    def _ensure_runner(self) -> None:
        if self._runner_stopped():
            self._closing = False
            self._runner = asyncio.get_running_loop().create_task(
                self._run(), name=f"specwire realtime tts {self.model}"
            )

    async def _run(self) -> None:
        """Keep a connection while there is work, reconnecting with backoff."""
        failures = 0
        try:
            while True:
                self._progress = False
                error: ProviderError | None = None
                try:
                    await self._serve_connection()
                except ProviderError as exc:
                    error = exc
                if self._closing:
                    return
                if error is None:
                    if not self._has_work():
                        return  # closed while idle: the next push reconnects
                    error = StreamBrokenError(
                        "the server closed the websocket before the synthesis finished",
                        provider=self._provider,
                    )
                if self._progress:
                    failures = 0
                if failures >= self.max_retries or not self._retry.is_retryable(error):
                    self._fail(error)
                    return
                failures += 1
                await asyncio.sleep(self._retry.delay(failures, error))
        finally:
            self._changed.set()

    async def _serve_connection(self) -> None:
        ws = await self._open()
        self._ws = ws
        self._reset_connection_state()
        self._ledger.requeue()
        self._changed.set()
        try:
            await self._advance(opening=True)
            async for message in ws:
                if self._on_message(message):
                    self._changed.set()
                    await self._advance()
        except ConnectionClosedError as exc:
            raise StreamBrokenError(f"the websocket broke: {exc}", provider=self._provider) from exc
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # A message that is not the documented shape (orjson's errors are ValueErrors).
            raise StreamBrokenError(
                f"unreadable server message: {type(exc).__name__}: {exc}", provider=self._provider
            ) from exc
        finally:
            self._ws = None
            self._reset_connection_state()
            ws.transport.abort()  # no-op after a clean close; drops a broken one now
            await ws.wait_closed()

    async def _open(self) -> ClientConnection:
        url = websocket_url(self.credential, self._endpoint, self.model, self._options.ws_base_path)
        headers = self.credential.auth_headers()
        headers.update(self._endpoint.headers)
        return await open_websocket(
            url,
            headers,
            provider=self._provider,
            secrets=credential_secrets(self.credential),
            errors=self._dialect.errors,
            open_timeout=self.open_timeout,
            close_timeout=self.close_timeout,
        )

    async def _shutdown(self, graceful: bool) -> None:
        """Stop the connection task and close the socket (politely when ``graceful``)."""
        self._closing = True
        runner, ws = self._runner, self._ws
        try:
            if graceful and ws is not None and runner is not None and not runner.done():
                with contextlib.suppress(ConnectionClosed, TimeoutError):
                    async with asyncio.timeout(self.close_timeout):
                        if await self._send_goodbye(ws):
                            await asyncio.wait({runner})
                        else:
                            await ws.close()
        finally:
            if runner is not None and not runner.done():
                runner.cancel()
                await asyncio.wait({runner})
            self._runner = None
            self._closing = False

    # ------------------------------------------------------------ parameters
    def _effective_parameters(self) -> dict[str, Any]:
        """The parameters as sent: the spec's audio defaults for this model filled in
        where none is given, so the media type always matches the audio."""
        # a field the card removes is never sent, not even as the class default
        values = self.parameters.model_dump(exclude_none=True, exclude=set(self._removed))
        fields = type(self.parameters).model_fields
        for key, value in audio_defaults(self._options.audio_defaults, self.model).items():
            if key in fields and key not in self._removed and values.get(key) is None:
                values[key] = value
        return values
