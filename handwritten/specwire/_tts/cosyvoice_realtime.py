"""CosyVoice (and Sambert) over DashScope's duplex inference websocket.

Message shapes follow DashScope's "CosyVoice client events"
(https://www.alibabacloud.com/help/en/model-studio/cosyvoice-client-events),
"CosyVoice server-side events"
(https://www.alibabacloud.com/help/en/model-studio/cosyvoice-server-events) and, for
Sambert, "Sambert client events" (https://help.aliyun.com/en/model-studio/sambert-client-events):

- client ``{"header": {"action": "run-task", "task_id", "streaming": "duplex"},
  "payload": {"task_group": "audio", "task": "tts", "function": "SpeechSynthesizer",
  "model", "parameters": {"text_type", "voice", "format", "sample_rate", "volume",
  "rate", "pitch"}, "input": {}}}``, then ``continue-task`` (``payload.input.text``)
  and ``finish-task`` with the same ``task_id``;
- server ``{"header": {"task_id", "event": "task-started"}}``; ``result-generated``
  whose ``payload.output.type`` is ``sentence-begin`` (``original_text``),
  ``sentence-synthesis`` or ``sentence-end`` (``payload.usage.characters``), the audio
  itself in binary frames; ``task-finished``; ``task-failed`` (``header.error_code``,
  ``header.error_message``);
- Sambert takes no streaming input: the whole text goes in ``run-task``'s
  ``payload.input.text`` with ``streaming: "out"`` (models matching
  the option ``single_shot_models``; all options in ``CosyVoiceRealtimeOptions``).

A ``sentence-end`` acknowledges its sentence's text (found in the sent text by its
``original_text``), which is what a reconnect needs to resend only unspoken text. A
finished task leaves the socket open; the next utterance runs a new task on it.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import orjson
from pydantic import Field
from websockets.asyncio.client import ClientConnection

from .._core.binding import place_parameters
from .._core.contract import DialectOptions
from .._core.error_body import ErrorFormat
from .realtime import RealtimeTTSDialect, RealtimeTTSModelBase, RealtimeTTSOptions
from .wire import matches, merged


class DuplexActions(DialectOptions):
    """``header.action`` of each client message."""

    run: str = "run-task"
    continue_: str = Field("continue-task", alias="continue")
    finish: str = "finish-task"


class DuplexEvents(DialectOptions):
    """``header.event`` of each server message read."""

    started: str = "task-started"
    result: str = "result-generated"
    finished: str = "task-finished"
    failed: str = "task-failed"


class DuplexSentenceEvents(DialectOptions):
    """``payload.output.type`` of the sentence boundaries in ``result`` events."""

    begin: str = "sentence-begin"
    end: str = "sentence-end"


class DuplexStreaming(DialectOptions):
    """``header.streaming`` of run-task: text streamed in, or whole (single shot)."""

    duplex: str = "duplex"
    single_shot: str = "out"


class CosyVoiceRealtimeOptions(RealtimeTTSOptions):
    """What a spec says to the duplex inference protocol."""

    actions: DuplexActions = DuplexActions()
    """Client message names."""
    events: DuplexEvents = DuplexEvents()
    """Server event names."""
    sentence_events: DuplexSentenceEvents = DuplexSentenceEvents()
    """Sentence boundary names, which acknowledge text."""
    streaming: DuplexStreaming = DuplexStreaming()
    """run-task's streaming modes."""
    single_shot_models: tuple[str, ...] = ()
    """fnmatch patterns of models that take no streaming input (Sambert): their whole
    text goes in run-task."""


class CosyVoiceRealtimeDialect(RealtimeTTSDialect):
    """DashScope's duplex inference websocket: run-task, continue-task, finish-task."""

    name = "dashscope_duplex_tts"
    model_base: ClassVar[str] = "specwire._tts.cosyvoice_realtime:CosyVoiceRealtimeTTSModel"
    Options: ClassVar[type[DialectOptions]] = CosyVoiceRealtimeOptions
    options: CosyVoiceRealtimeOptions
    # task-failed: {"header": {"error_code", "error_message"}}
    error_format: ClassVar[ErrorFormat] = ErrorFormat(
        message=("header.error_message",), code=("header.error_code",)
    )


class CosyVoiceRealtimeTTSModel(RealtimeTTSModelBase):
    """Base of spec'd run-task / continue-task / finish-task TTS classes."""

    ready_on_start: ClassVar[bool] = False
    finish_on_ack: ClassVar[bool] = False

    def _configure_protocol(self) -> None:
        options = self._options
        if not isinstance(options, CosyVoiceRealtimeOptions):
            raise TypeError(
                f"{type(self).__name__} speaks dashscope_duplex_tts, not {self._endpoint.dialect}"
            )
        self._act_run: str = options.actions.run
        self._act_continue: str = options.actions.continue_
        self._act_finish: str = options.actions.finish
        self._ev_started: str = options.events.started
        self._ev_result: str = options.events.result
        self._ev_finished: str = options.events.finished
        self._ev_failed: str = options.events.failed
        self._sentence_begin: str = options.sentence_events.begin
        self._sentence_end: str = options.sentence_events.end
        self._single_shot = matches(self.model, options.single_shot_models)
        streaming = options.streaming
        self._streaming: str = streaming.single_shot if self._single_shot else streaming.duplex
        self._task_id = ""
        self._sentences: dict[Any, str] = {}

    @property
    def single_shot(self) -> bool:
        """Sambert-style models take the whole text in ``run-task``."""
        return self._single_shot

    def _header(self, action: str) -> dict[str, str]:
        return {"action": action, "task_id": self._task_id, "streaming": self._streaming}

    async def _send_start(self, ws: ClientConnection) -> None:
        self._task_id = str(uuid.uuid4())
        self._sentences.clear()
        message = merged(
            {"header": self._header(self._act_run), "payload": {"model": self.model}},
            self._endpoint.fixed_body,
        )
        place_parameters(message, self._wire_parameters, self.binding.wire_params)
        if self._single_shot:
            message.setdefault("payload", {}).setdefault("input", {})["text"] = self._ledger.take(
                final=True
            )
        await self._send_json(ws, message)

    async def _send_text(self, ws: ClientConnection, text: str) -> None:
        await self._send_json(
            ws, {"header": self._header(self._act_continue), "payload": {"input": {"text": text}}}
        )

    async def _send_finish(self, ws: ClientConnection) -> None:
        await self._send_json(
            ws, {"header": self._header(self._act_finish), "payload": {"input": {}}}
        )

    def _on_message(self, message: str | bytes) -> bool:
        if isinstance(message, bytes):
            self._on_audio(message)
            return False
        event = orjson.loads(message)
        header = event.get("header") or {}
        if header.get("task_id") not in (None, self._task_id):
            return False  # a late event of an earlier task
        name = header.get("event")
        payload = event.get("payload") or {}
        if name == self._ev_result:
            output = payload.get("output") or {}
            kind = output.get("type")
            index = (output.get("sentence") or {}).get("index")
            if kind == self._sentence_begin:
                if output.get("original_text"):
                    self._sentences[index] = output["original_text"]
            elif kind == self._sentence_end:
                spoken = self._sentences.pop(index, None) or output.get("original_text")
                if spoken:
                    self._ack_text(spoken)
            self._record_usage(payload.get("usage"), cumulative=True)
            return False
        if name == self._ev_started:
            self._ready = True
            return True
        if name == self._ev_finished:
            self._record_usage(payload.get("usage"), cumulative=True)
            self._ledger.ack_pieces(len(self._ledger.inflight))
            self._complete_utterance()
            return False
        if name == self._ev_failed:
            raise self._event_error(event)
        return False
