"""Loopback servers speaking DashScope's speech synthesis protocols, for tests, the demo
and the benchmark (127.0.0.1 only).

``TTSLoopbackServer`` is one websocket server for both realtime protocols, picked by
path: ``.../realtime`` speaks Qwen-TTS realtime (session.update, input_text_buffer.*,
session.finish), ``.../inference`` the CosyVoice / Sambert duplex protocol (run-task,
continue-task, finish-task). ``DashScopeHTTPTTS`` answers the HTTP multimodal-generation
endpoint (JSON with an audio URL it also serves, or SSE with base64 PCM deltas).

Audio is ``fake_audio(text)``: bytes derived from each character, whitespace silent, so
the audio of a text equals the audio of its pieces joined, however it was split. Tests
can therefore check that what a client collected equals ``fake_audio(whole_text)``.

Faults per connection (``faults[i]`` applies to the i-th connection): abort the TCP
connection or close it cleanly after N server messages, send an error event
(``error`` / ``task-failed``) after N messages, close instead of finishing, delay each
message.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import struct
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from .loopback import LoopbackServer, ReceivedRequest, Reply

# ASCII and full-width sentence ends (ideographic full stop, exclamation, question, semicolon).
SENTENCE_ENDS = frozenset(".!?;\n\u3002\uff01\uff1f\uff1b")
_CHAR_AUDIO: dict[str, bytes] = {}


def fake_audio(text: str, bytes_per_char: int = 8) -> bytes:
    """Deterministic stand-in audio for ``text``: a few bytes per character (whitespace
    is silent), so ``fake_audio(a + b) == fake_audio(a) + fake_audio(b)``."""
    parts = []
    for char in text:
        if char.isspace():
            continue
        piece = _CHAR_AUDIO.get(char)
        if piece is None:
            piece = _CHAR_AUDIO[char] = hashlib.blake2b(char.encode(), digest_size=8).digest()
        parts.append(piece)
    audio = b"".join(parts)
    if bytes_per_char == 8:
        return audio
    reps = -(-bytes_per_char // 8)
    return b"".join((p * reps)[:bytes_per_char] for p in parts)


def wav_file(pcm: bytes, sample_rate: int = 24000) -> bytes:
    """``pcm`` (16-bit mono) wrapped in a WAV header."""
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm


def split_sentences(text: str) -> tuple[list[str], str]:
    """Complete sentences of ``text`` (each up to and including its end mark) and the
    unfinished rest."""
    sentences: list[str] = []
    start = 0
    for i, char in enumerate(text):
        if char in SENTENCE_ENDS:
            sentences.append(text[start : i + 1])
            start = i + 1
    return sentences, text[start:]


@dataclass
class Fault:
    """What goes wrong on one connection. Message counts are server messages sent."""

    drop_after: int | None = None
    """Abort the TCP connection (no close frame) after this many messages."""
    close_after: int | None = None
    """Close the websocket cleanly after this many messages."""
    error_after: int | None = None
    """Send an error event (``error_code`` / ``error_message``) after this many messages."""
    error_code: str = "InternalError"
    error_message: str = "injected failure"
    close_on_finish: bool = False
    """Close cleanly when the client ends the session or task, instead of finishing."""
    delay: float = 0.0
    """Seconds to wait before each message."""


@dataclass
class ConnectionLog:
    """What one client connection sent."""

    path: str
    query: str
    headers: dict[str, str]
    received: list[Any] = field(default_factory=list)
    closed: bool = False
    """The connection has ended."""


class _Stop(Exception):
    """The fault ended the connection."""


class _Outbox:
    """Sends server messages on one connection, applying its fault."""

    def __init__(self, ws: ServerConnection, fault: Fault, error_event: Any) -> None:
        self.ws = ws
        self.fault = fault
        self.sent = 0
        self._error_event = error_event

    async def send(self, message: str | bytes) -> None:
        fault = self.fault
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop_after is not None and self.sent >= fault.drop_after:
            self.ws.transport.abort()
            raise _Stop
        if fault.close_after is not None and self.sent >= fault.close_after:
            await self.ws.close()
            raise _Stop
        if fault.error_after is not None and self.sent >= fault.error_after:
            await self.ws.send(json.dumps(self._error_event(fault.error_code, fault.error_message)))
            await self.ws.close()
            raise _Stop
        self.sent += 1
        await self.ws.send(message)

    async def json(self, event: dict[str, Any]) -> None:
        await self.send(json.dumps(event, ensure_ascii=False))


class TTSLoopbackServer:
    """``async with TTSLoopbackServer() as server:`` then point a ``DashScopeCredential``
    at ``server.base_url``. ``chunk_size`` is the audio bytes per delta or frame."""

    def __init__(
        self,
        faults: list[Fault] | None = None,
        chunk_size: int = 64,
        bytes_per_char: int = 8,
    ) -> None:
        self.faults = list(faults or [])
        self.chunk_size = chunk_size
        self.bytes_per_char = bytes_per_char
        self.connections: list[ConnectionLog] = []
        self.port = 0
        self._server: Server | None = None

    @property
    def base_url(self) -> str:
        """An HTTP base URL whose websocket endpoints are this server."""
        return f"http://127.0.0.1:{self.port}/api/v1"

    async def __aenter__(self) -> TTSLoopbackServer:
        self._server = await serve(self._handle, "127.0.0.1", 0, compression=None)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    def audio(self, text: str) -> bytes:
        """The audio this server speaks for ``text``."""
        return fake_audio(text, self.bytes_per_char)

    def _chunks(self, audio: bytes) -> Iterator[bytes]:
        for start in range(0, len(audio), self.chunk_size):
            yield audio[start : start + self.chunk_size]

    async def _handle(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        path, _, query = request.path.partition("?")
        log = ConnectionLog(path, query, {k.lower(): v for k, v in request.headers.raw_items()})
        index = len(self.connections)
        self.connections.append(log)
        fault = self.faults[index] if index < len(self.faults) else Fault()
        try:
            if path.endswith("/realtime"):
                await self._qwen(ws, log, fault)
            elif path.endswith("/inference"):
                await self._cosyvoice(ws, log, fault)
            else:
                await ws.close(1008, "unknown path")
        except (_Stop, ConnectionClosed):
            return
        finally:
            log.closed = True

    # ------------------------------------------------------------ Qwen-TTS realtime
    async def _qwen(self, ws: ServerConnection, log: ConnectionLog, fault: Fault) -> None:
        def error_event(code: str, message: str) -> dict[str, Any]:
            return {
                "event_id": _eid(),
                "type": "error",
                "error": {"code": code, "message": message},
            }

        out = _Outbox(ws, fault, error_event)
        session: dict[str, Any] = {
            "id": "sess_" + uuid.uuid4().hex[:12],
            "object": "realtime.session",
            "mode": "server_commit",
            "model": dict(_query(log.query)).get("model", ""),
            "voice": "Cherry",
            "response_format": "pcm",
            "sample_rate": 24000,
        }
        await out.json({"event_id": _eid(), "type": "session.created", "session": dict(session)})
        buffer: list[str] = []
        async for raw in ws:
            message = json.loads(raw)
            log.received.append(message)
            kind = message.get("type")
            if kind == "session.update":
                session.update(message.get("session") or {})
                await out.json({"event_id": _eid(), "type": "session.updated", "session": session})
            elif kind == "input_text_buffer.append":
                buffer.append(message.get("text", ""))
                if session["mode"] == "server_commit":
                    text = "".join(buffer)
                    buffer.clear()
                    await self._qwen_response(out, text)
            elif kind == "input_text_buffer.commit":
                text = "".join(buffer)
                buffer.clear()
                if not text:
                    await out.json(error_event("invalid_value", "input_text_buffer is empty"))
                    continue
                await out.json(
                    {"event_id": _eid(), "type": "input_text_buffer.committed", "item_id": _eid()}
                )
                await self._qwen_response(out, text)
            elif kind == "input_text_buffer.clear":
                buffer.clear()
                await out.json({"event_id": _eid(), "type": "input_text_buffer.cleared"})
            elif kind == "session.finish":
                if fault.close_on_finish:
                    await ws.close()
                    return
                if buffer:
                    await self._qwen_response(out, "".join(buffer))
                    buffer.clear()
                await out.json({"event_id": _eid(), "type": "session.finished"})
                await ws.close()
                return
            else:
                await out.json(error_event("invalid_value", f"unknown event type {kind!r}"))

    async def _qwen_response(self, out: _Outbox, text: str) -> None:
        response_id = "resp_" + uuid.uuid4().hex[:12]
        item_id = "item_" + uuid.uuid4().hex[:12]
        where = {"response_id": response_id, "item_id": item_id, "output_index": 0}
        await out.json(
            {
                "event_id": _eid(),
                "type": "response.created",
                "response": {
                    "id": response_id,
                    "object": "realtime.response",
                    "status": "in_progress",
                },
            }
        )
        await out.json(
            {
                "event_id": _eid(),
                "type": "response.output_item.added",
                "response_id": response_id,
                "output_index": 0,
                "item": {"id": item_id, "object": "realtime.item", "type": "message"},
            }
        )
        await out.json(
            {"event_id": _eid(), "type": "response.content_part.added", **where, "content_index": 0}
        )
        for chunk in self._chunks(self.audio(text)):
            await out.json(
                {
                    "event_id": _eid(),
                    "type": "response.audio.delta",
                    **where,
                    "content_index": 0,
                    "delta": base64.b64encode(chunk).decode(),
                }
            )
        for kind in ("response.audio.done", "response.content_part.done"):
            await out.json({"event_id": _eid(), "type": kind, **where, "content_index": 0})
        await out.json(
            {"event_id": _eid(), "type": "response.output_item.done", "response_id": response_id}
        )
        characters = len(text)
        await out.json(
            {
                "event_id": _eid(),
                "type": "response.done",
                "response": {
                    "id": response_id,
                    "object": "realtime.response",
                    "status": "completed",
                    "usage": {
                        "characters": characters,
                        "input_tokens": characters,
                        "output_tokens": 2 * characters,
                    },
                },
            }
        )

    # ------------------------------------------------------------ CosyVoice / Sambert
    async def _cosyvoice(self, ws: ServerConnection, log: ConnectionLog, fault: Fault) -> None:
        task_id: str | None = None

        def failed(code: str, message: str) -> dict[str, Any]:
            return {
                "header": {
                    "task_id": task_id or "",
                    "event": "task-failed",
                    "error_code": code,
                    "error_message": message,
                    "attributes": {},
                },
                "payload": {},
            }

        out = _Outbox(ws, fault, failed)
        buffer = ""
        counts = {"characters": 0, "index": 0}
        async for raw in ws:
            if isinstance(raw, bytes):
                await out.json(failed("InvalidParameter", "binary frames are not accepted"))
                continue
            message = json.loads(raw)
            log.received.append(message)
            header = message.get("header") or {}
            payload = message.get("payload") or {}
            action = header.get("action")
            if action == "run-task":
                problem = _run_task_problem(message, busy=task_id is not None)
                if problem:
                    task_id = header.get("task_id")
                    await out.json(failed("InvalidParameter", problem))
                    task_id = None
                    continue
                task_id = header["task_id"]
                buffer, counts = "", {"characters": 0, "index": 0}
                await out.json(_task_event(task_id, "task-started", {}))
                if header.get("streaming") == "out":
                    text = (payload.get("input") or {}).get("text") or ""
                    sentences, rest = split_sentences(text)
                    for sentence in [*sentences, rest] if rest.strip() else sentences:
                        await self._sentence(out, task_id, sentence, counts, with_text=False)
                    await out.json(
                        _task_event(
                            task_id,
                            "task-finished",
                            {"output": {}, "usage": {"characters": counts["characters"]}},
                        )
                    )
                    task_id = None
            elif action in ("continue-task", "finish-task"):
                if task_id is None or header.get("task_id") != task_id:
                    await out.json(failed("InvalidParameter", "no such running task"))
                    continue
                if action == "continue-task":
                    buffer += (payload.get("input") or {}).get("text") or ""
                    sentences, buffer = split_sentences(buffer)
                    for sentence in sentences:
                        await self._sentence(out, task_id, sentence, counts, with_text=True)
                    continue
                if fault.close_on_finish:
                    await ws.close()
                    return
                if buffer.strip():
                    await self._sentence(out, task_id, buffer, counts, with_text=True)
                buffer = ""
                await out.json(
                    _task_event(
                        task_id,
                        "task-finished",
                        {"output": {}, "usage": {"characters": counts["characters"]}},
                    )
                )
                task_id = None
            else:
                await out.json(failed("InvalidParameter", f"unknown action {action!r}"))

    async def _sentence(
        self, out: _Outbox, task_id: str, text: str, counts: dict[str, int], with_text: bool
    ) -> None:
        index = counts["index"]
        counts["index"] += 1
        counts["characters"] += len(text.strip())
        sentence = {"index": index, "words": []}
        begin: dict[str, Any] = {"sentence": sentence, "type": "sentence-begin"}
        if with_text:
            begin["original_text"] = text
        await out.json(_task_event(task_id, "result-generated", {"output": begin}))
        for chunk in self._chunks(self.audio(text)):
            await out.json(
                _task_event(
                    task_id,
                    "result-generated",
                    {"output": {"sentence": sentence, "type": "sentence-synthesis"}},
                )
            )
            await out.send(chunk)
        end: dict[str, Any] = {"sentence": sentence, "type": "sentence-end"}
        if with_text:
            end["original_text"] = text
        await out.json(
            _task_event(
                task_id,
                "result-generated",
                {"output": end, "usage": {"characters": counts["characters"]}},
            )
        )


def _eid() -> str:
    return "event_" + uuid.uuid4().hex[:20]


def _query(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query)


def _task_event(task_id: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"header": {"task_id": task_id, "event": event, "attributes": {}}, "payload": payload}


def _run_task_problem(message: dict[str, Any], busy: bool) -> str | None:
    """What is wrong with a run-task message, as DashScope would refuse it."""
    header = message.get("header") or {}
    payload = message.get("payload") or {}
    parameters = payload.get("parameters") or {}
    model = str(payload.get("model") or "")
    if busy:
        return "a task is already running on this connection"
    if not header.get("task_id"):
        return "header.task_id is required"
    if header.get("streaming") not in ("duplex", "out"):
        return "header.streaming must be duplex or out"
    if (payload.get("task_group"), payload.get("task"), payload.get("function")) != (
        "audio",
        "tts",
        "SpeechSynthesizer",
    ):
        return "payload.task_group/task/function must be audio/tts/SpeechSynthesizer"
    if parameters.get("text_type") != "PlainText":
        return "parameters.text_type must be PlainText"
    if model.startswith("sambert"):
        if header.get("streaming") != "out":
            return "sambert does not support streaming input"
        if not (payload.get("input") or {}).get("text"):
            return "input.text is required"
    elif not parameters.get("voice"):
        return "parameters.voice is required"
    return None


class DashScopeHTTPTTS:
    """Answers DashScope's HTTP speech synthesis for a ``LoopbackServer``: JSON with an
    audio URL (served as a WAV file by the same server), or, with ``X-DashScope-SSE:
    enable``, SSE events carrying base64 PCM deltas and a last event with the URL."""

    def __init__(self, chunk_size: int = 64, bytes_per_char: int = 8) -> None:
        self.chunk_size = chunk_size
        self.bytes_per_char = bytes_per_char
        self.server_url = ""
        self._files: dict[str, bytes] = {}

    def __call__(self, request: ReceivedRequest) -> Reply:
        if request.method == "GET" and request.path.startswith("/audio/"):
            data = self._files.get(request.path.rsplit("/", 1)[-1])
            if data is None:
                return Reply.json({"code": "NotFound", "message": "no such file"}, status=404)
            return Reply(body=data, content_type="audio/wav")
        body = request.json() or {}
        text = (body.get("input") or {}).get("text") or ""
        if not text or not (body.get("input") or {}).get("voice"):
            return Reply.json(
                {
                    "code": "InvalidParameter",
                    "message": "input.text and input.voice are required",
                    "request_id": _eid(),
                },
                status=400,
            )
        pcm = fake_audio(text, self.bytes_per_char)
        name = uuid.uuid4().hex + ".wav"
        self._files[name] = wav_file(pcm)
        audio = {
            "id": "audio_" + name[:8],
            "url": f"{self.server_url}/audio/{name}",
            "expires_at": 1900000000,
        }
        usage = {"characters": len(text)}
        request_id = _eid()
        if request.headers.get("x-dashscope-sse") != "enable":
            return Reply.json(
                {
                    "output": {"finish_reason": "stop", "audio": {**audio, "data": ""}},
                    "usage": usage,
                    "request_id": request_id,
                }
            )
        events = []
        pieces = [pcm[i : i + self.chunk_size] for i in range(0, len(pcm), self.chunk_size)]
        for n, piece in enumerate(pieces, 1):
            event = {
                "output": {
                    "finish_reason": "null",
                    "audio": {
                        "data": base64.b64encode(piece).decode(),
                        "id": audio["id"],
                        "expires_at": audio["expires_at"],
                    },
                },
                "usage": usage,
                "request_id": request_id,
            }
            events.append(
                f"id:{n}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(event)}\n\n".encode()
            )
        last = {
            "output": {"finish_reason": "stop", "audio": {**audio, "data": ""}},
            "usage": usage,
            "request_id": request_id,
        }
        events.append(
            f"id:{len(pieces) + 1}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(last)}\n\n".encode()
        )
        return Reply(body=events, content_type="text/event-stream;charset=UTF-8")


class HTTPTTSLoopback:
    """``async with HTTPTTSLoopback() as server:`` a ``LoopbackServer`` answering with
    ``DashScopeHTTPTTS``; ``server.base_url`` is its ``/api/v1`` root."""

    def __init__(self, chunk_size: int = 64) -> None:
        self.responder = DashScopeHTTPTTS(chunk_size=chunk_size)
        self.server = LoopbackServer(self.responder)

    @property
    def base_url(self) -> str:
        return self.server.url + "/api/v1"

    @property
    def requests(self) -> list[ReceivedRequest]:
        return self.server.requests

    async def __aenter__(self) -> HTTPTTSLoopback:
        await self.server.__aenter__()
        self.responder.server_url = self.server.url
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.server.__aexit__(*exc_info)


class ServerThread:
    """Runs an async-context-manager server in a thread with its own event loop, for
    code that calls ``asyncio.run`` itself (the reference's examples, the benchmark).

    ``with ServerThread(TTSLoopbackServer()) as server: server.base_url``"""

    def __init__(self, server: Any) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> Any:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.__aenter__(), self._loop).result(10)
        return self.server

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _shutdown(self) -> None:
        """Close the server and end the handlers of connections clients left open."""
        await self.server.__aexit__(None, None, None)
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
