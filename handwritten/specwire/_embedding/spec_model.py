"""The embedding engine generated classes bind to: spec constants in, vectors out.

A generated class sets ``binding`` (endpoint, wire format, retryable failures, batch
limits) and ``Parameters``; this class sends one batch per ``_call_api`` through the
wire module and the shared HTTP transport. Batching, caching, concurrency and retries
come from ``EmbeddingModelBase``.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel

from .._batch.model import EmbeddingBatching
from .._core.binding import ModelBinding
from .._core.blocks import DataBlock
from .._core.bound import BoundModel, http_options
from .._core.credential import CredentialBase, check_credential_family
from .._core.errors import APIConnectionError, ProviderError
from .._core.extra import merge_extra
from .._core.ids import new_id, now_iso
from .._core.retry import RetryPolicy
from .._core.secrets import Redactor
from .._core.transport import decode_json, request_address
from .base import EmbeddingModelBase, InputT, batch_delays
from .batching import InputKind
from .cache import EmbeddingCacheBase
from .response import EmbeddingResponse, EmbeddingUsage
from .wire.base import EmbeddingCall, EmbeddingWire


class _SpecEmbeddingEngine(EmbeddingBatching, EmbeddingModelBase[InputT], BoundModel):
    """An embedding model driven entirely by its ``binding``."""

    binding: ClassVar[ModelBinding]

    def __init__(
        self,
        credential: CredentialBase,
        model: str,
        parameters: BaseModel | None = None,
        embedding_cache: EmbeddingCacheBase | None = None,
        context_size: int | None = None,
        batch_size: int | None = None,
        max_retries: int = 3,
        retry_delay: float = 1.0,
        max_concurrency: int = 8,
        timeout: httpx.Timeout | float | None = None,
        transport: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_connections: int | None = None,
    ) -> None:
        check_credential_family(self, credential)
        # the wire module decides which inputs a cardless model takes, so it comes first
        self._wire: EmbeddingWire = self._bind(
            credential,
            EmbeddingWire,
            max_retries,
            timeout=timeout,
            http_options=http_options(transport, http_client, default_headers, max_connections),
            **batch_delays(retry_delay),
        )
        super().__init__(
            credential=credential,
            model=model,
            parameters=parameters,
            embedding_cache=embedding_cache,
            context_size=context_size,
            batch_size=batch_size,
            max_retries=max_retries,
            retry_delay=retry_delay,
            max_concurrency=max_concurrency,
        )
        self._media = any(kind != "text" for kind in self._accepted)

    # ------------------------------------------------------------ base hooks
    def _retry_policy(self, max_retries: int, retry_delay: float) -> RetryPolicy:
        # the spec's retryable statuses and codes, with the batch delays
        return self.binding.retry_policy(max_retries, **batch_delays(retry_delay))

    @classmethod
    def _spec_batch_limits(cls) -> Mapping[str, int]:
        return cls.binding.batch_limits

    @classmethod
    def _get_retryable_exceptions(cls) -> tuple[builtins.type[BaseException], ...]:
        # provider errors are judged by the spec's statuses and codes (see _is_retryable)
        return (TimeoutError, ConnectionError)

    def _is_retryable(self, error: BaseException) -> bool:
        if isinstance(error, ProviderError):
            return self._retry.is_retryable(error)
        return isinstance(error, self._get_retryable_exceptions())

    def _accepted_kinds(self) -> frozenset[InputKind]:
        wire_kinds = self._wire.kinds_for(self.model)
        if self.card is None:
            return wire_kinds
        return super()._accepted_kinds() & self._wire.kinds

    def _input_problem(self, item: InputT, kind: InputKind) -> str | None:
        return self._wire.input_problem(item, kind)

    def _provider_name(self) -> str | None:
        return self.binding.provider

    # ------------------------------------------------------------ one batch
    async def _call_api(self, inputs: list[InputT], **kwargs: Any) -> EmbeddingResponse:
        try:
            return await self._send_batch(inputs, **kwargs)
        except ProviderError as error:
            # a provider may echo the key it got; it never leaves specwire
            Redactor.for_credential(self.credential).error(error)
            raise

    async def _send_batch(self, inputs: list[InputT], **kwargs: Any) -> EmbeddingResponse:
        started = time.perf_counter()
        options = self._options_for(kwargs)
        call = EmbeddingCall(
            model=self.model,
            inputs=inputs,
            dimensions=options.dimensions,
            parameters=options.parameters,
            media=self._media,
        )
        wire = self._wire.build_request(call)
        merge_extra(
            wire.body,
            keywords=options.keywords,
            extra_body=options.extra,
            location=self._wire.extra_location,
        )
        headers, query = request_address(
            self.credential, self._endpoint, headers=wire.headers, query=wire.query
        )
        provider = self.binding.provider
        response = await self._http.open(
            "POST",
            self.credential.resolved_base_url() + wire.path,
            provider=provider,
            json_body=wire.body,
            headers=headers,
            params=query,
            errors=self._wire.errors,
        )
        decoder = self._wire.incremental(len(inputs))
        raw = b""
        try:
            if decoder is None:
                raw = await response.aread()
            else:
                async for chunk in response.aiter_bytes():
                    decoder.feed(chunk)
        except httpx.HTTPError as exc:
            raise APIConnectionError(
                f"reading the response failed: {exc}", provider=provider
            ) from exc
        finally:
            await response.aclose()
        if decoder is not None:
            parsed = decoder.finish()
        else:
            body = decode_json(raw)
            del raw  # a large batch: do not hold the bytes while decoding vectors
            if body is None:
                raise ProviderError(
                    "the response is not JSON", status=response.status_code, provider=provider
                )
            parsed = self._wire.parse_response(body, len(inputs))
        return EmbeddingResponse.model_construct(
            embeddings=parsed.vectors,
            usage=EmbeddingUsage(tokens=parsed.tokens, time=time.perf_counter() - started),
            source="api",
            id=new_id(),
            created_at=now_iso(),
            metadata=None,
            type="embedding",
        )


class SpecEmbeddingModel(_SpecEmbeddingEngine[str | DataBlock]):
    """A spec-driven embedding model taking text and media (``DataBlock``) inputs."""


class SpecTextEmbeddingModel(_SpecEmbeddingEngine[str]):
    """A spec-driven embedding model taking text inputs only."""
