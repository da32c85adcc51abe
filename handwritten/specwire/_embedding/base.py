"""``EmbeddingModelBase``: everything around one provider request.

A subclass implements ``_call_api`` for a single batch (and may name its transient
errors in ``_get_retryable_exceptions``). The base turns a call into batches under the
model's limits, serves what it can from the cache, runs batches concurrently under a
bound, retries each batch on its own, and merges the vectors in input order.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

from .._core.blocks import DataBlock
from .._core.bound import ModelLifecycle, check_model_arguments, model_parameters
from .._core.credential import CredentialBase, check_credential_family
from .._core.errors import (
    APIConnectionError,
    APITimeoutError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
)
from .._core.ids import new_id, now_iso
from .._core.retry import RetryPolicy
from .._ratelimit.model import RateLimited
from .batching import BatchLimits, InputKind, kind_of, pack
from .cache import EmbeddingCacheBase, cache_key
from .dimensions import DimensionRule
from .errors import EmbeddingBatchError, EmbeddingInputError, FailedBatch
from .response import EmbeddingResponse, EmbeddingUsage
from .vector import Embedding

if TYPE_CHECKING:
    from .._cards import EmbeddingModelCard

InputT = TypeVar("InputT", bound=str | DataBlock)

logger = logging.getLogger("specwire.embedding")

ALL_KINDS: frozenset[InputKind] = frozenset({"text", "image", "video", "audio", "document"})
DEFAULT_CONTEXT_SIZE = 8192
MAX_BACKOFF = 30.0
RETRY_AFTER_CAP = 60.0


def batch_delays(retry_delay: float) -> dict[str, Any]:
    """The ``RetryPolicy`` delays of a batch retried from ``retry_delay`` seconds."""
    return {
        "initial_delay": retry_delay,
        "max_delay": max(MAX_BACKOFF, retry_delay),
        "retry_after_cap": RETRY_AFTER_CAP,
    }


_MEDIA_KINDS: dict[str, InputKind] = {"image": "image", "video": "video", "audio": "audio"}


class EmbeddingParameters(BaseModel):
    """Parameters every embedding model takes: the output vector size."""

    model_config = ConfigDict(extra="forbid")

    dimensions: Annotated[int | None, Field(ge=1, description="Output vector size.")] = 512


@dataclass(frozen=True)
class CallOptions:
    """One call's settings, validated: the size to ask for, the other ``Parameters``
    (unset ones left out), ``extra_body`` and any other keyword arguments (merged into
    the body, see ``specwire._core.extra``)."""

    dimensions: int | None
    parameters: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    """``extra_body``, rooted at the body."""
    keywords: dict[str, Any] = field(default_factory=dict)
    """Unknown keyword arguments, merged where the wire format keeps its parameters."""


class EmbeddingModelBase(RateLimited, ModelLifecycle, ABC, Generic[InputT]):
    """An embedding model: ``await model(inputs, **kwargs) -> EmbeddingResponse``.

    ``InputT`` is ``str`` for text models and ``str | DataBlock`` for multimodal ones.
    Keyword arguments that name a ``Parameters`` field override it for the call; others
    go into the request body as they are.
    """

    Parameters: builtins.type[BaseModel] = EmbeddingParameters
    """The model's parameters (a pydantic model); ``dimensions`` defaults to 512, and a
    model's card may pin another default or the sizes it offers."""
    type: str = "embedding_model"
    cards_dir: ClassVar[str | None] = None
    """A folder of YAML cards under ``spec/``; hand-written models use ``_models/``."""

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
    ) -> None:
        check_model_arguments(model, max_retries)
        if retry_delay < 0:
            raise ValueError("retry_delay must be >= 0")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be >= 1")
        check_credential_family(self, credential)
        self.credential = credential
        self.model = model
        self.parameters, self._removed = model_parameters(self, model, parameters)
        self.embedding_cache = embedding_cache
        self.max_retries = max_retries
        self.retry_delay = retry_delay
        self.max_concurrency = max_concurrency
        self._retry = self._retry_policy(max_retries, retry_delay)
        self.card: EmbeddingModelCard | None = _card_for(type(self), model)
        self._dimension_rule = DimensionRule.from_card(self.card)
        card_limits = self.card.batch_limits if self.card is not None else {}
        self.batch_limits = BatchLimits.resolve(self._spec_batch_limits(), card_limits, batch_size)
        self.batch_size = self.batch_limits.items
        card_context = self.card.context_size if self.card is not None else None
        self.context_size = context_size or card_context or DEFAULT_CONTEXT_SIZE
        self._default_options = self._resolve_options({})
        self._accepted = self._accepted_kinds()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(model={self.model!r}, "
            f"dimensions={self._default_options.dimensions}, batch_size={self.batch_size})"
        )

    @property
    def dimensions(self) -> int | None:
        """The vector size requested by default (None: the model's own size)."""
        return self._default_options.dimensions

    # ------------------------------------------------------------ subclass API
    @abstractmethod
    async def _call_api(self, inputs: list[InputT], **kwargs: Any) -> EmbeddingResponse:
        """Embed one batch (``len(inputs) <= self.batch_size``, within the model's
        per-request limits); return one vector per input, in order."""

    @classmethod
    def _get_retryable_exceptions(cls) -> tuple[builtins.type[BaseException], ...]:
        """Exceptions after which a batch is sent again (up to ``max_retries`` times)."""
        return (
            APIConnectionError,
            APITimeoutError,
            RateLimitError,
            ServerError,
            TimeoutError,
            ConnectionError,
        )

    def _is_retryable(self, error: BaseException) -> bool:
        """Whether ``error`` may go away if the batch is sent again."""
        return isinstance(error, self._get_retryable_exceptions())

    def _retry_policy(self, max_retries: int, retry_delay: float) -> RetryPolicy:
        """How a batch is retried: backoff from ``retry_delay`` doubling up to
        ``max(30 s, retry_delay)``, 25 % jitter off; a longer ``Retry-After`` from the
        provider wins (within a minute). Which errors: ``_is_retryable``."""
        return RetryPolicy(max_retries=max_retries, **batch_delays(retry_delay))

    @classmethod
    def _spec_batch_limits(cls) -> Mapping[str, int]:
        """Per-request limits of the provider family (spec-driven models fill this)."""
        return {}

    def _accepted_kinds(self) -> frozenset[InputKind]:
        """The input kinds the model takes: its card's input types, else any."""
        if self.card is None:
            return ALL_KINDS
        kinds: set[InputKind] = set()
        for media_type in self.card.input_types:
            major = media_type.partition("/")[0]
            kinds.add("text" if major == "text" else _MEDIA_KINDS.get(major, "document"))
        return frozenset(kinds)

    def _input_problem(self, item: InputT, kind: InputKind) -> str | None:
        """Why ``item`` can never be sent, or None (subclasses add format rules)."""
        return None

    def _provider_name(self) -> str | None:
        """The provider named in errors (spec-driven models know theirs)."""
        return None

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    # ------------------------------------------------------------ the call
    async def __call__(self, inputs: Sequence[InputT], **kwargs: Any) -> EmbeddingResponse:
        """Embed ``inputs``; see the class docstring."""
        from .._core.telemetry import start_call

        telemetry = start_call(
            "embeddings",
            self._provider_name() or type(self).__name__,
            self.model,
            self.credential,
            lambda: {
                "gen_ai.embeddings.dimension.count": getattr(self.parameters, "dimensions", None)
            },
        )
        if telemetry is None:
            return await self._embed(inputs, **kwargs)
        try:
            response = await self._embed(inputs, **kwargs)
        except BaseException as exc:
            telemetry.fail(exc)
            raise
        telemetry.finish(response.usage, {})
        return response

    async def _embed(self, inputs: Sequence[InputT], **kwargs: Any) -> EmbeddingResponse:
        started = time.perf_counter()
        items: list[InputT] = (
            [inputs]  # type: ignore[list-item]  # one input given bare
            if isinstance(inputs, str | DataBlock)
            else list(inputs)
        )
        kinds = self._check_inputs(items)
        options = self._options_for(kwargs)
        vectors: list[Embedding | None] = [None] * len(items)
        to_send = list(range(len(items)))
        duplicates: dict[int, list[int]] = {}
        keys: list[str] = []
        cache = self.embedding_cache
        if cache is not None and items:
            configuration = self._cache_configuration(options)
            keys = [cache_key(configuration, item) for item in items]
            to_send = await self._read_cache(cache, keys, vectors, duplicates, options.dimensions)
        batches = pack(to_send, kinds, self.batch_limits)
        tokens = 0
        if batches:
            tokens = await self._run_batches(batches, items, vectors, keys, duplicates, kwargs)
        return EmbeddingResponse.model_construct(
            embeddings=cast(list[Embedding], vectors),  # every slot is filled, or we raised
            usage=EmbeddingUsage(tokens=tokens, time=time.perf_counter() - started),
            source="api" if batches else "cache",
            id=new_id(),
            created_at=now_iso(),
            metadata=None,
            type="embedding",
        )

    def _check_inputs(self, items: Sequence[InputT]) -> list[InputKind]:
        """Each input's kind; raise ``EmbeddingInputError`` for any input that no request
        could carry, before anything is sent."""
        kinds: list[InputKind] = []
        problems: list[tuple[int, str]] = []
        for index, item in enumerate(items):
            try:
                kind = kind_of(item)
            except TypeError as exc:
                kinds.append("text")
                problems.append((index, str(exc)))
                continue
            kinds.append(kind)
            cap = self.batch_limits.cap_of(kind)
            if kind not in self._accepted:
                accepted = ", ".join(sorted(self._accepted))
                reason: str | None = f"{self.model} takes {accepted} inputs, not {kind}"
            elif cap == 0:
                reason = f"{self.model} allows no {kind} in a request"
            else:
                reason = self._input_problem(item, kind)
            if reason:
                problems.append((index, reason))
        if problems:
            shown = "; ".join(f"input {i}: {why}" for i, why in problems[:5])
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise EmbeddingInputError(f"nothing was sent: {shown}{more}", [i for i, _ in problems])
        return kinds

    def _options_for(self, kwargs: Mapping[str, Any]) -> CallOptions:
        """The settings of a call with these keyword arguments."""
        return self._resolve_options(kwargs) if kwargs else self._default_options

    def _resolve_options(self, kwargs: Mapping[str, Any]) -> CallOptions:
        """Validate keyword arguments against ``Parameters`` and the card."""
        fields = type(self.parameters).model_fields
        extra = dict(kwargs.get("extra_body") or {})
        keywords: dict[str, Any] = {}
        overrides: dict[str, Any] = {}
        for name, value in kwargs.items():
            if name in fields:
                overrides[name] = value
            elif name != "extra_body":
                keywords[name] = value
        params = self.parameters
        if overrides:
            from .._cards import check_parameters_against_card

            check_parameters_against_card(type(self), self.model, overrides)
            params = type(params).model_validate(
                {**params.model_dump(exclude_unset=True), **overrides}
            )
        dimensions = None
        if "dimensions" in fields:
            dimensions = self._dimension_rule.resolve(
                self.model,
                getattr(params, "dimensions", None),
                "dimensions" in params.model_fields_set,
            )
        # a removed field's class default is not sent either
        removed = set(self._removed) | {"dimensions"}
        others = params.model_dump(mode="json", exclude_none=True, exclude=removed)
        return CallOptions(dimensions=dimensions, parameters=others, extra=extra, keywords=keywords)

    def _cache_configuration(self, options: CallOptions) -> dict[str, Any]:
        """What besides the input decides a vector (hashed into every cache key)."""
        configuration = {
            "type": self.type,
            "model": self.model,
            "dimensions": options.dimensions,
            "parameters": options.parameters,
            "extra": options.extra,
        }
        if options.keywords:  # only then: earlier cache keys stay valid
            configuration["keywords"] = options.keywords
        return configuration

    async def _read_cache(
        self,
        cache: EmbeddingCacheBase,
        keys: list[str],
        vectors: list[Embedding | None],
        duplicates: dict[int, list[int]],
        dimensions: int | None = None,
    ) -> list[int]:
        """Fill ``vectors`` from the cache; return the positions still to send (each
        distinct input once; repeats wait in ``duplicates`` for its vector). A cached
        vector of another size than ``dimensions`` is a miss."""
        unique = list(dict.fromkeys(keys))
        try:
            found = dict(zip(unique, await cache.retrieve_many(unique), strict=True))
        except Exception:  # a broken cache must not break embedding
            logger.warning("embedding cache read failed; treating all as misses", exc_info=True)
            found = {}
        to_send: list[int] = []
        first: dict[str, int] = {}
        for index, key in enumerate(keys):
            hit = found.get(key)
            if hit is not None and dimensions is not None and len(hit) != dimensions:
                hit = None  # written by an older version that did not check sizes
            if hit is not None:
                vectors[index] = hit
            elif key in first:
                duplicates.setdefault(first[key], []).append(index)
            else:
                first[key] = index
                to_send.append(index)
        return to_send

    async def _run_batches(
        self,
        batches: list[list[int]],
        items: list[InputT],
        vectors: list[Embedding | None],
        keys: list[str],
        duplicates: dict[int, list[int]],
        kwargs: dict[str, Any],
    ) -> int:
        """Send the batches with at most ``max_concurrency`` in flight; return the tokens
        used. After a batch fails for good no new batch starts; those in flight finish
        (and are cached) and the call raises ``EmbeddingBatchError``."""
        pending = iter(enumerate(batches))
        failures: list[FailedBatch] = []
        started: set[int] = set()
        tokens = 0
        cache = self.embedding_cache

        async def worker() -> None:
            nonlocal tokens
            for number, batch in pending:
                if failures:
                    return
                started.add(number)
                try:
                    response = await self._embed_batch([items[i] for i in batch], kwargs)
                except Exception as error:
                    held = tuple(batch) + tuple(d for i in batch for d in duplicates.get(i, ()))
                    failures.append(FailedBatch(number, held, error))
                    continue
                for index, vector in zip(batch, response.embeddings, strict=True):
                    vectors[index] = vector
                    for repeat in duplicates.get(index, ()):
                        vectors[repeat] = vector
                if response.usage is not None:
                    tokens += response.usage.tokens
                if cache is not None:
                    await self._write_cache(cache, [(keys[i], vectors[i]) for i in batch])

        async with asyncio.TaskGroup() as group:
            for _ in range(min(self.max_concurrency, len(batches))):
                group.create_task(worker())
        if failures:
            unsent = [
                index
                for number, batch in enumerate(batches)
                if number not in started
                for first in batch
                for index in (first, *duplicates.get(first, ()))
            ]
            failures.sort(key=lambda f: f.batch)
            raise EmbeddingBatchError(failures, items, unsent) from failures[0].error
        return tokens

    async def _embed_batch(self, inputs: list[InputT], kwargs: dict[str, Any]) -> EmbeddingResponse:
        """One batch, retried on its own; the count of vectors is checked."""
        estimate = _estimate_inputs(inputs)

        async def attempt() -> EmbeddingResponse:
            # each attempt waits for the rate budget; a 429 pauses all who share it
            reservation = await self.budget.acquire(estimate)
            try:
                response = await self._call_api(inputs, **kwargs)
            except Exception as error:
                await self.budget.observe(error)
                await reservation.settle(0)
                raise
            used = response.usage.tokens if response.usage and response.usage.tokens else None
            await reservation.settle(used)
            return response

        response = await self._retry.run(attempt, sleep=self._sleep, retryable=self._is_retryable)
        if len(response.embeddings) != len(inputs):
            raise ResponseFormatError(
                f"{len(response.embeddings)} vectors came back for {len(inputs)} inputs",
                provider=self._provider_name(),
            )
        wanted = self._options_for(kwargs).dimensions
        if wanted is not None:
            # a vector of another size is wrong for every later use; it is never cached
            for position, vector in enumerate(response.embeddings):
                if len(vector) != wanted:
                    raise ResponseFormatError(
                        f"embeddings[{position}] has {len(vector)} dimensions, "
                        f"{wanted} were asked for",
                        provider=self._provider_name(),
                    )
        return response

    async def _write_cache(
        self, cache: EmbeddingCacheBase, pairs: list[tuple[str, Embedding | None]]
    ) -> None:
        complete = [(k, v) for k, v in pairs if v is not None]
        try:
            await cache.store_many(complete)
        except Exception:  # the vectors are fine; only the cache missed them
            logger.warning("embedding cache write failed", exc_info=True)

    # ------------------------------------------------------------ cards
    @classmethod
    def list_models(cls, custom_yaml_dir: str | None = None) -> list[EmbeddingModelCard]:
        """The cards of this class's models (or of the YAML files in ``custom_yaml_dir``)."""
        from .._cards import list_cards

        cards: list[EmbeddingModelCard] = list_cards(cls, "embedding", custom_yaml_dir)
        return cards


def _estimate_inputs(inputs: Sequence[str | DataBlock]) -> int:
    """Tokens a batch will use, about four characters a token (media: a flat 256)."""
    return sum(len(item) // 4 + 1 if isinstance(item, str) else 256 for item in inputs)


_CARDS: dict[builtins.type[Any], dict[str, Any]] = {}


def _card_for(cls: builtins.type[EmbeddingModelBase[Any]], model: str) -> EmbeddingModelCard | None:
    """The card named ``model`` among ``cls``'s cards (read once per class)."""
    by_name = _CARDS.get(cls)
    if by_name is None:
        by_name = {card.name: card for card in cls.list_models()}
        _CARDS[cls] = by_name
    card: EmbeddingModelCard | None = by_name.get(model)
    return card
