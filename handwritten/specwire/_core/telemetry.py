"""OpenTelemetry GenAI spans and metrics, with zero configuration.

When ``opentelemetry-api`` is installed (``specwire[otel]``) and the application has set
a tracer or meter provider, every chat, embedding and TTS call emits one CLIENT span
named ``"{operation} {model}"`` and the ``gen_ai.client.operation.duration`` and
``gen_ai.client.token.usage`` metrics, following the GenAI semantic conventions.
Message content is recorded only when ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT``
asks for it. Without the package nothing is imported; with it but no provider set, a
call costs two provider look-ups.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .accumulator import StreamAccumulator
    from .response import ChatResponse, ChatUsage

CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_CAPTURE_ON = frozenset({"true", "1", "yes", "span_only", "span_and_event"})

# The conventions' well-known provider names; any other spec provider keeps its own.
_PROVIDER_NAMES = {"gemini": "gcp.gemini", "xai": "x_ai"}

# Parameters with a gen_ai.request.* attribute of their own.
_REQUEST_ATTRIBUTES = {
    "temperature": "gen_ai.request.temperature",
    "top_p": "gen_ai.request.top_p",
    "top_k": "gen_ai.request.top_k",
    "max_tokens": "gen_ai.request.max_tokens",
    "frequency_penalty": "gen_ai.request.frequency_penalty",
    "presence_penalty": "gen_ai.request.presence_penalty",
    "seed": "gen_ai.request.seed",
    "stop": "gen_ai.request.stop_sequences",
}

# Bucket boundaries the conventions advise for the two histograms.
_DURATION_BUCKETS = [
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92,
]
_TOKEN_BUCKETS = [4**i for i in range(14)]


@cache
def _otel_installed() -> bool:
    # find_spec only: without the package, importing nothing is the point.
    return importlib.util.find_spec("opentelemetry") is not None


def provider_name(provider: str) -> str:
    """The ``gen_ai.provider.name`` of a spec provider."""
    return _PROVIDER_NAMES.get(provider, provider)


def capture_content() -> bool:
    """Whether message content goes on spans (the standard opt-in variable)."""
    return os.environ.get(CAPTURE_ENV, "").strip().lower() in _CAPTURE_ON


class _Instruments:
    """The tracer and metric instruments of one (tracer provider, meter provider) pair."""

    def __init__(self, tracer_provider: Any, meter_provider: Any) -> None:
        from .. import __version__

        self.tracer = (
            tracer_provider.get_tracer("specwire", __version__) if tracer_provider else None
        )
        self.duration = self.tokens = self.first_chunk = None
        if meter_provider is not None:
            meter = meter_provider.get_meter("specwire", __version__)
            self.duration = meter.create_histogram(
                "gen_ai.client.operation.duration",
                unit="s",
                description="GenAI operation duration.",
                explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
            )
            self.tokens = meter.create_histogram(
                "gen_ai.client.token.usage",
                unit="{token}",
                description="Number of input and output tokens used.",
                explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
            )
            self.first_chunk = meter.create_histogram(
                "gen_ai.client.operation.time_to_first_chunk",
                unit="s",
                description="Time to receive the first chunk of a streamed response.",
                explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
            )


_INSTRUMENTS: dict[tuple[int, int], _Instruments] = {}


def _instruments() -> _Instruments | None:
    """The instruments for the providers the application set, or None when it set none."""
    if not _otel_installed():
        return None
    from opentelemetry import metrics, trace

    tracer_provider: Any = trace.get_tracer_provider()
    if isinstance(tracer_provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        tracer_provider = None
    meter_provider: Any = metrics.get_meter_provider()
    if type(meter_provider).__name__ in ("_ProxyMeterProvider", "NoOpMeterProvider"):
        meter_provider = None
    if tracer_provider is None and meter_provider is None:
        return None
    key = (id(tracer_provider), id(meter_provider))
    found = _INSTRUMENTS.get(key)
    if found is None:
        found = _INSTRUMENTS[key] = _Instruments(tracer_provider, meter_provider)
    return found


class CallTelemetry:
    """One call's span and metric attributes, from start to the final response."""

    def __init__(
        self,
        instruments: _Instruments,
        operation: str,
        provider: str,
        model: str,
        credential: Any,
        attributes: Mapping[str, Any],
    ) -> None:
        self._instruments = instruments
        self._started = time.perf_counter()
        self._first_chunk: float | None = None
        parts = urlsplit(_base_url(credential))
        self.response_id: str | None = None
        self.response_model: str | None = None
        self.finish_reason: str | None = None
        self._metric_attributes: dict[str, Any] = {
            "gen_ai.operation.name": operation,
            "gen_ai.provider.name": provider_name(provider),
            "gen_ai.request.model": model,
        }
        if parts.hostname:
            self._metric_attributes["server.address"] = parts.hostname
        if parts.port:
            self._metric_attributes["server.port"] = parts.port
        self._span: Any = None
        if instruments.tracer is not None:
            from opentelemetry.trace import SpanKind

            self._span = instruments.tracer.start_span(
                f"{operation} {model}",
                kind=SpanKind.CLIENT,
                attributes={**self._metric_attributes, **_clean(attributes)},
            )

    def set(self, attributes: Mapping[str, Any]) -> None:
        """Add attributes to the span (None values are skipped)."""
        if self._span is not None:
            self._span.set_attributes(_clean(attributes))

    # ------------------------------------------------------------ chat events
    def on_payload(self, payload: Any) -> None:
        """Note the provider's response id and model from a response body or event."""
        if self.response_id is not None and self.response_model is not None:
            return
        if not isinstance(payload, dict):
            return
        for obj in (payload, payload.get("response"), payload.get("message")):
            if isinstance(obj, dict):
                rid = obj.get("id") or obj.get("responseId") or obj.get("request_id")
                model = obj.get("model") or obj.get("modelVersion")
                if self.response_id is None and isinstance(rid, str):
                    self.response_id = rid
                if self.response_model is None and isinstance(model, str):
                    self.response_model = model

    def on_accumulated(self, acc: StreamAccumulator) -> None:
        """Note what ended the response."""
        if acc.stop_reason:
            self.finish_reason = str(acc.stop_reason)

    def on_chunk(self) -> None:
        """A stream delta reached the caller: the first one times the first chunk."""
        if self._first_chunk is None:
            self._first_chunk = time.perf_counter() - self._started

    # ------------------------------------------------------------ endings
    def finish_chat(self, response: ChatResponse) -> None:
        """End the span with the final response (its usage, ids, finish reason)."""
        finish = getattr(response, "finish_reason", None) or self.finish_reason
        attributes: dict[str, Any] = {
            "gen_ai.response.id": self.response_id,
            "gen_ai.response.model": self.response_model,
            "gen_ai.response.finish_reasons": [str(finish)] if finish else None,
        }
        if capture_content():
            attributes["gen_ai.output.messages"] = json.dumps(
                [_message_json("assistant", response.content, finish)], ensure_ascii=False
            )
        self.finish(response.usage, attributes)

    def finish(self, usage: ChatUsage | Any | None, attributes: Mapping[str, Any]) -> None:
        """End the span and record the metrics."""
        elapsed = time.perf_counter() - self._started
        usage_attributes = _usage_attributes(usage)
        if self._first_chunk is not None:
            usage_attributes["gen_ai.response.time_to_first_chunk"] = self._first_chunk
        if self.response_model:
            self._metric_attributes["gen_ai.response.model"] = self.response_model
        self.set({**attributes, **usage_attributes})
        if self._span is not None:
            self._span.end()
        self._record(elapsed, usage_attributes)

    def fail(self, error: BaseException) -> None:
        """End the span as failed: ``error.type`` is the exception's class name."""
        elapsed = time.perf_counter() - self._started
        error_type = type(error).__qualname__
        self._metric_attributes["error.type"] = error_type
        if self._span is not None:
            from opentelemetry.trace import Status, StatusCode

            self._span.set_attribute("error.type", error_type)
            self._span.record_exception(error)
            self._span.set_status(Status(StatusCode.ERROR, str(error)[:500]))
            self._span.end()
        self._record(elapsed, {})

    def _record(self, elapsed: float, usage_attributes: Mapping[str, Any]) -> None:
        instruments = self._instruments
        attrs = self._metric_attributes
        if instruments.duration is not None:
            instruments.duration.record(elapsed, attrs)
        if instruments.first_chunk is not None and self._first_chunk is not None:
            instruments.first_chunk.record(self._first_chunk, attrs)
        if instruments.tokens is not None:
            for kind, key in (
                ("input", "gen_ai.usage.input_tokens"),
                ("output", "gen_ai.usage.output_tokens"),
            ):
                count = usage_attributes.get(key)
                if count is not None:
                    instruments.tokens.record(count, {**attrs, "gen_ai.token.type": kind})

    async def wrap_stream(self, stream: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
        """``stream`` (chat or speech chunks, ``is_last`` on the final one) with the span
        ended at its final chunk, an error, or its closing."""
        final: Any = None
        try:
            async for chunk in stream:
                if chunk.is_last:
                    final = chunk
                else:
                    self.on_chunk()
                yield chunk
        except BaseException as exc:
            self.fail(exc)
            raise
        finally:
            await stream.aclose()
        self.finish_response(final)

    def finish_response(self, response: Any) -> None:
        """End the span with a final chat or speech response (or None: none came)."""
        if response is None:
            self.finish(None, {})
        elif hasattr(response, "is_last") and isinstance(getattr(response, "content", None), list):
            self.finish_chat(response)
        else:
            self.finish(getattr(response, "usage", None), {})


_CURRENT: ContextVar[CallTelemetry | None] = ContextVar("specwire_call", default=None)


def current_call() -> CallTelemetry | None:
    """The telemetry of the chat call running in this context (None when off): the
    model base sets it, an engine adds what it alone sees."""
    return _CURRENT.get()


async def traced_chat_call(
    call: Callable[[], Any],
    *,
    provider: str,
    model: str,
    credential: Any,
    attributes: Callable[[], Mapping[str, Any]],
) -> Any:
    """Run one chat call (``call()`` returns its awaitable) inside a span: a whole
    response ends it at once, a stream when its final chunk has been handed out."""
    telemetry = start_call("chat", provider, model, credential, attributes)
    if telemetry is None:
        return await call()
    token = _CURRENT.set(telemetry)
    try:
        result = await call()
    except BaseException as exc:
        telemetry.fail(exc)
        raise
    finally:
        _CURRENT.reset(token)
    if hasattr(result, "__aiter__"):
        return telemetry.wrap_stream(result)
    telemetry.finish_response(result)
    return result


def start_call(
    operation: str,
    provider: str,
    model: str,
    credential: Any,
    attributes: Callable[[], Mapping[str, Any]] | None = None,
) -> CallTelemetry | None:
    """A ``CallTelemetry`` for one call, or None when telemetry is off (the usual case;
    ``attributes`` is then never called)."""
    instruments = _instruments()
    if instruments is None:
        return None
    request = attributes() if attributes is not None else {}
    return CallTelemetry(instruments, operation, provider, model, credential, request)


def chat_request_attributes(
    parameters: Mapping[str, Any],
    stream: bool,
    messages: Sequence[Any],
    tools: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    """Span attributes describing a chat request; content only on the opt-in."""
    attributes: dict[str, Any] = {"gen_ai.request.stream": stream, "gen_ai.output.type": "text"}
    for name, key in _REQUEST_ATTRIBUTES.items():
        value = parameters.get(name)
        if value is not None:
            attributes[key] = list(value) if isinstance(value, list | tuple) else value
    if capture_content():
        attributes["gen_ai.input.messages"] = json.dumps(
            [_message_json(m.role, m.content) for m in messages], ensure_ascii=False
        )
        if tools:
            attributes["gen_ai.tool.definitions"] = json.dumps(list(tools), ensure_ascii=False)
    return attributes


def observed(
    on_event: Callable[[str | None, Any, StreamAccumulator], None], telemetry: CallTelemetry
) -> Callable[[str | None, Any, StreamAccumulator], None]:
    """A dialect's ``on_event`` that also shows each payload to ``telemetry``."""

    def handle(event: str | None, payload: Any, acc: StreamAccumulator) -> None:
        telemetry.on_payload(payload)
        on_event(event, payload, acc)

    return handle


def _usage_attributes(usage: Any) -> dict[str, Any]:
    if usage is None:
        return {}
    out: dict[str, Any] = {}
    for field, key in (
        ("input_tokens", "gen_ai.usage.input_tokens"),
        ("output_tokens", "gen_ai.usage.output_tokens"),
        ("cache_read_input_tokens", "gen_ai.usage.cache_read.input_tokens"),
        ("cache_creation_input_tokens", "gen_ai.usage.cache_creation.input_tokens"),
        ("reasoning_tokens", "gen_ai.usage.reasoning.output_tokens"),
    ):
        value = getattr(usage, field, None)
        if isinstance(value, int):
            out[key] = value
    tokens = getattr(usage, "tokens", None)  # embedding usage
    if isinstance(tokens, int) and "gen_ai.usage.input_tokens" not in out:
        out["gen_ai.usage.input_tokens"] = tokens
    return out


def _message_json(role: str, content: Any, finish: Any = None) -> dict[str, Any]:
    """A message in the conventions' JSON shape: role and typed parts."""
    parts: list[dict[str, Any]] = []
    for block in content if isinstance(content, list) else []:
        kind = getattr(block, "type", None)
        if kind == "text":
            parts.append({"type": "text", "content": block.text})
        elif kind == "thinking":
            parts.append({"type": "reasoning", "content": block.thinking})
        elif kind == "tool_call":
            parts.append(
                {"type": "tool_call", "id": block.id, "name": block.name, "arguments": block.input}
            )
        elif kind == "tool_result":
            parts.append(
                {"type": "tool_call_response", "id": block.id, "response": str(block.output)}
            )
        elif kind is not None:
            parts.append({"type": str(kind)})
    message: dict[str, Any] = {"role": role, "parts": parts}
    if finish:
        message["finish_reason"] = str(finish)
    return message


def _base_url(credential: Any) -> str:
    """The credential's root URL, or "" for a custom credential that has none."""
    try:
        return str(credential.resolved_base_url())
    except (AttributeError, TypeError, ValueError):
        return ""


def _clean(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None}
