"""Qwen3-TTS realtime over DashScope's realtime websocket.

Message shapes follow DashScope's "Qwen-TTS Realtime client events"
(https://www.alibabacloud.com/help/en/model-studio/qwen-tts-realtime-client-events),
"server events" (https://www.alibabacloud.com/help/en/model-studio/qwen-tts-realtime-server-events)
and "Interaction flow for real-time speech synthesis"
(https://www.alibabacloud.com/help/en/model-studio/interactive-process-of-qwen-tts-realtime-synthesis):

- client ``{"event_id", "type": "session.update", "session": {"mode", "voice",
  "response_format", "sample_rate", ...}}``, ``{"event_id", "type":
  "input_text_buffer.append", "text"}``, ``{"event_id", "type":
  "input_text_buffer.commit"}``, ``{"event_id", "type": "session.finish"}``;
- server ``session.created`` / ``session.updated``, ``input_text_buffer.committed``,
  ``response.created`` ... ``response.audio.delta`` (``"delta"``: base64 audio) ...
  ``response.done`` (``response.usage``), ``session.finished`` (then the server
  closes), ``error`` (``{"error": {"code", "message"}}``).

The session runs in ``commit`` mode (spec ``fixed_body``): every commit is answered by
exactly one response, so each ``response.done`` acknowledges the oldest committed piece
of text, which is what a reconnect needs to resend only unspoken text. The documents
call commit mode the lowest-latency one; every push becomes audio right away.
Event names are spec data (``QwenRealtimeOptions``).
"""

from __future__ import annotations

import base64
from typing import ClassVar

import orjson
from websockets.asyncio.client import ClientConnection

from .._core.binding import place_parameters
from .._core.contract import DialectOptions
from .._core.error_body import ErrorFormat
from .._core.ids import new_id
from .realtime import RealtimeTTSDialect, RealtimeTTSModelBase, RealtimeTTSOptions
from .wire import merged


class QwenClientEvents(DialectOptions):
    """The ``type`` of each client event."""

    session_update: str = "session.update"
    append: str = "input_text_buffer.append"
    commit: str = "input_text_buffer.commit"
    finish: str = "session.finish"


class QwenServerEvents(DialectOptions):
    """The ``type`` of each server event read."""

    audio_delta: str = "response.audio.delta"
    response_done: str = "response.done"
    session_finished: str = "session.finished"
    error: str = "error"


class QwenRealtimeOptions(RealtimeTTSOptions):
    """What a spec says to the Qwen-TTS realtime protocol."""

    client_events: QwenClientEvents = QwenClientEvents()
    """Client event names."""
    server_events: QwenServerEvents = QwenServerEvents()
    """Server event names."""


class QwenRealtimeDialect(RealtimeTTSDialect):
    """Qwen-TTS realtime: session.update, then append + commit per piece of text."""

    name = "qwen_tts_realtime"
    model_base: ClassVar[str] = "specwire._tts.qwen_realtime:QwenRealtimeTTSModel"
    Options: ClassVar[type[DialectOptions]] = QwenRealtimeOptions
    options: QwenRealtimeOptions
    # {"type": "error", "error": {"code", "message"}}
    error_format: ClassVar[ErrorFormat] = ErrorFormat(
        message=("error.message",), code=("error.code",)
    )


class QwenRealtimeTTSModel(RealtimeTTSModelBase):
    """Base of spec'd Qwen-TTS realtime classes (append + commit per send)."""

    ready_on_start: ClassVar[bool] = True
    finish_on_ack: ClassVar[bool] = True

    def _configure_protocol(self) -> None:
        options = self._options
        if not isinstance(options, QwenRealtimeOptions):
            raise TypeError(
                f"{type(self).__name__} speaks qwen_tts_realtime, not {self._endpoint.dialect}"
            )
        client, server = options.client_events, options.server_events
        self._ev_update: str = client.session_update
        self._ev_append: str = client.append
        self._ev_commit: str = client.commit
        self._ev_finish: str = client.finish
        self._ev_audio: str = server.audio_delta
        self._ev_done: str = server.response_done
        self._ev_finished: str = server.session_finished
        self._ev_error: str = server.error

    async def _send_start(self, ws: ClientConnection) -> None:
        message = merged(
            {"event_id": _event_id(), "type": self._ev_update}, self._endpoint.fixed_body
        )
        place_parameters(message, self._wire_parameters, self.binding.wire_params)
        await self._send_json(ws, message)

    async def _send_text(self, ws: ClientConnection, text: str) -> None:
        # Two frames written back to back; nothing can come between them.
        await ws.send(
            orjson.dumps({"event_id": _event_id(), "type": self._ev_append, "text": text}),
            text=True,
        )
        await ws.send(orjson.dumps({"event_id": _event_id(), "type": self._ev_commit}), text=True)

    async def _send_finish(self, ws: ClientConnection) -> None:
        # Every piece was committed; the utterance ends when each has its response.done.
        # The session stays open for the next utterance (session.finish is sent on close).
        return None

    async def _send_goodbye(self, ws: ClientConnection) -> bool:
        await self._send_json(ws, {"event_id": _event_id(), "type": self._ev_finish})
        return True

    def _on_message(self, message: str | bytes) -> bool:
        if isinstance(message, bytes):
            return False
        event = orjson.loads(message)
        kind = event.get("type")
        if kind == self._ev_audio:
            delta = event.get("delta")
            if delta:
                self._on_audio(base64.b64decode(delta))
        elif kind == self._ev_done:
            response = event.get("response") or {}
            self._record_usage(response.get("usage"), cumulative=False)
            self._ack_pieces(1)
        elif kind == self._ev_error:
            raise self._event_error(event)
        return False


def _event_id() -> str:
    return "event_" + new_id()
