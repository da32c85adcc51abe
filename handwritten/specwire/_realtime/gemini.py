"""The Gemini Live API (``BidiGenerateContent`` over a websocket).

Client messages (Gemini "Live API WebSockets reference"): ``setup`` (model,
``generationConfig`` with ``responseModalities`` and ``speechConfig``,
``systemInstruction``, ``tools`` as ``functionDeclarations``, ``realtimeInputConfig``,
``inputAudioTranscription`` / ``outputAudioTranscription``, ``sessionResumption``,
``contextWindowCompression``), ``clientContent`` (``turns``, ``turnComplete``),
``realtimeInput`` (``audio`` blobs with their ``mimeType``, ``activityStart`` /
``activityEnd`` when automatic activity detection is off), ``toolResponse``
(``functionResponses``).

Server messages: ``setupComplete``, ``serverContent`` (``modelTurn.parts`` text or
``inlineData`` audio, ``outputTranscription``, ``inputTranscription``, ``interrupted``,
``generationComplete``, ``turnComplete``), ``toolCall`` (``functionCalls`` with complete
``args``), ``toolCallCancellation``, ``goAway`` (``timeLeft``), ``sessionResumptionUpdate``
(``newHandle``, ``resumable``, ``lastConsumedClientMessageIndex``) and ``usageMetadata``
beside any of them. Errors arrive as the close frame's code and reason.

Resumption: setup asks for session resumption; the latest handle the server marks
resumable is kept and sent in the next ``setup`` after a drop or a ``goAway``, so the
server restores the conversation itself. Client frames the handle may not cover are
replayed after the new ``setupComplete``: with ``transparent_resumption`` (a spec
option; the server then reports the last message index it consumed) those after that
index, otherwise those sent after the handle arrived (frames in flight while it was made
may be lost). The replay buffer is bounded (``replay_frames``). Without any handle yet,
the conversation is re-sent as ``clientContent`` turns from the session's own record.

Interruption: Gemini has no cancel message. With manual activity detection
(``turn_detection=False``) ``interrupt()`` sends ``activityStart``, which the server
treats as the user barging in. With automatic detection the server interrupts when it
hears the user; ``interrupt()`` stops delivering the rest of the response locally.
"""

from __future__ import annotations

import base64
import copy
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import orjson

from .._core.binding import EndpointBinding, WireParam
from .._core.contract import DialectOptions
from .._core.error_body import GOOGLE_ERRORS, ErrorFormat
from .._core.errors import ProviderError, StreamBrokenError
from .._dialects.tools import function_tools
from .dialect import RealtimeDialect, RealtimeOptions, Restore, SessionConfig
from .events import (
    InputTranscript,
    RealtimeEvent,
    SessionReady,
    ToolCallCancelled,
)
from .turn import Turn

_NONE: tuple[RealtimeEvent, ...] = ()
_dumps = orjson.dumps
_loads = orjson.loads
_ACTIVITY_START = b'{"realtimeInput":{"activityStart":{}}}'
_ACTIVITY_END = b'{"realtimeInput":{"activityEnd":{}}}'


class GeminiLiveOptions(RealtimeOptions):
    """Gemini Live's options."""

    model_prefix: str = "models/"
    """Prefixed to a bare model name in ``setup.model``."""
    transparent_resumption: bool = False
    """Ask for ``lastConsumedClientMessageIndex`` (documented by Vertex AI)."""
    replay_frames: int = 512
    """Client frames kept for replay after a resumption (the oldest go)."""


class GeminiLiveDialect(RealtimeDialect):
    """Gemini Live ``BidiGenerateContent``: ``setup``, ``clientContent``,
    ``realtimeInput``, ``toolResponse``; a reconnect (or ``goAway``) resumes with the
    latest session resumption handle and replays the input it may not cover."""

    name: ClassVar[str] = "gemini_live"
    Options: ClassVar[type[DialectOptions]] = GeminiLiveOptions
    error_format: ClassVar[ErrorFormat] = GOOGLE_ERRORS
    options: GeminiLiveOptions

    def __init__(
        self,
        endpoint: EndpointBinding,
        wire_params: Mapping[str, WireParam],
        provider: str,
        config: SessionConfig | None = None,
    ) -> None:
        super().__init__(endpoint, wire_params, provider, config)
        options = self.options
        config = self.config
        self._transparent = options.transparent_resumption
        self._model_prefix = options.model_prefix
        self._handle: str | None = None
        self._replay: deque[tuple[int, bytes]] = deque(maxlen=options.replay_frames)
        self._replay_overflowed = False
        self._history: deque[dict[str, Any]] = deque(maxlen=options.max_history_items)
        self._names: dict[str, str] = {}  # tool call id -> function name
        self._unsent: dict[bytes, dict[str, Any]] = {}  # frame -> the turn it records
        self._audio_prefix = (
            b'{"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate='
            + str(config.input_sample_rate).encode()
            + b'","data":"'
        )
        self._in_activity = False
        self._reset_connection()

    def _reset_connection(self) -> None:
        self._ready = False
        self._resuming = False
        self._go_away = False
        self._turn: Turn | None = None
        self._sent_index = -1  # index of the last client message on this connection
        self._input: list[str] = []  # the user's speech transcribed so far this turn
        self._in_activity = False

    # ---------------------------------------------------------------- state
    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def busy(self) -> bool:
        return self._turn is not None

    @property
    def go_away(self) -> bool:
        return self._go_away

    @property
    def remembers_client_frames(self) -> bool:
        return True

    def sent(self, frame: bytes) -> None:
        self._sent_index += 1
        if self._unsent:
            # Recorded once sent, so a frame re-sent after a drop is recorded once.
            turn = self._unsent.pop(frame, None)
            if turn is not None:
                self._remember(turn)
        if self._ready:  # the setup itself is never replayed
            if self._replay.maxlen is not None and len(self._replay) == self._replay.maxlen:
                self._replay_overflowed = True
            self._replay.append((self._sent_index, frame))

    # ---------------------------------------------------------------- frames out
    def opening(self) -> list[bytes]:
        config = self.config
        setup: dict[str, Any] = copy.deepcopy(dict(self.endpoint.fixed_body.get("setup") or {}))
        setup["model"] = config.model if "/" in config.model else self._model_prefix + config.model
        generation = setup.setdefault("generationConfig", {})
        generation["responseModalities"] = [m.upper() for m in config.output_modalities]
        if config.voice:
            generation["speechConfig"] = {
                "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": config.voice}}
            }
        if config.instructions is not None:
            setup["systemInstruction"] = {"parts": [{"text": config.instructions}]}
        tools = function_tools(list(config.tools))
        if tools:
            setup["tools"] = [
                {
                    "functionDeclarations": [
                        {"name": t.name, "description": t.description, "parameters": t.parameters}
                        for t in tools
                    ]
                }
            ]
        detection: dict[str, Any] = {"disabled": not config.turn_detection}
        if isinstance(config.turn_detection, Mapping):
            detection.update(config.turn_detection)
        setup["realtimeInputConfig"] = {"automaticActivityDetection": detection}
        if config.input_transcription:
            setup["inputAudioTranscription"] = {}
        if "AUDIO" in generation["responseModalities"]:
            setup["outputAudioTranscription"] = {}
        resumption: dict[str, Any] = {}
        if self._handle:
            resumption["handle"] = self._handle
            self._resuming = True
        if self._transparent:
            resumption["transparent"] = True
        setup["sessionResumption"] = resumption
        message: dict[str, Any] = {"setup": setup}
        self.apply_parameters(message, config.parameters)
        return [_dumps(message)]

    def restore(self) -> Restore:
        if self._resuming:
            frames = [frame for _, frame in self._replay]
            self._replay.clear()
            lost = "the rest of the response in flight"
            if self._replay_overflowed:
                lost += "; input older than the replay buffer"
            return Restore(frames=frames, resumed=True, restored_items=len(frames), lost=lost)
        if not self._history:
            return Restore(lost="input sent before the server gave a resumption handle")
        turns = list(self._history)
        frame = _dumps({"clientContent": {"turns": turns, "turnComplete": False}})
        return Restore(
            frames=[frame],
            restored_items=len(turns),
            lost="no resumption handle yet: the conversation is restored as text; audio lost",
        )

    def audio(self, pcm: bytes) -> list[bytes]:
        frame = self._audio_prefix + base64.b64encode(pcm) + b'"}}}'
        if self.config.turn_detection or self._in_activity:
            return [frame]
        self._in_activity = True  # manual detection: the user's turn starts with its audio
        return [_ACTIVITY_START, frame]

    def text(self, text: str, respond: bool) -> list[bytes]:
        turn = {"role": "user", "parts": [{"text": text}]}
        frame = _dumps({"clientContent": {"turns": [turn], "turnComplete": respond}})
        self._unsent[frame] = turn
        return [frame]

    def commit(self, respond: bool) -> list[bytes]:
        if self.config.turn_detection:
            return []  # the server decides when the user has finished
        if not self._in_activity:
            return []
        self._in_activity = False
        return [_ACTIVITY_END]

    def interrupt(self, played_ms: int | None) -> list[bytes]:
        turn = self._turn
        if turn is not None:
            turn.cancelled = True
        if self.config.turn_detection or self._in_activity:
            return []
        self._in_activity = True
        return [_ACTIVITY_START]

    def tool_result(
        self, call_id: str, output: str, name: str | None, respond: bool
    ) -> list[bytes]:
        try:
            parsed = orjson.loads(output)
        except orjson.JSONDecodeError:
            parsed = None
        response = parsed if isinstance(parsed, dict) else {"result": output}
        function_name = name or self._names.pop(call_id, "")
        frame = _dumps(
            {
                "toolResponse": {
                    "functionResponses": [
                        {"id": call_id, "name": function_name, "response": response}
                    ]
                }
            }
        )
        self._unsent[frame] = {
            "role": "user",
            "parts": [{"functionResponse": {"name": function_name, "response": response}}],
        }
        return [frame]

    def _remember(self, turn: dict[str, Any]) -> None:
        self._history.append(turn)

    # ---------------------------------------------------------------- events in
    def read(self, message: bytes) -> Sequence[RealtimeEvent]:
        data = _loads(message)
        events: list[RealtimeEvent] = []
        usage = data.get("usageMetadata")
        content = data.get("serverContent")
        if content is not None:
            self._server_content(content, usage, events)
        elif usage and self._turn is not None:
            self._usage(self._turn, usage)
        if "toolCall" in data:
            self._tool_call(data["toolCall"], events)
        if "toolCallCancellation" in data:
            ids = tuple(str(i) for i in (data["toolCallCancellation"].get("ids") or ()))
            events.append(ToolCallCancelled(ids))
        if "sessionResumptionUpdate" in data:
            self._resumption_update(data["sessionResumptionUpdate"])
        if "goAway" in data:
            self._go_away = True
        if "setupComplete" in data:
            self._ready = True
            events.append(SessionReady(None, self._resuming, {}))
        return events

    def _turn_now(self) -> Turn:
        turn = self._turn
        if turn is None:
            turn = self._turn = Turn(None, self.config.output_sample_rate, self.config.keep_audio)
        return turn

    def _server_content(
        self, content: dict[str, Any], usage: Any, events: list[RealtimeEvent]
    ) -> None:
        piece = (content.get("inputTranscription") or {}).get("text")
        if piece:
            self._input.append(piece)
            events.append(InputTranscript(piece, None, False))
        model_turn = content.get("modelTurn")
        if model_turn is not None:
            self._user_spoke(events)
            turn = self._turn_now()
            if not turn.cancelled:
                for part in model_turn.get("parts") or ():
                    inline = part.get("inlineData")
                    if inline is not None:
                        events.append(turn.audio_delta(inline["data"]))
                    elif "text" in part and not part.get("thought"):
                        events.append(turn.text_delta(part["text"]))
        spoken = (content.get("outputTranscription") or {}).get("text")
        if spoken:
            turn = self._turn_now()
            if not turn.cancelled:
                events.append(turn.transcript_delta(spoken))
        if usage and (self._turn is not None or content.get("turnComplete")):
            self._usage(self._turn_now(), usage)
        ending = self._turn
        if content.get("interrupted"):
            if ending is not None:
                self._turn = None
                self._remember_response(ending)
                events.append(ending.finish("interrupted", "interrupted"))
        elif content.get("turnComplete"):
            self._user_spoke(events)
            self._turn = None
            if ending is not None and (ending.has_content or ending.usage):
                self._remember_response(ending)
                reason = content.get("turnCompleteReason")
                finish: Any = "interrupted" if ending.cancelled else ("other" if reason else "stop")
                events.append(ending.finish(finish, str(reason or "turnComplete")))

    def _user_spoke(self, events: list[RealtimeEvent]) -> None:
        if self._input:
            text = "".join(self._input)
            self._input.clear()
            self._remember({"role": "user", "parts": [{"text": text}]})
            events.append(InputTranscript(text, None, True))

    def _tool_call(self, call: dict[str, Any], events: list[RealtimeEvent]) -> None:
        self._user_spoke(events)
        turn = self._turn_now()
        for function in call.get("functionCalls") or ():
            call_id = str(function.get("id") or "")
            name = str(function.get("name") or "")
            if not name:
                raise StreamBrokenError(
                    "a tool call arrived without a name", provider=self.provider
                )
            self._names[call_id] = name
            arguments = _dumps(function.get("args") or {}).decode()
            self._remember(
                {
                    "role": "model",
                    "parts": [{"functionCall": {"name": name, "args": function.get("args") or {}}}],
                }
            )
            events.append(turn.tool_call(call_id, name, arguments))
        # The model waits for the results: this response is over (as OpenAI's ends).
        self._turn = None
        events.append(turn.finish("tool_calls", "toolCall"))

    def _usage(self, turn: Turn, usage: dict[str, Any]) -> None:
        turn.set_usage(
            input_tokens=usage.get("promptTokenCount"),
            output_tokens=usage.get("responseTokenCount"),
            cache_read_input_tokens=usage.get("cachedContentTokenCount"),
            reasoning_tokens=usage.get("thoughtsTokenCount"),
        )
        details = {k: v for k, v in usage.items() if k.endswith("Details") and v}
        turn.usage_details.update(details)

    def _resumption_update(self, update: dict[str, Any]) -> None:
        handle = update.get("newHandle")
        if not (update.get("resumable") and handle):
            return  # not resumable at this point (e.g. mid tool call): keep the last one
        self._handle = str(handle)
        self._replay_overflowed = False
        index = update.get("lastConsumedClientMessageIndex")
        if self._transparent and index is not None:
            consumed = int(index)
            while self._replay and self._replay[0][0] <= consumed:
                self._replay.popleft()
        else:
            self._replay.clear()  # what follows is sent after the handle was made

    def _remember_response(self, turn: Turn) -> None:
        text = turn.spoken_text
        if text:
            self._remember({"role": "model", "parts": [{"text": text}]})

    def dropped(self, error: ProviderError) -> Sequence[RealtimeEvent]:
        turn = self._turn
        self._reset_connection()
        if turn is None or not turn.has_content:
            return _NONE
        self._remember_response(turn)
        return (turn.finish("error", None, error, {"reconnected": True}),)
