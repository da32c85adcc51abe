"""Errors of embedding calls: inputs that can never be sent, and batches that failed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .._core.errors import ProviderError, SpecwireError


class EmbeddingInputError(SpecwireError, ValueError):
    """An input the model can never take (a video where the limit is 0, an image for a
    text-only model, ...). Raised before anything is sent; ``indices`` name the inputs."""

    def __init__(self, message: str, indices: Sequence[int]) -> None:
        self.indices = list(indices)
        super().__init__(message)


@dataclass(frozen=True)
class FailedBatch:
    """One batch that failed for good: the input positions it held and why."""

    batch: int
    indices: tuple[int, ...]
    error: BaseException


class EmbeddingBatchError(ProviderError):
    """A batch still failed after its retries.

    ``failed_indices`` are the positions (in the caller's input list) of the inputs
    whose batch failed and ``failed_inputs`` those inputs, ``unsent_indices`` those never sent because the call stopped
    early, ``failures`` each failed batch with its error. ``status``, ``code`` and
    ``retry_after`` are the first failure's, when it was a provider error. Vectors of
    batches that did succeed were cached (each is complete for its own input); nothing
    of a failed batch was.
    """

    def __init__(
        self,
        failures: Sequence[FailedBatch],
        inputs: Sequence[Any],
        unsent_indices: Sequence[int] = (),
    ) -> None:
        self.failures = list(failures)
        self.failed_indices = sorted(i for f in self.failures for i in f.indices)
        self.failed_inputs = [inputs[i] for i in self.failed_indices]
        total = len(inputs)
        self.unsent_indices = sorted(unsent_indices)
        first = self.failures[0].error
        status = code = provider = retry_after = None
        if isinstance(first, ProviderError):
            status, code, provider = first.status, first.code, first.provider
            retry_after = first.retry_after
        shown = ", ".join(map(str, self.failed_indices[:20]))
        if len(self.failed_indices) > 20:
            shown += ", ..."
        message = (
            f"{len(self.failures)} embedding batch(es) failed; inputs [{shown}] "
            f"({len(self.failed_indices)} of {total}) have no vector"
        )
        if self.unsent_indices:
            message += f", {len(self.unsent_indices)} more were not sent"
        message += f": {type(first).__name__}: {first}"
        super().__init__(
            message, status=status, code=code, provider=provider, retry_after=retry_after
        )
