"""``submit_batch`` / ``resume_batch`` on chat and embedding models."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._core.response import ChatResponse
    from .._embedding.vector import Embedding
    from .job import BatchJob


class ChatBatching:
    """Provider batch jobs for a spec-driven chat model."""

    async def submit_batch(self, requests: Iterable[Any]) -> BatchJob[ChatResponse]:
        """Submit ``requests`` (each a message list, a ``BatchRequest`` or a mapping
        with ``messages`` and what ``model(...)`` takes) through the provider's batch
        API; split over several provider batches when over its per-batch limits."""
        from .engine import ChatBatchEngine

        engine = ChatBatchEngine(self)  # type: ignore[arg-type]
        lines = await engine.lines(requests)
        return await engine.submit(lines, [1] * len(lines))

    def resume_batch(self, job_id: str) -> BatchJob[ChatResponse]:
        """The job ``job_id`` names, on this model (call ``status()`` or ``wait()``)."""
        from .engine import ChatBatchEngine

        return ChatBatchEngine(self).resume(job_id)  # type: ignore[arg-type]


class EmbeddingBatching:
    """Provider batch jobs for a spec-driven embedding model."""

    async def submit_batch(self, inputs: Sequence[Any], **kwargs: Any) -> BatchJob[Embedding]:
        """Submit ``inputs`` (each one text or media input; ``kwargs`` as for
        ``model(...)``) through the provider's batch API; each result is one vector."""
        from .engine import EmbeddingBatchEngine

        engine = EmbeddingBatchEngine(self)  # type: ignore[arg-type]
        items = [inputs] if isinstance(inputs, str) else list(inputs)
        lines, counts = engine.lines(items, kwargs)
        return await engine.submit(lines, counts)

    def resume_batch(self, job_id: str) -> BatchJob[Embedding]:
        """The job ``job_id`` names, on this model."""
        from .engine import EmbeddingBatchEngine

        return EmbeddingBatchEngine(self).resume(job_id)  # type: ignore[arg-type]
