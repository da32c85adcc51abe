"""Turning a model's requests into provider batches and the results back into
``ChatResponse``s and vectors, with the model's own dialect or embedding wire: a batch
line's body is the body the live call would send, and a result is read by the same
``on_response`` / ``parse_response`` code."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._core.binding import BatchBinding, EndpointBinding, ModelBinding
from .._core.dialect import ChatCall, ChatDialect
from .._core.error_body import ErrorFormat
from .._core.errors import ProviderError
from .._core.extra import merge_extra
from .._core.response import ChatResponse
from .._ratelimit import Budget
from .formats import BatchFormat, load_format
from .http import BatchHttp
from .job import BatchJob, Part, decode_id
from .shapes import (
    CUSTOM_ID,
    BatchError,
    BatchLine,
    BatchNotSupportedError,
    BatchRequest,
    BatchResult,
    LineResult,
    ProviderBatch,
)

if TYPE_CHECKING:
    from .._core.spec_chat_model import SpecChatModel
    from .._embedding.spec_model import _SpecEmbeddingEngine
    from .._embedding.vector import Embedding

T = TypeVar("T")

DEFAULT_POLL_INTERVAL = 30.0


def batch_binding(binding: ModelBinding, cls_name: str) -> BatchBinding:
    if binding.batch is None:
        raise BatchNotSupportedError(
            f"{cls_name}: {binding.provider} has no {binding.family} batch API in its spec",
            provider=binding.provider,
        )
    return binding.batch


class BatchEngine(ABC, Generic[T]):
    """One model's batch machinery: its format, lines and decoding."""

    family: str

    def __init__(self, model: Any, binding: ModelBinding) -> None:
        self.model = model
        self.binding = binding
        self.batch = batch_binding(binding, type(model).__name__)
        self.base_url = self.batch.base_url(model.credential.resolved_base_url())
        # the batch may live under another base URL (DashScope's compatible mode),
        # where another endpoint variant, and so another dialect, applies
        self.endpoint: EndpointBinding = binding.endpoint_for(self.base_url)
        self.poll_interval = float(self.batch.options.get("poll_interval", DEFAULT_POLL_INTERVAL))
        self._speak(model)
        budget = model.budget
        http = BatchHttp(
            model._http,
            model.credential,
            self.endpoint,
            self.base_url,
            binding.provider,
            self.errors,
            # batch calls have their own budget: only a 429's pause is shared
            Budget(budget.limiter, budget.key + ":batch", type(budget.limits)()),
            binding.retry_policy(model.max_retries),
        )
        self.format: BatchFormat = load_format(self.batch.format)(
            self.batch, http, self.family, model.model
        )

    @abstractmethod
    def _speak(self, model: Any) -> None:
        """Take up the live wire code for ``self.endpoint`` (the model's own, or the
        variant's the batch base URL selects)."""

    @property
    @abstractmethod
    def errors(self) -> ErrorFormat:
        """How this family's error bodies read (the live dialect's, spec applied)."""

    @abstractmethod
    def decode(self, part: Part, position: int, line: LineResult) -> list[BatchResult[T]]:
        """The items one result line answers."""

    def missing(self, index: int, status: ProviderBatch) -> BatchResult[T]:
        """An item no result line answered: lost with its batch."""
        state = status.state if status.state in ("expired", "cancelled") else "failed"
        why = status.message or f"no result: the provider batch ended {status.raw_state}"
        code = {"expired": "batch_expired", "cancelled": "batch_cancelled"}.get(state)
        error = BatchError(why, code=code, provider=self.binding.provider)
        return BatchResult(index, None, state, None, error)

    # ------------------------------------------------------------ submission
    def split(self, lines: Sequence[BatchLine]) -> list[list[BatchLine]]:
        """Lines in order, grouped into provider batches within the spec's limits."""
        limits = self.batch.limits
        max_lines = limits.get("requests")
        max_bytes = limits.get("bytes")
        max_inputs = limits.get("inputs")
        groups: list[list[BatchLine]] = []
        current: list[BatchLine] = []
        size = inputs = 0
        for line in lines:
            if max_bytes is not None and line.size > max_bytes:
                raise BatchError(
                    f"request {line.custom_id} alone is {line.size} bytes, over the "
                    f"{max_bytes}-byte batch limit",
                    provider=self.binding.provider,
                )
            full = current and (
                (max_lines is not None and len(current) >= max_lines)
                or (max_bytes is not None and size + line.size > max_bytes)
                or (max_inputs is not None and inputs + line.inputs > max_inputs)
            )
            if full:
                groups.append(current)
                current, size, inputs = [], 0, 0
            current.append(line)
            size += line.size
            inputs += line.inputs
        if current:
            groups.append(current)
        return groups

    async def submit(self, lines: list[BatchLine], counts: list[int]) -> BatchJob[T]:
        """Create one provider batch per group; a job over them all. If a later create
        fails, the batches already made are cancelled and the error raised."""
        if not lines:
            raise ValueError("a batch needs at least one request")
        parts: list[Part] = []
        first = 0
        consumed = 0
        try:
            for group in self.split(lines):
                batch_id = await self.format.create(group)
                items = sum(counts[consumed : consumed + len(group)])
                parts.append(Part(batch_id, first, items))
                first += items
                consumed += len(group)
        except BaseException:
            await asyncio.gather(*(self.format.cancel(p.id) for p in parts), return_exceptions=True)
            raise
        return BatchJob(self, parts)

    def resume(self, job_id: str) -> BatchJob[T]:
        _path, model, family, parts = decode_id(job_id)
        if family != self.family or model != self.model.model:
            raise ValueError(
                f"job {job_id[:24]}… is a {family} batch of {model}, not of {self.model.model}"
            )
        return BatchJob(self, parts)


class ChatBatchEngine(BatchEngine[ChatResponse]):
    """Chat requests: one line each, decoded into ``ChatResponse``."""

    family = "chat"

    def __init__(self, model: SpecChatModel) -> None:
        super().__init__(model, model.binding)

    def _speak(self, model: Any) -> None:
        from .._dialects import load_dialect

        if self.endpoint == model._endpoint:
            self.dialect: ChatDialect = model._dialect
            self.formatter = model.formatter
        else:
            dialect_cls = load_dialect(self.endpoint.dialect, ChatDialect)
            self.dialect = dialect_cls(
                self.endpoint, self.binding.wire_params, self.binding.provider
            )
            self.formatter = dialect_cls.formatter_class()

    @property
    def errors(self) -> ErrorFormat:
        return self.dialect.errors

    async def lines(self, requests: Iterable[Any]) -> list[BatchLine]:
        out: list[BatchLine] = []
        seen: set[str] = set()
        model = self.model
        for index, item in enumerate(requests):
            request = BatchRequest.of(item)
            if request.custom_id is not None:
                if not CUSTOM_ID.match(request.custom_id):
                    raise ValueError(
                        f"custom_id {request.custom_id!r}: use 1-48 letters, digits, _ or -"
                    )
                if request.custom_id in seen:
                    raise ValueError(f"custom_id {request.custom_id!r} appears twice")
                seen.add(request.custom_id)
            kwargs = dict(request.kwargs)
            kwargs.pop("stream", None)
            parameters, keywords, extra = model._split_kwargs(kwargs)
            formatted = await self.formatter.format(list(request.messages))
            call = ChatCall(
                model.model,
                formatted,
                request.tools or None,
                request.tool_choice,
                parameters,
                False,
            )
            wire = self.dialect.build_request(call)
            merge_extra(
                wire.body,
                keywords=keywords,
                extra_body=extra,
                location=self.dialect.extra_location,
            )
            wire_id = str(index) if request.custom_id is None else f"{index}_{request.custom_id}"
            out.append(self.format.line(wire_id, wire))
        return out

    def decode(
        self, part: Part, position: int, line: LineResult
    ) -> list[BatchResult[ChatResponse]]:
        index, custom_id = _chat_index(line.custom_id, part, position)
        if line.state != "succeeded":
            return [BatchResult(index, custom_id, line.state, None, line.error)]
        try:
            acc = self.dialect.accumulator()
            self.dialect.on_response(line.body, acc)
            response = ChatResponse(
                content=acc.final_blocks(),
                is_last=True,
                usage=acc.chat_usage(0.0),
                metadata=dict(acc.extra) or None,
            )
        except ProviderError as error:
            return [BatchResult(index, custom_id, "failed", None, error)]
        return [BatchResult(index, custom_id, "succeeded", response, None)]


def _chat_index(wire_id: str, part: Part, position: int) -> tuple[int, str | None]:
    if wire_id.startswith("#"):  # a format that answers in order without ids
        return part.first + position, None
    head, _, tail = wire_id.partition("_")
    try:
        return int(head), tail or None
    except ValueError:
        return -1, wire_id


class EmbeddingBatchEngine(BatchEngine["Embedding"]):
    """Embedding inputs: packed into lines of up to the live per-request limit (or the
    spec's ``inputs_per_line``), each result line decoded into its inputs' vectors."""

    family = "embedding"

    def __init__(self, model: _SpecEmbeddingEngine[Any]) -> None:
        super().__init__(model, model.binding)

    def _speak(self, model: Any) -> None:
        from .._dialects import load_dialect
        from .._embedding.wire.base import EmbeddingWire

        if self.endpoint == model._endpoint:
            self.wire: EmbeddingWire = model._wire
        else:
            self.wire = load_dialect(self.endpoint.dialect, EmbeddingWire)(
                self.endpoint, self.binding.wire_params, self.binding.provider
            )

    @property
    def errors(self) -> ErrorFormat:
        return self.wire.errors

    def per_line(self) -> int:
        return int(self.batch.limits.get("inputs_per_line") or self.model.batch_size)

    def lines(
        self, inputs: Sequence[Any], kwargs: dict[str, Any]
    ) -> tuple[list[BatchLine], list[int]]:
        from .._embedding.wire.base import EmbeddingCall

        model = self.model
        model._check_inputs(inputs)
        options = model._options_for(kwargs)
        step = self.per_line()
        out: list[BatchLine] = []
        counts: list[int] = []
        for start in range(0, len(inputs), step):
            chunk = list(inputs[start : start + step])
            call = EmbeddingCall(
                model=model.model,
                inputs=chunk,
                dimensions=options.dimensions,
                parameters=options.parameters,
                media=model._media,
            )
            wire = self.wire.build_request(call)
            merge_extra(
                wire.body,
                keywords=options.keywords,
                extra_body=options.extra,
                location=self.wire.extra_location,
            )
            out.append(self.format.line(f"{start}-{len(chunk)}", wire, len(chunk)))
            counts.append(len(chunk))
        return out, counts

    def decode(self, part: Part, position: int, line: LineResult) -> list[BatchResult[Embedding]]:
        try:
            head, _, tail = line.custom_id.partition("-")
            start, count = int(head), int(tail)
        except ValueError:
            return []
        indices = range(start, start + count)
        if line.state != "succeeded":
            return [BatchResult(i, None, line.state, None, line.error) for i in indices]
        try:
            vectors = self.wire.parse_response(line.body, count).vectors
        except ProviderError as error:
            return [BatchResult(i, None, "failed", None, error) for i in indices]
        return [
            BatchResult(i, None, "succeeded", v, None)
            for i, v in zip(indices, vectors, strict=True)
        ]
