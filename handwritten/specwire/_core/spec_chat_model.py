"""The chat engine generated classes bind to: spec constants in, typed responses out.

A generated chat class sets ``binding`` (from its spec) and ``Parameters``; this class
formats messages, lets the wire dialect build the request, sends it with the retry
policy, decodes the stream format and feeds the dialect's events to the accumulator.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
from orjson import JSONDecodeError, loads
from pydantic import BaseModel

from .._batch.model import ChatBatching
from .._ratelimit import Reservation, estimate_tokens
from .accumulator import StreamAccumulator
from .binding import ModelBinding
from .blocks import ToolCallBlock
from .bound import BoundModel, check_parameters_type, http_options
from .call_log import CallLog
from .chat_model import ChatModelBase
from .construct import construct
from .credential import CredentialBase, check_credential_family
from .deadline import DEFAULT_DEADLINE, check_deadline, read_timeout_of, within_deadline
from .decoders import JsonArrayDecoder, NdjsonDecoder, SseDecoder
from .dialect import ChatCall, ChatDialect, WireRequest
from .errors import (
    APITimeoutError,
    IncompleteStreamError,
    InvalidInputError,
    ProviderError,
    ResponseFormatError,
    StreamBrokenError,
)
from .extra import merge_extra
from .finish_reasons import FinishReason, normalize_finish_reason
from .ids import new_id, now_iso
from .pricing import usage_cost
from .response import ChatResponse, ChatUsage
from .secrets import Redactor
from .telemetry import CallTelemetry, current_call, observed
from .transport import check_stream_content_type, decode_json, read_json_body, request_address

if TYPE_CHECKING:
    from .._formatters.base import FormatterBase


class SpecChatModel(ChatBatching, ChatModelBase, BoundModel):
    """A chat model driven entirely by its ``binding``."""

    binding: ClassVar[ModelBinding]
    chat_formatter: ClassVar[type[FormatterBase] | None] = None
    """The provider's named formatter (``DeepSeekChatFormatter``), generated for a
    provider that shares another's dialect; the default where its endpoint speaks that
    dialect."""

    def __init__(
        self,
        credential: CredentialBase,
        model: str,
        parameters: BaseModel | None = None,
        stream: bool = True,
        max_retries: int = 3,
        context_size: int = 128000,
        formatter: FormatterBase | None = None,
        timeout: httpx.Timeout | float | None = None,
        transport: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_connections: int | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
    ) -> None:
        super().__init__(
            credential=credential,
            model=model,
            parameters=parameters,
            stream=stream,
            max_retries=max_retries,
            context_size=context_size,
            formatter=formatter,
        )
        check_parameters_type(self, self.parameters)
        check_credential_family(self, credential)
        self._dialect: ChatDialect = self._bind(
            credential,
            ChatDialect,
            max_retries,
            timeout=timeout,
            http_options=http_options(transport, http_client, default_headers, max_connections),
        )
        if formatter is None:
            named, default = self.chat_formatter, self._dialect.formatter_class
            fits = named is not None and issubclass(named, default)
            self.formatter = (named if fits else default)()  # type: ignore[misc]
        self._read_timeout = read_timeout_of(timeout)
        self.deadline = check_deadline(deadline)

    # ------------------------------------------------------------------ call
    async def _call_api(
        self,
        model_name: str,
        messages: list[Any],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> ChatResponse | AsyncGenerator[ChatResponse, None]:
        if self._dialect.system_apart and all(
            getattr(m, "role", None) == "system" for m in messages
        ):
            raise InvalidInputError(
                f"{type(self).__name__} needs a user or assistant message besides the system "
                "prompt (the API takes system messages apart and refuses an empty conversation)"
            )
        stream = bool(kwargs.pop("stream", self.stream))
        deadline = check_deadline(kwargs.pop("deadline", self.deadline))
        parameters, keywords, extra_body = self._split_kwargs(kwargs)
        formatted = await self.formatter.format(messages)
        call = ChatCall(model_name, formatted, tools or None, tool_choice, parameters, stream)
        wire = self._dialect.build_request(call)
        merge_extra(
            wire.body,
            keywords=keywords,
            extra_body=extra_body,
            location=self._dialect.extra_location,
        )
        started = time.perf_counter()
        log = CallLog(
            self.binding.provider,
            model_name,
            "chat stream" if stream else "chat",
            Redactor.for_credential(self.credential),
        )
        log.request(wire.path, wire.body)
        ends = None if deadline is None else time.monotonic() + deadline
        # set by ChatModelBase around this call when telemetry is on: the engine adds
        # what only it sees (the provider's response id, model and stop reason)
        telemetry = current_call()
        estimate = estimate_tokens(wire.body)
        if not stream:
            async with within_deadline(ends, deadline, self.binding.provider, log):
                return await self._retry.run(
                    lambda: self._complete(wire, started, telemetry, estimate),
                    log=log,
                    deadline=ends,
                )
        async with within_deadline(ends, deadline, self.binding.provider, log):
            response = await self._retry.run(
                lambda: self._open(wire, True, estimate), log=log, deadline=ends
            )
        return self._stream(response, wire, started, log, ends, telemetry, estimate)

    def _split_kwargs(
        self, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Parameters (validated: the model's own merged with call overrides), the other
        keyword arguments and ``extra_body`` (both merged into the request body where the
        dialect puts them, see ``specwire._core.extra``)."""
        fields = type(self.parameters).model_fields
        overrides = {k: kwargs.pop(k) for k in list(kwargs) if k in fields}
        extra = dict(kwargs.pop("extra_body", None) or {})
        params = self.parameters
        if overrides:  # removed ones were refused by the base's _check_call_parameters
            params = type(params).model_validate(
                {**params.model_dump(exclude_unset=True), **overrides}
            )
        return params.model_dump(exclude_none=True), kwargs, extra

    async def _open(self, wire: WireRequest, stream: bool, estimate: int = 0) -> httpx.Response:
        headers, query = request_address(
            self.credential, self._endpoint, stream=stream, headers=wire.headers, query=wire.query
        )
        # every attempt waits for the model's rate budget; a failed one gives its
        # tokens back, and a 429 pauses everyone sharing the budget
        reservation = await self.budget.acquire(estimate)
        try:
            return await self._http.open(
                "POST",
                self.credential.resolved_base_url() + wire.path,
                provider=self.binding.provider,
                json_body=wire.body,
                headers=headers,
                params=query,
                errors=self._dialect.errors,
            )
        except BaseException as error:
            await self.budget.observe(error)
            await reservation.settle(0)
            raise

    async def _complete(
        self,
        wire: WireRequest,
        started: float,
        telemetry: CallTelemetry | None = None,
        estimate: int = 0,
    ) -> ChatResponse:
        body = await read_json_body(await self._open(wire, False, estimate), self.binding.provider)
        acc = self._dialect.accumulator()
        try:
            self._dialect.on_response(body, acc)
            content = acc.final_blocks()
        except ResponseFormatError as exc:
            raise _with_provider(exc, self.binding.provider) from None
        except _SHAPE_ERRORS as exc:
            raise _malformed(
                exc, self._dialect.name, "the response", body, self.binding.provider
            ) from exc
        if telemetry is not None:
            telemetry.on_payload(body)
            telemetry.on_accumulated(acc)
        finish, provider_finish = self._finish_reason(acc, content)
        usage = self._usage(acc, wire, started)
        await self._settle(estimate, usage)
        return ChatResponse(
            content=content,
            is_last=True,
            usage=usage,
            metadata=dict(acc.extra) or None,
            finish_reason=finish,
            provider_finish_reason=provider_finish,
        )

    def _finish_reason(
        self, acc: StreamAccumulator, content: list[Any]
    ) -> tuple[FinishReason | None, str | None]:
        raw = acc.stop_reason
        if raw is None:
            return None, None
        provider_value = str(raw)
        reason = normalize_finish_reason(provider_value, self._dialect.finish_reasons)
        if reason == "stop" and any(isinstance(b, ToolCallBlock) for b in content):
            # Gemini, Ollama and a forced OpenAI tool_choice say "stop" for a turn that
            # ends in tool calls; the caller's next step is the same as for tool_calls.
            reason = "tool_calls"
        return reason, provider_value

    def _usage(self, acc: StreamAccumulator, wire: WireRequest, started: float) -> ChatUsage | None:
        """The call's usage, priced (see ``pricing``) when the model's prices are known."""
        usage = acc.chat_usage(time.perf_counter() - started)
        if usage is not None:
            from .._cards.loading import card_prices

            model = self.model
            usage.cost = usage_cost(
                usage, model, self.credential.resolved_base_url(), card_prices(type(self), model)
            )
        return usage

    async def _settle(self, estimate: int, usage: ChatUsage | None) -> None:
        """Correct the rate budget's token estimate by the usage the provider reported."""
        if usage is not None and (usage.input_tokens or usage.output_tokens):
            await Reservation(self.budget, estimate).settle(
                usage.input_tokens + usage.output_tokens
            )

    async def _stream(
        self,
        response: httpx.Response,
        wire: WireRequest,
        started: float,
        log: CallLog,
        ends: float | None,
        telemetry: CallTelemetry | None = None,
        estimate: int = 0,
    ) -> AsyncGenerator[ChatResponse, None]:
        response_id = new_id()
        created_at = now_iso()
        acc = self._dialect.accumulator()
        handed_out = False
        retries_left = self.max_retries
        provider = self.binding.provider
        try:
            while True:
                try:
                    check_stream_content_type(response, provider)
                    reader = self._read_stream(response, acc, telemetry)
                    while True:
                        if ends is None or ends - time.monotonic() > self._read_timeout:
                            delta = await anext(reader, None)  # the read timeout comes first
                        else:
                            async with within_deadline(ends, self.deadline, provider, None):
                                delta = await anext(reader, None)
                        if delta is None:
                            break
                        handed_out = True
                        yield construct(
                            ChatResponse,
                            {
                                "content": delta,
                                "is_last": False,
                                "usage": None,
                                "id": response_id,
                                "created_at": created_at,
                                "metadata": None,
                                "type": "chat",
                                "finish_reason": None,
                                "provider_finish_reason": None,
                            },
                        )
                    self._check_complete(acc, response_id, created_at, started)
                    break
                except ProviderError as error:
                    log.redact(error)
                    # Replaying after a delta reached the caller would repeat output.
                    if handed_out or retries_left <= 0 or not self._retry.is_retryable(error):
                        log.failure(error, "after output was handed out" if handed_out else None)
                        raise
                    if ends is not None and time.monotonic() >= ends:
                        log.failure(error, "the call's deadline has passed")
                        raise
                    retries_left -= 1
                    log.retry(0.0, error)  # reopened at once: nothing was handed out yet
                    await response.aclose()
                    acc = self._dialect.accumulator()
                    async with within_deadline(ends, self.deadline, provider, log):
                        response = await self._retry.run(
                            lambda: self._open(wire, True, estimate), log=log, deadline=ends
                        )
            if telemetry is not None:
                telemetry.on_accumulated(acc)
            content = acc.final_blocks()
            finish, provider_finish = self._finish_reason(acc, content)
            usage = self._usage(acc, wire, started)
            await self._settle(estimate, usage)
            yield ChatResponse(
                content=content,
                is_last=True,
                usage=usage,
                id=response_id,
                created_at=created_at,
                metadata=dict(acc.extra) or None,
                finish_reason=finish,
                provider_finish_reason=provider_finish,
            )
        finally:
            await response.aclose()

    def _check_complete(
        self, acc: StreamAccumulator, response_id: str, created_at: str, started: float
    ) -> None:
        """Raise when the stream ended without its completion signal (unless the spec
        says this endpoint has none): the answer may be cut short."""
        if acc.finished or not self._endpoint.stream_end_signal:
            return
        provider = self.binding.provider
        if not acc.has_content and not acc.usage_fields and acc.stop_reason is None:
            raise ResponseFormatError(
                "the stream ended before any event arrived (an empty body)",
                status=200,
                provider=provider,
            )
        partial = ChatResponse(
            content=acc.final_blocks(),
            is_last=True,
            usage=acc.chat_usage(time.perf_counter() - started),
            id=response_id,
            created_at=created_at,
            metadata=dict(acc.extra) or None,
        )
        raise IncompleteStreamError(
            f"the stream ended without its completion signal ({self._dialect.name}: "
            f"{self._dialect.completion_signal}); the answer may be cut short "
            "(what arrived is in .partial)",
            partial=partial,
            provider=provider,
        )

    async def _read_stream(
        self,
        response: httpx.Response,
        acc: StreamAccumulator,
        telemetry: CallTelemetry | None = None,
    ) -> AsyncGenerator[list[Any], None]:
        """Decode the body and feed the dialect; yield the accumulator's delta after each
        network read (events that arrived together leave as one chunk)."""
        fmt = self._endpoint.stream_format
        chunks = _body(response)
        on_event: Callable[[str | None, Any, StreamAccumulator], None] = self._dialect.on_event
        if telemetry is not None:
            on_event = observed(on_event, telemetry)  # the response id and model
        provider = self.binding.provider
        take = acc.take_delta
        payload: Any = None  # the item being read, named when it is malformed
        try:
            if fmt == "sse" and "json" in response.headers.get("content-type", "").lower():
                # Asked for SSE, answered with JSON: Gemini's JSON-array stream (or one
                # JSON object), read element by element. The first bytes decide, since
                # some servers label a real SSE body as JSON.
                first = b""
                async for first in chunks:
                    if first.strip():
                        break
                if first.lstrip()[:1] in (b"[", b"{"):
                    fmt = "json-array"
                chunks = _prepend(first, chunks)
            if fmt == "sse":
                terminator = (self._endpoint.stream_terminator or "").encode() or None
                decoder = SseDecoder()
                done = False
                async for chunk in chunks:
                    for event in decoder.feed(chunk):
                        if terminator is not None and event.data == terminator:
                            done = acc.finished = True
                            break
                        try:
                            payload = loads(event.data)
                        except JSONDecodeError:
                            payload = None
                        if payload is None and event.data.strip():
                            raise StreamBrokenError(
                                f"undecodable stream event: {event.data[:120]!r}", provider=provider
                            )
                        on_event(event.event, payload, acc)
                    delta = take()
                    if delta:
                        yield delta
                    if done:
                        return
                for event in decoder.close():
                    if terminator is not None and event.data == terminator:
                        acc.finished = True
                    else:
                        on_event(event.event, decode_json(event.data), acc)
            else:
                line_decoder: NdjsonDecoder | JsonArrayDecoder = (
                    NdjsonDecoder() if fmt == "ndjson" else JsonArrayDecoder()
                )
                async for chunk in chunks:
                    for item in line_decoder.feed(chunk):
                        payload = decode_json(item)
                        if payload is None:
                            raise StreamBrokenError(
                                f"undecodable stream item: {item[:120]!r}", provider=provider
                            )
                        on_event(None, payload, acc)
                    delta = take()
                    if delta:
                        yield delta
                for item in line_decoder.close():
                    on_event(None, decode_json(item), acc)
        except httpx.TimeoutException as exc:
            raise APITimeoutError(
                f"stream timed out: {type(exc).__name__}", provider=provider
            ) from exc
        except httpx.HTTPError as exc:
            raise StreamBrokenError(
                f"stream broken: {type(exc).__name__}: {exc}", provider=provider
            ) from exc
        except ResponseFormatError as exc:
            raise _with_provider(exc, provider) from None
        except _SHAPE_ERRORS as exc:
            raise _malformed(exc, self._dialect.name, "a stream event", payload, provider) from exc
        await response.aclose()  # the body ended: the connection can be reused now
        delta = take()
        if delta:
            yield delta


# What a dialect reading a wrongly shaped answer raises; never let out bare.
_SHAPE_ERRORS = (AttributeError, KeyError, TypeError, ValueError, IndexError)


def _with_provider(error: ResponseFormatError, provider: str) -> ResponseFormatError:
    """``error`` (raised where the provider is not known) naming ``provider``."""
    if error.provider is None:
        error.provider = provider
        error.args = (error._describe(),)
    return error


def _malformed(
    error: Exception, dialect: str, where: str, value: Any, provider: str
) -> ResponseFormatError:
    """The typed error for a dialect tripping over ``value`` (``where`` in the answer)."""
    shown = repr(value)
    if len(shown) > 300:
        shown = shown[:300] + "..."
    return ResponseFormatError(
        f"malformed answer: {where} does not have the {dialect} shape "
        f"({type(error).__name__}: {error}): {shown}",
        provider=provider,
    )


def _body(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body's bytes as they arrive. Without a content-encoding to undo they come
    straight from the transport's stream, skipping the two generator layers httpx's
    ``aiter_bytes`` adds to every chunk (on a one-event-per-chunk stream, per event)."""
    stream = response.stream
    if "content-encoding" not in response.headers and isinstance(stream, httpx.AsyncByteStream):
        response.is_stream_consumed = True
        return stream.__aiter__()
    return response.aiter_bytes()


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """``rest`` with ``first`` (already read from it) put back in front."""
    if first:
        yield first
    async for chunk in rest:
        yield chunk
