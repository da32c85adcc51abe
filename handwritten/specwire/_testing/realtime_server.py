"""Loopback servers speaking the realtime protocols, for tests, the demo and the benchmark
(127.0.0.1 only).

``RealtimeLoopbackServer`` is one websocket server for three protocols, picked by path:

- ``/v1/realtime`` — OpenAI Realtime, GA interface (nested ``audio`` session settings,
  ``response.output_audio.delta``..., ``conversation.item.added``);
- ``/api-ws/v1/realtime`` — DashScope Qwen-Omni-Realtime (flat session settings, the
  beta event names ``response.audio.delta``..., ``conversation.item.created``, no text
  input);
- ``/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`` —
  Gemini Live (``setup``, ``clientContent``, ``realtimeInput``, ``toolResponse``;
  ``serverContent``, ``toolCall``, ``goAway``, ``sessionResumptionUpdate``), with session
  resumption: every completed turn gets a handle that restores the conversation.

The "model" is deterministic (``Brain``): it echoes, recalls what the user said
(``"recall"``), calls ``get_weather`` for "weather in <city>" when the session has that
tool, and answers "bench N" with N audio frames. Speech is ``speech_pcm(text)``: one
PCM16 sample per character (its code point), silence is zeros; the server's "speech
recognition" reads the samples back, and its voice activity detection ends a user turn
at ``silence_ms`` of zeros. The model's audio for a reply is ``speech_pcm(reply)``, sent
in frames of ``frame_bytes`` (960 = 20 ms at 24 kHz), so a client can check what it
heard.

Faults per connection (``faults[i]`` for the i-th connection attempt): refuse the
handshake with an HTTP status, drop the TCP connection after N messages or when about
to send a given event type (each phase: before the session is confirmed, at a response's
start, in the middle of its audio, at its end), close with a code and reason, send an
error event, announce ``goAway`` after N turns, never confirm the session, delay each
message.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import struct
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

OPENAI_PATH = "/v1/realtime"
DASHSCOPE_PATH = "/api-ws/v1/realtime"
GEMINI_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


def speech_pcm(text: str, silence_ms: int = 0, rate: int = 24000) -> bytes:
    """``text`` as loopback "speech" (one PCM16 sample per character), followed by
    ``silence_ms`` of silence (which ends a turn under server turn detection)."""
    samples = [min(ord(c), 32767) for c in text]
    pcm = struct.pack(f"<{len(samples)}h", *samples)
    return pcm + b"\x00\x00" * (rate * silence_ms // 1000)


def hear(pcm: bytes) -> str:
    """What the loopback server "recognises" in ``pcm``: the non-silent samples as text."""
    count = len(pcm) // 2
    return "".join(chr(s) for s in struct.unpack(f"<{count}h", pcm[: count * 2]) if s > 0)


@dataclass
class Fault:
    """What goes wrong on one connection."""

    reject_status: int | None = None
    """Refuse the websocket handshake with this HTTP status."""
    drop_after: int | None = None
    """Abort the TCP connection after this many server messages."""
    drop_at: str | None = None
    """Abort when about to send the first message of this type (Gemini: a top-level
    key such as ``serverContent`` or ``setupComplete``)."""
    drop_at_count: int = 1
    """Which message of type ``drop_at`` (1 = the first)."""
    close_code: int | None = None
    """With ``drop_after`` / ``drop_at``: close with this code (and ``close_reason``)
    instead of aborting."""
    close_reason: str = ""
    error_at: str | None = None
    """Send an error event (``error_code``) instead of this message type (OpenAI-style;
    the session goes on)."""
    error_code: str = "server_error"
    error_message: str = "injected failure"
    go_away_after_turns: int | None = None
    """Gemini: announce ``goAway`` after this many completed turns, close 2 s later."""
    silent: bool = False
    """Never confirm the session."""
    refuse_config: bool = False
    """Refuse the session configuration (OpenAI-style: an error event; Gemini: close
    1007, as for an invalid argument)."""
    delay: float = 0.0


@dataclass
class ConnectionLog:
    """What one client connection sent and got."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    received: list[Any] = field(default_factory=list)
    sent_types: list[str] | None = field(default_factory=list)
    """Types of the messages sent (None: not recorded, for long benchmark sessions)."""
    closed: bool = False


class _Stop(Exception):
    """The fault ended the connection."""


class _Outbox:
    """Sends server messages on one connection, applying its fault."""

    def __init__(
        self, ws: ServerConnection, fault: Fault, log: ConnectionLog, delay: float
    ) -> None:
        self.ws = ws
        self.fault = fault
        self.log = log
        self.delay = delay
        self.sent = 0
        self._seen: dict[str, int] = {}
        self.error_event: Callable[[str, str], dict[str, Any]] | None = None

    async def send(self, kind: str, message: dict[str, Any] | str) -> None:
        """Send ``message`` (a dict, or JSON text already encoded) of type ``kind``."""
        fault = self.fault
        if fault.delay or self.delay:
            await asyncio.sleep(fault.delay or self.delay)
        seen = self._seen[kind] = self._seen.get(kind, 0) + 1
        if (fault.drop_after is not None and self.sent >= fault.drop_after) or (
            fault.drop_at == kind and seen == fault.drop_at_count
        ):
            if fault.close_code is not None:
                await self.ws.close(fault.close_code, fault.close_reason)
            else:
                self.ws.transport.abort()
            raise _Stop
        if fault.error_at == kind and seen == 1 and self.error_event is not None:
            message = self.error_event(fault.error_code, fault.error_message)
            kind = "error"
        self.sent += 1
        if self.log.sent_types is not None:
            self.log.sent_types.append(kind)
        await self.ws.send(
            message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
        )


class Brain:
    """The loopback "model": deterministic replies to a conversation."""

    def reply(
        self, history: list[tuple[str, str]], tools: set[str]
    ) -> tuple[str, dict[str, Any] | None]:
        """``history``: (role, text) pairs, roles user / assistant / tool. Returns the
        reply text, or a function call ``{"name", "arguments"}``."""
        role, last = history[-1] if history else ("user", "")
        if role == "tool":
            return f"The weather is {last}.", None
        words = last.split()
        if last.strip().lower() == "recall":
            said = [t for r, t in history[:-1] if r == "user"]
            return "You said: " + " | ".join(said), None
        if len(words) == 2 and words[0] == "bench" and words[1].isdigit():
            return "bench", None
        lowered = last.lower()
        if "weather in " in lowered and "get_weather" in tools:
            city = last[lowered.index("weather in ") + len("weather in ") :].strip(" ?.!")
            return "", {"name": "get_weather", "arguments": json.dumps({"city": city})}
        return f"echo: {last}", None


def _usage(history: list[tuple[str, str]], reply: str) -> tuple[int, int]:
    """Token counts: the words of the conversation, and of the reply."""
    return sum(len(t.split()) for _, t in history), max(1, len(reply.split()))


class RealtimeLoopbackServer:
    """``async with RealtimeLoopbackServer() as server:`` then point a credential at
    ``server.openai_base_url`` / ``dashscope_base_url`` / ``gemini_base_url``."""

    def __init__(
        self,
        faults: list[Fault] | None = None,
        frame_bytes: int = 960,
        frame_interval: float = 0.0,
        silence_ms: int = 100,
        brain: Brain | None = None,
        keep_log: bool = True,
    ) -> None:
        self.faults = list(faults or [])
        self.keep_log = keep_log
        """Record what each connection sent and got (off for long benchmark sessions)."""
        self.frame_bytes = frame_bytes
        self.frame_interval = frame_interval
        self.silence_ms = silence_ms
        self.brain = brain or Brain()
        self.connections: list[ConnectionLog] = []
        self.attempts = 0
        self.port = 0
        self.usage_sent: list[tuple[int, int]] = []
        """(input, output) tokens of every response, in order."""
        self._gemini_sessions: dict[str, list[tuple[str, str]]] = {}
        self._server: Server | None = None
        self._faults_by_connection: dict[int, Fault] = {}

    @property
    def openai_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def dashscope_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    @property
    def gemini_base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> RealtimeLoopbackServer:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            compression=None,
            process_request=self._process_request,
            max_size=2**24,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        index = self.attempts
        self.attempts += 1
        fault = self.faults[index] if index < len(self.faults) else Fault()
        self._faults_by_connection[id(connection)] = fault
        if fault.reject_status is not None:
            status = fault.reject_status
            # The body a provider sends with such a status (its code agrees with it).
            if status >= 500:
                kind, code = "server_error", "server_error"
            elif status == 429:
                kind, code = "rate_limit_error", "rate_limit_exceeded"
            else:
                kind, code = "invalid_request_error", "invalid_api_key"
            body = json.dumps(
                {"error": {"type": kind, "code": code, "message": "refused by the loopback fault"}}
            )
            response = connection.respond(fault.reject_status, body)
            response.headers["Content-Type"] = "application/json"
            return response
        return None

    def audio_for(self, text: str) -> bytes:
        """The audio the server speaks for a reply ``text``."""
        return speech_pcm(text)

    def _frames(self, reply: str) -> list[bytes]:
        if reply == "bench":
            return []
        audio = self.audio_for(reply)
        size = self.frame_bytes
        return [audio[i : i + size] for i in range(0, len(audio), size)]

    async def _handle(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        path, _, query = request.path.partition("?")
        log = ConnectionLog(
            path, dict(parse_qsl(query)), {k.lower(): v for k, v in request.headers.raw_items()}
        )
        if not self.keep_log:
            log.sent_types = None
        self.connections.append(log)
        fault = self._faults_by_connection.pop(id(ws), Fault())
        try:
            if path == OPENAI_PATH:
                await _OpenAIConnection(self, ws, log, fault, flat=False).run()
            elif path == DASHSCOPE_PATH:
                await _OpenAIConnection(self, ws, log, fault, flat=True).run()
            elif path == GEMINI_PATH:
                await _GeminiConnection(self, ws, log, fault).run()
            else:
                await ws.close(1008, "unknown path")
        except (_Stop, ConnectionClosed):
            return
        finally:
            log.closed = True


class _Vad:
    """Server voice activity detection over loopback speech."""

    def __init__(self, silence_samples: int) -> None:
        self.silence_samples = silence_samples
        self.buffer = bytearray()
        self.speaking = False
        self._quiet = 0

    def feed(self, pcm: bytes) -> tuple[bool, bool]:
        """(speech started, speech stopped) after this piece."""
        self.buffer += pcm
        started = stopped = False
        count = len(pcm) // 2
        for sample in struct.unpack(f"<{count}h", pcm[: count * 2]):
            if sample:
                if not self.speaking:
                    self.speaking = started = True
                self._quiet = 0
            elif self.speaking:
                self._quiet += 1
                if self._quiet >= self.silence_samples:
                    self.speaking = False
                    self._quiet = 0
                    stopped = True
        return started, stopped

    def take(self) -> str:
        text = hear(bytes(self.buffer))
        self.buffer.clear()
        return text


class _OpenAIConnection:
    """One OpenAI-protocol (GA) or Qwen-Omni (flat) connection."""

    def __init__(
        self,
        server: RealtimeLoopbackServer,
        ws: ServerConnection,
        log: ConnectionLog,
        fault: Fault,
        flat: bool,
    ) -> None:
        self.server = server
        self.ws = ws
        self.log = log
        self.fault = fault
        self.flat = flat
        self.out = _Outbox(ws, fault, log, 0.0)
        self.out.error_event = self._error_event
        self.names = {
            "text": "response.text.delta" if flat else "response.output_text.delta",
            "audio": "response.audio.delta" if flat else "response.output_audio.delta",
            "transcript": "response.audio_transcript.delta"
            if flat
            else "response.output_audio_transcript.delta",
            "item": "conversation.item.created" if flat else "conversation.item.added",
        }
        self.session: dict[str, Any] = {
            "id": "sess_" + uuid.uuid4().hex[:12],
            "object": "realtime.session",
            "model": log.query.get("model", ""),
        }
        if flat:
            self.session.update(
                {
                    "modalities": ["text", "audio"],
                    "voice": "Cherry",
                    "input_audio_format": "pcm16",
                    "output_audio_format": "pcm24",
                    "turn_detection": {"type": "server_vad"},
                }
            )
        else:
            self.session.update(
                {
                    "type": "realtime",
                    "output_modalities": ["audio"],
                    "audio": {
                        "input": {
                            "format": {"type": "audio/pcm", "rate": 24000},
                            "turn_detection": {"type": "server_vad"},
                        },
                        "output": {
                            "format": {"type": "audio/pcm", "rate": 24000},
                            "voice": "marin",
                        },
                    },
                }
            )
        self.history: list[tuple[str, str]] = []
        self.vad = _Vad(24 * server.silence_ms)
        self.response: asyncio.Task[None] | None = None
        self.response_id: str | None = None

    def _error_event(self, code: str, message: str) -> dict[str, Any]:
        return {
            "type": "error",
            "event_id": _eid(),
            "error": {"type": "server_error", "code": code, "message": message},
        }

    async def _error(self, code: str, message: str, param: str | None = None) -> None:
        await self.out.send(
            "error",
            {
                "type": "error",
                "event_id": _eid(),
                "error": {
                    "type": "invalid_request_error",
                    "code": code,
                    "message": message,
                    "param": param,
                },
            },
        )

    # ---------------------------------------------------------------- settings
    def _detection(self) -> Any:
        if self.flat:
            return self.session.get("turn_detection")
        return ((self.session.get("audio") or {}).get("input") or {}).get("turn_detection")

    def _audio_out(self) -> bool:
        if self.flat:
            return "audio" in (self.session.get("modalities") or [])
        return "audio" in (self.session.get("output_modalities") or [])

    def _tools(self) -> set[str]:
        names = set()
        for tool in self.session.get("tools") or ():
            spec = tool.get("function", tool) if self.flat else tool
            names.add(spec.get("name"))
        return names

    def _transcribing(self) -> bool:
        if self.flat:
            return bool(self.session.get("input_audio_transcription"))
        return bool(((self.session.get("audio") or {}).get("input") or {}).get("transcription"))

    def _update_problem(self, update: dict[str, Any]) -> str | None:
        if self.flat:
            modalities = update.get("modalities")
            if modalities is not None and sorted(modalities) not in (["text"], ["audio", "text"]):
                return f"Invalid modalities: {modalities}"
            if update.get("input_audio_format") not in (None, "pcm16", "pcm"):
                return "input_audio_format must be pcm16"
            return None
        if update.get("type") not in (None, "realtime"):
            return "session.type must be realtime"
        fmt = ((update.get("audio") or {}).get("input") or {}).get("format") or {}
        if fmt and (fmt.get("type") != "audio/pcm" or fmt.get("rate") != 24000):
            return "Only 24kHz audio/pcm is supported"
        return None

    # ---------------------------------------------------------------- the loop
    async def run(self) -> None:
        await self.out.send(
            "session.created",
            {"type": "session.created", "event_id": _eid(), "session": self.session},
        )
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if self.server.keep_log:
                    self.log.received.append(message)
                await self._on(message)
        finally:
            if self.response is not None:
                self.response.cancel()

    async def _on(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "session.update":
            update = message.get("session") or {}
            problem = self._update_problem(update)
            if self.fault.refuse_config:
                problem = "Invalid value for the session configuration"
            if problem:
                await self._error("invalid_value", problem, "session")
                return
            _deep_update(self.session, update)
            if self.fault.silent:
                return
            await self.out.send(
                "session.updated",
                {"type": "session.updated", "event_id": _eid(), "session": self.session},
            )
        elif kind == "input_audio_buffer.append":
            pcm = base64.b64decode(message.get("audio") or "")
            if self._detection():
                started, stopped = self.vad.feed(pcm)
                if started:
                    await self.out.send(
                        "input_audio_buffer.speech_started",
                        {
                            "type": "input_audio_buffer.speech_started",
                            "event_id": _eid(),
                            "item_id": None,
                        },
                    )
                    if self.response is not None and not self.response.done():
                        await self._cancel("turn_detected")
                if stopped:
                    await self.out.send(
                        "input_audio_buffer.speech_stopped",
                        {"type": "input_audio_buffer.speech_stopped", "event_id": _eid()},
                    )
                    await self._commit_audio()
                    if self._detection().get("create_response", True):
                        self._respond()
            else:
                self.vad.buffer += pcm
        elif kind == "input_audio_buffer.commit":
            if not self.vad.buffer:
                await self._error(
                    "input_audio_buffer_commit_empty", "the input audio buffer is empty"
                )
                return
            await self._commit_audio()
        elif kind == "input_audio_buffer.clear":
            self.vad.buffer.clear()
        elif kind == "conversation.item.create":
            await self._item(message.get("item") or {})
        elif kind == "conversation.item.truncate":
            await self.out.send(
                "conversation.item.truncated",
                {
                    "type": "conversation.item.truncated",
                    "event_id": _eid(),
                    "item_id": message.get("item_id"),
                    "audio_end_ms": message.get("audio_end_ms"),
                },
            )
        elif kind == "response.create":
            if self.response is not None and not self.response.done():
                await self._error(
                    "conversation_already_has_active_response", "a response is in progress"
                )
                return
            self._respond()
        elif kind == "response.cancel":
            if self.response is None or self.response.done():
                await self._error("response_cancel_not_active", "no active response")
                return
            await self._cancel("client_cancelled")
        else:
            await self._error("invalid_event", f"unknown event type {kind!r}")

    async def _commit_audio(self) -> None:
        text = self.vad.take()
        item_id = "item_" + uuid.uuid4().hex[:12]
        await self.out.send(
            "input_audio_buffer.committed",
            {"type": "input_audio_buffer.committed", "event_id": _eid(), "item_id": item_id},
        )
        await self.out.send(
            self.names["item"],
            {
                "type": self.names["item"],
                "event_id": _eid(),
                "item": {
                    "id": item_id,
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_audio", "transcript": None}],
                },
            },
        )
        self.history.append(("user", text))
        if self._transcribing():
            await self.out.send(
                "conversation.item.input_audio_transcription.delta",
                {
                    "type": "conversation.item.input_audio_transcription.delta",
                    "event_id": _eid(),
                    "item_id": item_id,
                    "content_index": 0,
                    "delta": text,
                },
            )
            await self.out.send(
                "conversation.item.input_audio_transcription.completed",
                {
                    "type": "conversation.item.input_audio_transcription.completed",
                    "event_id": _eid(),
                    "item_id": item_id,
                    "content_index": 0,
                    "transcript": text,
                },
            )

    async def _item(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        if kind == "message":
            if self.flat:
                await self._error("invalid_value", "text input is not supported; send audio")
                return
            texts = "".join(c.get("text", "") for c in item.get("content") or ())
            role = item.get("role")
            self.history.append(("user" if role == "user" else "assistant", texts))
        elif kind == "function_call":
            self.history.append(("call", item.get("arguments", "")))
        elif kind == "function_call_output":
            self.history.append(("tool", _tool_text(str(item.get("output", "")))))
        else:
            await self._error("invalid_value", f"unknown item type {kind!r}")
            return
        item = {"id": "item_" + uuid.uuid4().hex[:12], **item}
        await self.out.send(
            self.names["item"], {"type": self.names["item"], "event_id": _eid(), "item": item}
        )

    def _respond(self) -> None:
        self.response_id = "resp_" + uuid.uuid4().hex[:12]
        reply, call = self.server.brain.reply(self.history, self._tools())
        last = self.history[-1][1] if self.history else ""
        self.response = asyncio.get_running_loop().create_task(
            self._stream(self.response_id, reply, call, last)
        )

    async def _cancel(self, reason: str) -> None:
        task = self.response
        if task is None or task.done():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, _Stop, ConnectionClosed):
            await task
        await self.out.send(
            "response.done",
            {
                "type": "response.done",
                "event_id": _eid(),
                "response": {
                    "id": self.response_id,
                    "object": "realtime.response",
                    "status": "cancelled",
                    "status_details": {"type": "cancelled", "reason": reason},
                    "output": [],
                    "usage": None,
                },
            },
        )

    async def _stream(
        self, response_id: str, reply: str, call: dict[str, Any] | None, last: str
    ) -> None:
        try:
            await self._stream_response(response_id, reply, call, last)
        except (_Stop, ConnectionClosed):
            return

    async def _stream_response(
        self, response_id: str, reply: str, call: dict[str, Any] | None, last: str
    ) -> None:
        out = self.out
        server = self.server
        await out.send(
            "response.created",
            {
                "type": "response.created",
                "event_id": _eid(),
                "response": {
                    "id": response_id,
                    "object": "realtime.response",
                    "status": "in_progress",
                    "output": [],
                },
            },
        )
        item_id = "item_" + uuid.uuid4().hex[:12]
        where = {
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
        if call is not None:
            call_id = "call_" + uuid.uuid4().hex[:12]
            await out.send(
                "response.output_item.added",
                {
                    "type": "response.output_item.added",
                    "event_id": _eid(),
                    "response_id": response_id,
                    "output_index": 0,
                    "item": {
                        "id": item_id,
                        "type": "function_call",
                        "call_id": call_id,
                        "name": call["name"],
                        "arguments": "",
                    },
                },
            )
            arguments = call["arguments"]
            for i in range(0, len(arguments), 7):
                await out.send(
                    "response.function_call_arguments.delta",
                    {
                        "type": "response.function_call_arguments.delta",
                        "event_id": _eid(),
                        "response_id": response_id,
                        "item_id": item_id,
                        "output_index": 0,
                        "call_id": call_id,
                        "delta": arguments[i : i + 7],
                    },
                )
                await asyncio.sleep(0)
            await out.send(
                "response.function_call_arguments.done",
                {
                    "type": "response.function_call_arguments.done",
                    "event_id": _eid(),
                    "response_id": response_id,
                    "item_id": item_id,
                    "output_index": 0,
                    "call_id": call_id,
                    "name": call["name"],
                    "arguments": arguments,
                },
            )
            await out.send(
                "response.output_item.done",
                {
                    "type": "response.output_item.done",
                    "event_id": _eid(),
                    "response_id": response_id,
                    "output_index": 0,
                    "item": {
                        "id": item_id,
                        "type": "function_call",
                        "call_id": call_id,
                        "name": call["name"],
                        "arguments": arguments,
                        "status": "completed",
                    },
                },
            )
            self.history.append(("call", arguments))
            reply = ""
        else:
            await out.send(
                "response.output_item.added",
                {
                    "type": "response.output_item.added",
                    "event_id": _eid(),
                    "response_id": response_id,
                    "output_index": 0,
                    "item": {"id": item_id, "type": "message", "role": "assistant", "content": []},
                },
            )
            await out.send(
                "response.content_part.added",
                {
                    "type": "response.content_part.added",
                    "event_id": _eid(),
                    **where,
                    "part": {"type": "audio" if self._audio_out() else "text"},
                },
            )
            words = reply.split(" ")
            if reply == "bench":
                count = int(last.split()[1])
                frame = base64.b64encode(b"\x01\x00" * (server.frame_bytes // 2)).decode()
                # Encoded once: the benchmark measures the client, not this server.
                message = json.dumps(
                    {
                        "type": self.names["audio"],
                        "event_id": "event_bench",
                        **where,
                        "delta": frame,
                    }
                )
                for _ in range(count):
                    await out.send(self.names["audio"], message)
                    if server.frame_interval:
                        await asyncio.sleep(server.frame_interval)
                words = []
            elif self._audio_out():
                frames = server._frames(reply)
                per_frame = max(1, -(-len(words) // max(1, len(frames))))
                for n, frame_pcm in enumerate(frames):
                    await out.send(
                        self.names["audio"],
                        {
                            "type": self.names["audio"],
                            "event_id": _eid(),
                            **where,
                            "delta": base64.b64encode(frame_pcm).decode(),
                        },
                    )
                    piece = words[n * per_frame : (n + 1) * per_frame]
                    if piece:
                        text = " ".join(piece) + (" " if (n + 1) * per_frame < len(words) else "")
                        await out.send(
                            self.names["transcript"],
                            {
                                "type": self.names["transcript"],
                                "event_id": _eid(),
                                **where,
                                "delta": text,
                            },
                        )
                    await asyncio.sleep(server.frame_interval)
            else:
                for n, word in enumerate(words):
                    text = word + (" " if n + 1 < len(words) else "")
                    await out.send(
                        self.names["text"],
                        {"type": self.names["text"], "event_id": _eid(), **where, "delta": text},
                    )
                    await asyncio.sleep(server.frame_interval)
            await out.send(
                "response.output_item.done",
                {
                    "type": "response.output_item.done",
                    "event_id": _eid(),
                    "response_id": response_id,
                    "output_index": 0,
                    "item": {"id": item_id, "type": "message", "status": "completed"},
                },
            )
            self.history.append(("assistant", reply))
        tokens_in, tokens_out = _usage(self.history, reply)
        server.usage_sent.append((tokens_in, tokens_out))
        usage = {
            "total_tokens": tokens_in + tokens_out,
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "input_token_details": {
                "cached_tokens": 0,
                "text_tokens": tokens_in,
                "audio_tokens": 0,
            },
            "output_token_details": {"text_tokens": tokens_out, "audio_tokens": 0},
        }
        await out.send(
            "response.done",
            {
                "type": "response.done",
                "event_id": _eid(),
                "response": {
                    "id": response_id,
                    "object": "realtime.response",
                    "status": "completed",
                    "status_details": None,
                    "usage": usage,
                },
            },
        )
        await out.send(
            "rate_limits.updated",
            {
                "type": "rate_limits.updated",
                "event_id": _eid(),
                "rate_limits": [
                    {
                        "name": "tokens",
                        "limit": 40000,
                        "remaining": 40000 - tokens_in - tokens_out,
                        "reset_seconds": 1.5,
                    }
                ],
            },
        )


class _GeminiConnection:
    """One Gemini Live connection."""

    def __init__(
        self, server: RealtimeLoopbackServer, ws: ServerConnection, log: ConnectionLog, fault: Fault
    ) -> None:
        self.server = server
        self.ws = ws
        self.log = log
        self.fault = fault
        self.out = _Outbox(ws, fault, log, 0.0)
        self.setup: dict[str, Any] = {}
        self.history: list[tuple[str, str]] = []
        self.vad = _Vad(16 * server.silence_ms)
        self.response: asyncio.Task[None] | None = None
        self.index = -1  # index of the last client message consumed
        self.turns = 0
        self.session_id = uuid.uuid4().hex[:8]
        self.pending_calls: list[str] = []  # tool calls not answered yet

    async def send(self, message: dict[str, Any]) -> None:
        kind = next(iter(k for k in message if k != "usageMetadata"), "usageMetadata")
        await self.out.send(kind, message)

    async def run(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if self.server.keep_log:
                    self.log.received.append(message)
                self.index += 1
                await self._on(message)
        finally:
            if self.response is not None:
                self.response.cancel()

    def _auto(self) -> bool:
        detection = (self.setup.get("realtimeInputConfig") or {}).get(
            "automaticActivityDetection"
        ) or {}
        return not detection.get("disabled", False)

    def _tools(self) -> set[str]:
        return {
            d.get("name")
            for tool in self.setup.get("tools") or ()
            for d in tool.get("functionDeclarations") or ()
        }

    async def _on(self, message: dict[str, Any]) -> None:
        if "setup" in message:
            setup = message["setup"]
            if not str(setup.get("model", "")).startswith("models/"):
                await self.ws.close(1007, "model must be models/<name>")
                raise _Stop
            if self.fault.refuse_config:
                await self.ws.close(1007, "Request contains an invalid argument.")
                raise _Stop
            handle = (setup.get("sessionResumption") or {}).get("handle")
            if handle:
                saved = self.server._gemini_sessions.get(handle)
                if saved is None:
                    await self.ws.close(1008, "session resumption handle not found")
                    raise _Stop
                self.history = list(saved)
            self.setup = setup
            if self.fault.silent:
                return
            await self.send({"setupComplete": {}})
            return
        if not self.setup:
            await self.ws.close(1007, "the first message must be setup")
            raise _Stop
        if "clientContent" in message:
            content = message["clientContent"]
            for turn in content.get("turns") or ():
                for part in turn.get("parts") or ():
                    if "text" in part:
                        self.history.append(
                            ("user" if turn.get("role") == "user" else "assistant", part["text"])
                        )
                    elif "functionResponse" in part:
                        self.history.append(
                            ("tool", json.dumps(part["functionResponse"].get("response")))
                        )
            if content.get("turnComplete"):
                self._respond()
        elif "realtimeInput" in message:
            realtime = message["realtimeInput"]
            if "activityStart" in realtime:
                if self._auto():
                    await self.ws.close(
                        1007, "activityStart needs automatic activity detection disabled"
                    )
                    raise _Stop
                await self._interrupt()
            elif "activityEnd" in realtime:
                await self._user_turn_ended()
            elif "audio" in realtime:
                blob = realtime["audio"]
                pcm = base64.b64decode(blob.get("data") or "")
                if self._auto():
                    started, stopped = self.vad.feed(pcm)
                    if started:
                        await self._interrupt()
                    if stopped:
                        await self._user_turn_ended()
                else:
                    self.vad.buffer += pcm
            elif "text" in realtime:
                self.history.append(("user", realtime["text"]))
                self._respond()
        elif "toolResponse" in message:
            for response in message["toolResponse"].get("functionResponses") or ():
                if response.get("id") in self.pending_calls:
                    self.pending_calls.remove(response["id"])
                result = response.get("response") or {}
                self.history.append(("tool", str(result.get("result", json.dumps(result)))))
            self._respond()
        else:
            await self.ws.close(1007, "unknown client message")
            raise _Stop

    async def _interrupt(self) -> None:
        if self.pending_calls:
            # The user spoke over the model while it waited for tool results.
            ids, self.pending_calls = self.pending_calls, []
            await self.send({"toolCallCancellation": {"ids": ids}})
        task = self.response
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, _Stop, ConnectionClosed):
                await task
            await self.send({"serverContent": {"interrupted": True}})

    async def _user_turn_ended(self) -> None:
        text = self.vad.take()
        self.history.append(("user", text))
        if self.setup.get("inputAudioTranscription") is not None:
            await self.send({"serverContent": {"inputTranscription": {"text": text}}})
        self._respond()

    def _respond(self) -> None:
        # New input while the model speaks interrupts it, as Gemini does.
        previous = self.response
        reply, call = self.server.brain.reply(self.history, self._tools())
        last = self.history[-1][1] if self.history else ""
        self.response = asyncio.get_running_loop().create_task(
            self._stream(previous, reply, call, last)
        )

    async def _stream(
        self,
        previous: asyncio.Task[None] | None,
        reply: str,
        call: dict[str, Any] | None,
        last: str,
    ) -> None:
        try:
            if previous is not None and not previous.done():
                previous.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await previous
                await self.send({"serverContent": {"interrupted": True}})
            await self._stream_turn(reply, call, last)
        except (_Stop, ConnectionClosed):
            return

    async def _stream_turn(self, reply: str, call: dict[str, Any] | None, last: str) -> None:
        server = self.server
        modalities = (self.setup.get("generationConfig") or {}).get("responseModalities") or [
            "AUDIO"
        ]
        if call is not None:
            call_id = "fc_" + uuid.uuid4().hex[:10]
            self.pending_calls.append(call_id)
            self.history.append(("call", call["arguments"]))
            await self.send(
                {
                    "toolCall": {
                        "functionCalls": [
                            {
                                "id": call_id,
                                "name": call["name"],
                                "args": json.loads(call["arguments"]),
                            }
                        ]
                    }
                }
            )
            return
        if reply == "bench":
            frame = base64.b64encode(b"\x01\x00" * (server.frame_bytes // 2)).decode()
            for _ in range(int(last.split()[1])):
                await self.send(
                    {
                        "serverContent": {
                            "modelTurn": {
                                "parts": [
                                    {
                                        "inlineData": {
                                            "mimeType": "audio/pcm;rate=24000",
                                            "data": frame,
                                        }
                                    }
                                ]
                            }
                        }
                    }
                )
                if server.frame_interval:
                    await asyncio.sleep(server.frame_interval)
        elif "AUDIO" in modalities:
            words = reply.split(" ")
            frames = server._frames(reply)
            per_frame = max(1, -(-len(words) // max(1, len(frames))))
            for n, pcm in enumerate(frames):
                content: dict[str, Any] = {
                    "modelTurn": {
                        "parts": [
                            {
                                "inlineData": {
                                    "mimeType": "audio/pcm;rate=24000",
                                    "data": base64.b64encode(pcm).decode(),
                                }
                            }
                        ]
                    }
                }
                piece = words[n * per_frame : (n + 1) * per_frame]
                if piece and self.setup.get("outputAudioTranscription") is not None:
                    content["outputTranscription"] = {
                        "text": " ".join(piece) + (" " if (n + 1) * per_frame < len(words) else "")
                    }
                await self.send({"serverContent": content})
                await asyncio.sleep(server.frame_interval)
        else:
            words = reply.split(" ")
            for n, word in enumerate(words):
                await self.send(
                    {
                        "serverContent": {
                            "modelTurn": {
                                "parts": [{"text": word + (" " if n + 1 < len(words) else "")}]
                            }
                        }
                    }
                )
                await asyncio.sleep(server.frame_interval)
        self.history.append(("assistant", reply))
        tokens_in, tokens_out = _usage(self.history, reply)
        server.usage_sent.append((tokens_in, tokens_out))
        await self.send({"serverContent": {"generationComplete": True}})
        await self.send(
            {
                "serverContent": {"turnComplete": True},
                "usageMetadata": {
                    "promptTokenCount": tokens_in,
                    "responseTokenCount": tokens_out,
                    "totalTokenCount": tokens_in + tokens_out,
                    "responseTokensDetails": [
                        {
                            "modality": "AUDIO" if "AUDIO" in modalities else "TEXT",
                            "tokenCount": tokens_out,
                        }
                    ],
                },
            }
        )
        self.turns += 1
        if self.setup.get("sessionResumption") is not None:
            handle = f"h-{self.session_id}-{self.turns}"
            server._gemini_sessions[handle] = list(self.history)
            update: dict[str, Any] = {"newHandle": handle, "resumable": True}
            if self.setup["sessionResumption"].get("transparent"):
                update["lastConsumedClientMessageIndex"] = self.index
            await self.send({"sessionResumptionUpdate": update})
        if (
            self.fault.go_away_after_turns is not None
            and self.turns >= self.fault.go_away_after_turns
        ):
            await self.send({"goAway": {"timeLeft": "2s"}})
            asyncio.get_running_loop().call_later(2.0, self.ws.transport.abort)


def _tool_text(output: str) -> str:
    """A tool result as the model reads it: the ``result`` of a JSON object, else as is."""
    try:
        data = json.loads(output)
    except ValueError:
        return output
    return str(data.get("result", output)) if isinstance(data, dict) else output


def _deep_update(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = value


def _eid() -> str:
    return "event_" + uuid.uuid4().hex[:20]
