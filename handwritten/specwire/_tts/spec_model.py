"""The HTTP text-to-speech engine generated classes bind to.

A generated TTS class sets ``binding`` (from its spec) and ``Parameters``; this class
builds the request through the spec'd wire dialect, sends it with the retry policy, and
reads either one answer or a server-sent-event stream of audio deltas. Realtime
(websocket) models have their own bases in ``realtime.py``.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncGenerator, Mapping
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel

from .._core.binding import ModelBinding
from .._core.blocks import Base64Source, DataBlock, URLSource
from .._core.bound import BoundModel, check_model_arguments, http_options
from .._core.call_log import CallLog
from .._core.credential import CredentialBase
from .._core.decoders import SseDecoder
from .._core.errors import APIConnectionError, APITimeoutError, ProviderError, StreamBrokenError
from .._core.extra import merge_extra
from .._core.ids import new_id, now_iso
from .._core.secrets import Redactor
from .._core.transport import decode_json, read_json_body, request_address
from .base import TTSModelBase
from .http_dialect import AudioPiece, TTSHttpDialect
from .response import TTSResponse, TTSUsage, audio_block
from .wire import media_type

_EXTENSION_MEDIA_TYPES = {".wav": "wav", ".mp3": "mp3", ".opus": "opus", ".pcm": "pcm"}


class SpecTTSModel(TTSModelBase, BoundModel):
    """An HTTP text-to-speech model driven entirely by its ``binding``.

    ``fetch_audio=True`` downloads audio the provider answers with as a URL, so the
    response holds the bytes (the URL stays in ``metadata["audio_url"]``); with False the
    content is a ``URLSource``.
    """

    binding: ClassVar[ModelBinding]

    def __init__(
        self,
        credential: CredentialBase,
        model: str,
        parameters: BaseModel | None = None,
        stream: bool = True,
        max_retries: int = 3,
        timeout: httpx.Timeout | float | None = None,
        fetch_audio: bool = True,
        transport: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_connections: int | None = None,
    ) -> None:
        super().__init__(credential=credential, model=model, parameters=parameters, stream=stream)
        check_model_arguments(model, max_retries)
        self.max_retries = max_retries
        self.fetch_audio = fetch_audio
        self._dialect: TTSHttpDialect = self._bind(
            credential,
            TTSHttpDialect,
            max_retries,
            timeout=timeout,
            http_options=http_options(transport, http_client, default_headers, max_connections),
        )

    # ------------------------------------------------------------------ call
    async def synthesize(
        self, text: str | None = None, **kwargs: Any
    ) -> TTSResponse | AsyncGenerator[TTSResponse, None]:
        """Synthesize ``text``: one response, or (``stream=True``) audio deltas and a
        final chunk with the whole audio. Keyword arguments override ``Parameters``
        fields; others go into the request body as they are."""
        if not text:
            raise ValueError("text to synthesize is required")
        stream = bool(kwargs.pop("stream", self.stream))
        parameters, keywords, extra = self._split_kwargs(kwargs)
        body = self._dialect.build_body(self.model, text, parameters)
        merge_extra(
            body, keywords=keywords, extra_body=extra, location=self._dialect.extra_location
        )
        started = time.perf_counter()
        log = CallLog(
            self.binding.provider,
            self.model,
            "tts stream" if stream else "tts",
            Redactor.for_credential(self.credential),
        )
        if not stream:
            return await self._retry.run(lambda: self._complete(body, started), log=log)
        response = await self._retry.run(lambda: self._open(body, True), log=log)
        return self._stream(response, started, log)

    def _split_kwargs(
        self, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """Parameters (validated), the other keyword arguments and ``extra_body``."""
        fields = type(self.parameters).model_fields
        overrides = {k: kwargs.pop(k) for k in list(kwargs) if k in fields}
        extra = dict(kwargs.pop("extra_body", None) or {})
        params = self.parameters
        if overrides:
            from .._cards import check_parameters_against_card

            check_parameters_against_card(type(self), self.model, overrides)
            params = type(params).model_validate(
                {**params.model_dump(exclude_unset=True), **overrides}
            )
        # a field the card removes is never sent, not even as the class default
        return params.model_dump(exclude_none=True, exclude=set(self._removed)), kwargs, extra

    async def _open(self, body: dict[str, Any], stream: bool) -> httpx.Response:
        endpoint = self._endpoint
        headers, query = request_address(self.credential, endpoint, stream=stream)
        path = (endpoint.stream_path if stream else None) or endpoint.path
        # each attempt waits for the model's rate budget (requests; a 429 pauses all)
        await self.budget.acquire(0)
        try:
            return await self._http.open(
                "POST",
                self.credential.resolved_base_url() + path.replace("{model}", self.model),
                provider=self.binding.provider,
                json_body=body,
                headers=headers,
                params=query,
                errors=self._dialect.errors,
            )
        except BaseException as error:
            await self.budget.observe(error)
            raise

    async def _complete(self, body: dict[str, Any], started: float) -> TTSResponse:
        payload = await read_json_body(await self._open(body, False), self.binding.provider)
        error = self._dialect.stream_error(None, payload)
        if error is not None:
            raise error
        piece = self._dialect.read_piece(payload)
        content = await self._content(piece)
        return TTSResponse(
            content=content,
            is_last=True,
            usage=_usage(piece.usage, time.perf_counter() - started),
            metadata=piece.metadata or None,
        )

    async def _content(self, piece: AudioPiece) -> DataBlock | None:
        """The audio of a whole answer: inline, downloaded from its URL, or the URL."""
        default_type = self._dialect.options.media_type
        if piece.data:
            return DataBlock(source=Base64Source(data=piece.data, media_type=default_type))
        if not piece.url:
            return None
        url_type = _url_media_type(piece.url) or default_type
        if not self.fetch_audio:
            return DataBlock(source=URLSource(url=piece.url, media_type=url_type))
        # The file lives on the provider's storage host: no credential goes with it.
        response = await self._http.open("GET", piece.url, provider=self.binding.provider)
        try:
            audio = await response.aread()
        except httpx.HTTPError as exc:
            raise APIConnectionError(
                f"downloading the audio failed: {exc}", provider=self.binding.provider
            ) from exc
        finally:
            await response.aclose()
        served = response.headers.get("content-type", "")
        kind = served if served.startswith("audio/") else url_type
        return DataBlock(
            source=Base64Source(data=base64.b64encode(audio).decode("ascii"), media_type=kind)
        )

    async def _stream(
        self, response: httpx.Response, started: float, log: CallLog
    ) -> AsyncGenerator[TTSResponse, None]:
        response_id = new_id()
        created_at = now_iso()
        delta_type = self._dialect.options.stream_media_type
        provider = self.binding.provider
        decoder = SseDecoder()
        audio: list[bytes] = []
        usage: dict[str, int] = {}
        metadata: dict[str, Any] = {}
        try:
            try:
                async for chunk in response.aiter_bytes():
                    for event in decoder.feed(chunk):
                        payload = decode_json(event.data)
                        if payload is None:
                            if event.data.strip():
                                raise StreamBrokenError(
                                    f"undecodable stream event: {event.data[:120]!r}",
                                    provider=provider,
                                )
                            continue
                        error = self._dialect.stream_error(event.event, payload)
                        if error is not None:
                            raise error
                        piece = self._dialect.read_piece(payload)
                        usage.update(piece.usage)  # running totals: replace, never add
                        metadata.update(piece.metadata)
                        if piece.data:
                            audio.append(base64.b64decode(piece.data))
                            yield TTSResponse.model_construct(
                                content=DataBlock(
                                    source=Base64Source(data=piece.data, media_type=delta_type)
                                ),
                                is_last=False,
                                usage=None,
                                id=response_id,
                                created_at=created_at,
                                metadata=None,
                                type="tts",
                            )
            except httpx.TimeoutException as exc:
                raise APITimeoutError(
                    f"stream timed out: {type(exc).__name__}", provider=provider
                ) from exc
            except httpx.HTTPError as exc:
                raise StreamBrokenError(
                    f"stream broken: {type(exc).__name__}: {exc}", provider=provider
                ) from exc
            whole = b"".join(audio)
            if whole:
                content: DataBlock | None = audio_block(whole, delta_type)
            else:  # the stream named a file but carried no inline audio
                content = await self._content(AudioPiece(url=metadata.get("audio_url")))
            yield TTSResponse(
                content=content,
                is_last=True,
                usage=_usage(usage, time.perf_counter() - started),
                id=response_id,
                created_at=created_at,
                metadata=metadata or None,
            )
        except ProviderError as error:
            log.redact(error)
            log.failure(error, "in the stream")
            raise
        finally:
            await response.aclose()


def _usage(counts: dict[str, int], elapsed: float) -> TTSUsage:
    return TTSUsage(
        input_tokens=counts.get("input_tokens", 0),
        output_tokens=counts.get("output_tokens", 0),
        characters=counts.get("characters", 0),
        time=elapsed,
    )


def _url_media_type(url: str) -> str | None:
    path = url.split("?", 1)[0].lower()
    for extension, fmt in _EXTENSION_MEDIA_TYPES.items():
        if path.endswith(extension):
            return media_type(fmt)
    return None
