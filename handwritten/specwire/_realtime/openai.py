"""The OpenAI Realtime event protocol, and servers that copy it (DashScope's
Qwen-Omni-Realtime, vLLM and other OpenAI-compatible realtime servers).

Client events (OpenAI "Realtime client events", GA interface): ``session.update``,
``input_audio_buffer.append`` (``audio``: base64 PCM16) / ``commit``,
``conversation.item.create`` (user text, ``function_call_output``),
``conversation.item.truncate``, ``response.create``, ``response.cancel``.

Server events: ``session.created`` / ``session.updated``, ``response.created``, the text,
audio and audio-transcript deltas, ``response.output_item.added`` (names a function
call), ``response.function_call_arguments.delta`` / ``.done``, ``response.done``
(``status``, ``status_details``, ``usage``), ``input_audio_buffer.speech_started`` /
``speech_stopped``, ``conversation.item.input_audio_transcription.delta`` /
``.completed``, ``rate_limits.updated`` and ``error``.

What differs between servers is spec data (``endpoint.options``): every event name
(``client_events`` / ``server_events``: OpenAI's GA names are ``response.output_text.delta``
and ``response.output_audio.delta``, Qwen-Omni keeps the beta ``response.text.delta`` /
``response.audio.delta``), the session's shape (``session_shape``: ``ga`` nests the audio
settings under ``audio.input`` / ``audio.output``; ``flat`` has ``input_audio_format``,
``voice``, ``modalities`` at the top), the tool shape (``tool_shape``: ``flat`` or the
chat-completions ``function`` wrapper), the audio format names, the transcription model,
whether text input and history restore are offered.

No resumption: OpenAI documents none, so a reconnect opens a new session with the same
configuration and (``restore_history``) re-creates the conversation from the session's
own record (user texts, the transcripts of the user's speech, the model's text or
transcript, tool calls and their results), at most ``max_history_items`` of them. Audio
not yet committed and a response in flight are lost; the model hears restored speech as
text.
"""

from __future__ import annotations

import copy
from base64 import b64encode
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal

import orjson

from .._core.binding import EndpointBinding, WireParam
from .._core.contract import DialectOptions
from .._core.error_body import OPENAI_ERRORS, ErrorFormat
from .._core.errors import ProviderError, StreamBrokenError
from .._core.websocket import WsBasePath
from .._dialects.tools import function_tools, tool_choice
from .dialect import RealtimeDialect, RealtimeOptions, Restore, SessionConfig
from .events import (
    ErrorEvent,
    InputTranscript,
    RateLimitsUpdated,
    RealtimeEvent,
    SessionReady,
    SpeechStarted,
    SpeechStopped,
)
from .turn import Turn

_NONE: tuple[RealtimeEvent, ...] = ()
_dumps = orjson.dumps
_loads = orjson.loads

# response.done status -> finish reason; "incomplete" is refined by status_details.reason.
_STATUS = {"completed": "stop", "cancelled": "interrupted", "failed": "error"}
_INCOMPLETE = {"max_output_tokens": "length", "content_filter": "content_filter"}


class ClientEvents(DialectOptions):
    """The client event names."""

    session_update: str = "session.update"
    audio_append: str = "input_audio_buffer.append"
    audio_commit: str = "input_audio_buffer.commit"
    item_create: str = "conversation.item.create"
    item_truncate: str = "conversation.item.truncate"
    response_create: str = "response.create"
    response_cancel: str = "response.cancel"


class ServerEvents(DialectOptions):
    """The server event names (OpenAI's GA names by default)."""

    session_created: str = "session.created"
    session_updated: str = "session.updated"
    item_added: str = "conversation.item.added"
    response_created: str = "response.created"
    output_item_added: str = "response.output_item.added"
    text_delta: str = "response.output_text.delta"
    audio_delta: str = "response.output_audio.delta"
    transcript_delta: str = "response.output_audio_transcript.delta"
    arguments_delta: str = "response.function_call_arguments.delta"
    arguments_done: str = "response.function_call_arguments.done"
    response_done: str = "response.done"
    speech_started: str = "input_audio_buffer.speech_started"
    speech_stopped: str = "input_audio_buffer.speech_stopped"
    input_transcript_delta: str = "conversation.item.input_audio_transcription.delta"
    input_transcript_done: str = "conversation.item.input_audio_transcription.completed"
    rate_limits: str = "rate_limits.updated"
    error: str = "error"


class OpenAIRealtimeOptions(RealtimeOptions):
    """What differs between servers of the OpenAI realtime protocol."""

    ws_base_path: WsBasePath | None = None
    """How the HTTP base URL's root path becomes the websocket root (None: unchanged)."""
    session_shape: Literal["ga", "flat"] = "ga"
    """``ga``: audio settings nested under ``audio.input`` / ``audio.output``; ``flat``:
    ``input_audio_format``, ``voice``, ``modalities`` at the session's top level."""
    tool_shape: Literal["flat", "function"] = "flat"
    """``flat``: ``{"type", "name", "parameters"}``; ``function``: the chat-completions
    ``{"type": "function", "function": {...}}``."""
    transcription_model: str | None = None
    """The model that transcribes the user's speech (None: no transcription asked)."""
    input_audio_format: str = "pcm16"
    """The ``flat`` shape's input format name."""
    output_audio_format: str = "pcm16"
    """The ``flat`` shape's output format name."""
    text_input: bool = True
    """Whether the server takes user text messages."""
    restore_history: bool = True
    """Whether a reconnect re-creates the conversation (``conversation.item.create``)."""
    client_events: ClientEvents = ClientEvents()
    """The client event names (OpenAI's by default)."""
    server_events: ServerEvents = ServerEvents()
    """The server event names (OpenAI's GA names by default)."""


class OpenAIRealtimeDialect(RealtimeDialect):
    """OpenAI Realtime events (GA), and servers copying them (Qwen-Omni-Realtime, vLLM):
    ``session.update``, ``input_audio_buffer.*``, ``conversation.item.*``, ``response.*``;
    no resumption, so a reconnect re-creates the conversation from the session's record."""

    name: ClassVar[str] = "openai_realtime"
    Options: ClassVar[type[DialectOptions]] = OpenAIRealtimeOptions
    error_format: ClassVar[ErrorFormat] = OPENAI_ERRORS
    options: OpenAIRealtimeOptions

    def __init__(
        self,
        endpoint: EndpointBinding,
        wire_params: Mapping[str, WireParam],
        provider: str,
        config: SessionConfig | None = None,
    ) -> None:
        super().__init__(endpoint, wire_params, provider, config)
        options = self.options
        self._shape = options.session_shape
        self._tool_shape = options.tool_shape
        client = options.client_events.model_dump()
        server = options.server_events.model_dump()
        self._ev = client
        self._text_input = options.text_input
        self._restore_history = options.restore_history
        self._history: deque[dict[str, Any]] = deque(maxlen=options.max_history_items)
        self._history_dropped = 0
        self._append_prefix = b'{"type":' + _dumps(client["audio_append"]) + b',"audio":"'
        handlers: dict[str, Callable[[dict[str, Any]], Sequence[RealtimeEvent]]] = {
            server["session_created"]: self._on_session_created,
            server["session_updated"]: self._on_session_updated,
            server["item_added"]: self._on_item_added,
            server["response_created"]: self._on_response_created,
            server["output_item_added"]: self._on_output_item,
            server["text_delta"]: self._on_text,
            server["audio_delta"]: self._on_audio,
            server["transcript_delta"]: self._on_transcript,
            server["arguments_delta"]: self._on_arguments_delta,
            server["arguments_done"]: self._on_arguments_done,
            server["response_done"]: self._on_response_done,
            server["speech_started"]: self._on_speech_started,
            server["speech_stopped"]: self._on_speech_stopped,
            server["input_transcript_delta"]: self._on_input_delta,
            server["input_transcript_done"]: self._on_input_done,
            server["rate_limits"]: self._on_rate_limits,
            server["error"]: self._on_error,
        }
        self._handlers = handlers
        self._reset_connection()

    def _reset_connection(self) -> None:
        self._ready = False
        self._turn: Turn | None = None
        self._session_id: str | None = None
        self._calls: dict[str, tuple[str, list[str]]] = {}  # call_id -> (name, parts)
        self._audio_item: str | None = None

    # ---------------------------------------------------------------- state
    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def busy(self) -> bool:
        return self._turn is not None

    def ws_base_path(self) -> WsBasePath | None:
        return self.options.ws_base_path

    # ---------------------------------------------------------------- frames out
    def opening(self) -> list[bytes]:
        config = self.config
        session: dict[str, Any] = copy.deepcopy(dict(self.endpoint.fixed_body.get("session") or {}))
        audio_out = "audio" in config.output_modalities
        detection: Any = None
        if config.turn_detection:
            detection = {"type": "server_vad"}
            if isinstance(config.turn_detection, Mapping):
                detection.update(config.turn_detection)
        options = self.options
        transcription = (
            {"model": options.transcription_model}
            if config.input_transcription and options.transcription_model
            else None
        )
        if self._shape == "flat":
            session["modalities"] = ["text", "audio"] if audio_out else ["text"]
            session["input_audio_format"] = options.input_audio_format
            session["output_audio_format"] = options.output_audio_format
            if config.voice:
                session["voice"] = config.voice
            session["turn_detection"] = detection
            if transcription:
                session["input_audio_transcription"] = transcription
        else:
            session["output_modalities"] = ["audio"] if audio_out else ["text"]
            audio_in: dict[str, Any] = {
                "format": {"type": "audio/pcm", "rate": config.input_sample_rate},
                "turn_detection": detection,
            }
            if transcription:
                audio_in["transcription"] = transcription
            output: dict[str, Any] = {
                "format": {"type": "audio/pcm", "rate": config.output_sample_rate}
            }
            if config.voice:
                output["voice"] = config.voice
            session["audio"] = {"input": audio_in, "output": output}
        if config.instructions is not None:
            session["instructions"] = config.instructions
        tools = function_tools(list(config.tools))
        if tools:
            if self._tool_shape == "function":
                session["tools"] = [
                    {
                        "type": "function",
                        "function": {
                            "name": t.name,
                            "description": t.description,
                            "parameters": t.parameters,
                        },
                    }
                    for t in tools
                ]
            else:
                session["tools"] = [
                    {
                        "type": "function",
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    }
                    for t in tools
                ]
        choice = tool_choice(config.tool_choice)
        if choice is not None:
            session["tool_choice"] = (
                {"type": "function", "name": choice.name}
                if choice.mode == "function"
                else choice.mode
            )
        message: dict[str, Any] = {"type": self._ev["session_update"], "session": session}
        self.apply_parameters(message, config.parameters)
        return [_dumps(message)]

    def restore(self) -> Restore:
        if not self._restore_history or not self._text_input:
            return Restore(lost="the conversation so far (this server keeps no session)")
        frames = [_dumps({"type": self._ev["item_create"], "item": item}) for item in self._history]
        lost = "audio not yet committed; the user's speech is restored as its transcript"
        if self._history_dropped:
            lost += f"; the {self._history_dropped} oldest conversation items"
        return Restore(frames=frames, restored_items=len(frames), lost=lost)

    def audio(self, pcm: bytes) -> list[bytes]:
        # Built by hand: base64 needs no JSON escaping, and this runs 50 times a second.
        return [self._append_prefix + b64encode(pcm) + b'"}']

    def text(self, text: str, respond: bool) -> list[bytes]:
        if not self._text_input:
            raise ValueError(f"{self.provider} realtime sessions take no text input; send audio")
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }
        frames = [_dumps({"type": self._ev["item_create"], "item": item})]
        if respond:
            frames.append(_dumps({"type": self._ev["response_create"]}))
        return frames

    def commit(self, respond: bool) -> list[bytes]:
        frames = [_dumps({"type": self._ev["audio_commit"]})]
        if respond and not self.config.turn_detection:
            frames.append(_dumps({"type": self._ev["response_create"]}))
        return frames

    def interrupt(self, played_ms: int | None) -> list[bytes]:
        turn = self._turn
        if turn is None or turn.cancelled:
            return []
        turn.cancelled = True  # deltas still in flight are dropped, not delivered
        frames = [_dumps({"type": self._ev["response_cancel"]})]
        if played_ms is not None and self._audio_item:
            frames.append(
                _dumps(
                    {
                        "type": self._ev["item_truncate"],
                        "item_id": self._audio_item,
                        "content_index": 0,
                        "audio_end_ms": max(0, int(played_ms)),
                    }
                )
            )
        return frames

    def tool_result(
        self, call_id: str, output: str, name: str | None, respond: bool
    ) -> list[bytes]:
        item = {"type": "function_call_output", "call_id": call_id, "output": output}
        frames = [_dumps({"type": self._ev["item_create"], "item": item})]
        if respond:
            frames.append(_dumps({"type": self._ev["response_create"]}))
        return frames

    def _remember(self, item: dict[str, Any]) -> None:
        history = self._history
        if history.maxlen is not None and len(history) == history.maxlen:
            self._history_dropped += 1
        history.append(item)

    # ---------------------------------------------------------------- events in
    def read(self, message: bytes) -> Sequence[RealtimeEvent]:
        event = _loads(message)
        handler = self._handlers.get(event.get("type"))
        return _NONE if handler is None else handler(event)

    def dropped(self, error: ProviderError) -> Sequence[RealtimeEvent]:
        turn = self._turn
        self._reset_connection()
        if turn is None or not turn.has_content:
            return _NONE
        self._remember_response(turn)
        return (turn.finish("error", None, error, {"reconnected": True}),)

    def _turn_for(self, event: dict[str, Any]) -> Turn:
        turn = self._turn
        if turn is None:  # a server that skips response.created
            turn = self._turn = Turn(
                event.get("response_id"), self.config.output_sample_rate, self.config.keep_audio
            )
        return turn

    def _on_session_created(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        self._session_id = (event.get("session") or {}).get("id")
        return _NONE

    def _on_session_updated(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        session = event.get("session") or {}
        if self._ready:
            return _NONE
        self._ready = True
        return (SessionReady(session.get("id") or self._session_id, False, session),)

    def _on_item_added(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        # The record that restores a conversation holds what the server confirmed: a
        # frame lost in a drop is sent again, and must not be restored twice.
        item = event.get("item") or {}
        kind = item.get("type")
        if kind == "function_call_output":
            self._remember(
                {"type": kind, "call_id": item.get("call_id"), "output": item.get("output", "")}
            )
        elif kind == "message" and item.get("role") == "user":
            texts = [
                c.get("text") or ""
                for c in item.get("content") or ()
                if c.get("type") == "input_text"
            ]
            if texts:
                self._remember(
                    {
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": "".join(texts)}],
                    }
                )
        return _NONE

    def _on_response_created(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        response = event.get("response") or {}
        self._turn = Turn(
            response.get("id"), self.config.output_sample_rate, self.config.keep_audio
        )
        return _NONE

    def _on_output_item(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        item = event.get("item") or {}
        if item.get("type") == "function_call":
            call_id = item.get("call_id") or item.get("id") or ""
            self._calls[call_id] = (str(item.get("name") or ""), [])
        elif item.get("type") == "message":
            self._audio_item = item.get("id")
        return _NONE

    def _on_text(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        turn = self._turn_for(event)
        if turn.cancelled:
            return _NONE
        return (turn.text_delta(event.get("delta") or ""),)

    def _on_audio(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        turn = self._turn or self._turn_for(event)
        if turn.cancelled:
            return _NONE
        return (turn.audio_delta(event["delta"]),)

    def _on_transcript(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        turn = self._turn_for(event)
        if turn.cancelled:
            return _NONE
        return (turn.transcript_delta(event.get("delta") or ""),)

    def _on_arguments_delta(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        call_id = event.get("call_id") or ""
        _, parts = self._calls.setdefault(call_id, (str(event.get("name") or ""), []))
        parts.append(event.get("delta") or "")
        return _NONE

    def _on_arguments_done(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        call_id = event.get("call_id") or ""
        name, parts = self._calls.pop(call_id, ("", []))
        name = str(event.get("name") or name)
        arguments = event.get("arguments")
        if not isinstance(arguments, str):
            arguments = "".join(parts)
        if not name:
            raise StreamBrokenError(
                f"function call {call_id!r} arrived without a name", provider=self.provider
            )
        turn = self._turn_for(event)
        self._remember(
            {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments}
        )
        return (turn.tool_call(call_id, name, arguments),)

    def _on_response_done(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        response = event.get("response") or {}
        turn = self._turn_for({"response_id": response.get("id")})
        self._turn = None
        self._audio_item = None
        usage = response.get("usage") or {}
        if usage:
            details = usage.get("input_token_details") or {}
            turn.set_usage(
                input_tokens=usage.get("input_tokens"),
                output_tokens=usage.get("output_tokens"),
                cache_read_input_tokens=details.get("cached_tokens"),
            )
            turn.usage_details.update(
                {k: v for k, v in usage.items() if k.endswith("_details") and v}
            )
        status = str(response.get("status") or "completed")
        status_details = response.get("status_details") or {}
        reason: Any = _STATUS.get(status, "other")
        error: ProviderError | None = None
        if status == "incomplete":
            reason = _INCOMPLETE.get(str(status_details.get("reason")), "other")
        elif status == "failed":
            detail = status_details.get("error") or {}
            error = self._error(detail, event)
        elif status == "completed" and turn.tool_calls:
            reason = "tool_calls"
        elif status == "completed" and turn.cancelled:
            reason = "interrupted"
        provider_reason = status_details.get("reason") or status
        self._remember_response(turn)
        return (turn.finish(reason, str(provider_reason), error),)

    def _remember_response(self, turn: Turn) -> None:
        text = turn.spoken_text
        if text:
            self._remember(
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [
                        {"type": "output_text" if self._shape == "ga" else "text", "text": text}
                    ],
                }
            )

    def _on_speech_started(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        return (SpeechStarted(event.get("item_id")),)

    def _on_speech_stopped(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        return (SpeechStopped(event.get("item_id")),)

    def _on_input_delta(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        return (InputTranscript(event.get("delta") or "", event.get("item_id"), False),)

    def _on_input_done(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        text = str(event.get("transcript") or "")
        if text:
            self._remember(
                {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": text}],
                }
            )
        return (InputTranscript(text, event.get("item_id"), True),)

    def _on_rate_limits(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        limits = event.get("rate_limits") or []
        return (RateLimitsUpdated(tuple(x for x in limits if isinstance(x, dict))),)

    def _on_error(self, event: dict[str, Any]) -> Sequence[RealtimeEvent]:
        detail = event.get("error") or {}
        error = self._error(detail, event)
        if not self._ready:
            raise error  # the session could not be configured: nothing can go on
        return (ErrorEvent(error),)

    def _error(self, detail: dict[str, Any], body: Any) -> ProviderError:
        """The typed error of an ``error`` object, read by the dialect's error format
        (the spec's ``errors`` map codes and types to classes)."""
        return self.errors.error(
            {"error": detail},
            provider=self.provider,
            default=ProviderError,
            fallback="the server reported an error",
        )
