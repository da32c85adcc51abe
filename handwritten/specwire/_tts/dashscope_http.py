"""DashScope's HTTP speech synthesis (Qwen3-TTS through the multimodal-generation
endpoint), as one TTS wire dialect.

Message shapes follow "Speech synthesis (Qwen-TTS) API reference"
(https://www.alibabacloud.com/help/en/model-studio/qwen-tts-api):

- request ``{"model", "input": {"text", "voice", "language_type", ...}}``; the header
  ``X-DashScope-SSE: enable`` (spec ``stream.headers``) asks for server-sent events;
- answer ``{"output": {"finish_reason", "audio": {"data", "url", "id", "expires_at"}},
  "usage": {...}, "request_id"}``: without SSE the audio is a WAV file at ``audio.url``;
  with SSE each ``event:result`` carries the next piece of 24 kHz PCM as base64 in
  ``audio.data`` and the last one (``finish_reason: "stop"``) the URL of the whole file;
- errors ``{"code", "message", "request_id"}``, inside a stream as ``event:error``
  (the shape DashScope's generation endpoints share).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from .._core.error_body import DASHSCOPE_ERRORS, ErrorFormat
from .._core.errors import ProviderError
from .http_dialect import AudioPiece, TTSHttpDialect
from .wire import merged


class DashScopeTTSDialect(TTSHttpDialect):
    """Request building and response reading for DashScope's HTTP TTS."""

    name = "dashscope_tts"
    error_format: ClassVar[ErrorFormat] = DASHSCOPE_ERRORS
    extra_location: ClassVar[tuple[str, ...]] = ("input",)  # where voice & co. go

    def build_body(self, model: str, text: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
        body = merged(self.endpoint.fixed_body, {"model": model, "input": {"text": text}})
        self.apply_parameters(body, parameters)
        return body

    def read_piece(self, payload: Any) -> AudioPiece:
        if not isinstance(payload, dict):
            return AudioPiece()
        output = payload.get("output") or {}
        audio = output.get("audio") or {}
        usage = payload.get("usage") or {}
        counts = {
            k: int(usage[k])
            for k in ("input_tokens", "output_tokens", "characters")
            if isinstance(usage.get(k), int | float)
        }
        metadata = {k: payload[k] for k in ("request_id",) if payload.get(k)}
        for key, name in (("id", "audio_id"), ("url", "audio_url"), ("expires_at", "expires_at")):
            if audio.get(key):
                metadata[name] = audio[key]
        return AudioPiece(
            data=audio.get("data") or None,
            url=audio.get("url") or None,
            finished=output.get("finish_reason") == "stop",
            usage=counts,
            metadata=metadata,
        )

    def stream_error(self, event: str | None, payload: Any) -> ProviderError | None:
        """The error an ``event:error`` (or an error body inside a stream) stands for."""
        is_error_body = (
            isinstance(payload, dict) and payload.get("code") and "output" not in payload
        )
        if event != "error" and not is_error_body:
            return None
        return self.errors.error(
            payload,
            provider=self.provider,
            default=ProviderError,
            fallback="the stream reported an error",
        )
