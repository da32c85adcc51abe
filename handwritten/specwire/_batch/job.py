"""``BatchJob``: one job over one or more provider batches, with a persistent id.

A job's id carries everything needed to pick it up again from another process: the
model class and name, and each provider batch's id with the range of items it holds.
It is ``swb1_`` and base64url JSON, so it is safe to store anywhere; it holds no
secret.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson

from .._core.binding import TERMINAL_BATCH_STATES, BatchState
from .progress import ProgressBar
from .shapes import (
    ITEM_STATES,
    BatchError,
    BatchProgress,
    BatchResult,
    ItemState,
    LineResult,
    ProviderBatch,
)

if TYPE_CHECKING:
    from .._core.credential import CredentialBase
    from .engine import BatchEngine

T = TypeVar("T")
PREFIX = "swb1_"


@dataclass(frozen=True)
class Part:
    """One provider batch behind a job: its id and the items ``[first, first+count)``."""

    id: str
    first: int
    count: int


def encode_id(model_class: type[Any], model: str, family: str, parts: Sequence[Part]) -> str:
    data = {
        "c": f"{model_class.__module__}:{model_class.__qualname__}",
        "m": model,
        "f": family,
        "p": [[p.id, p.first, p.count] for p in parts],
    }
    return PREFIX + base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def decode_id(job_id: str) -> tuple[str, str, str, list[Part]]:
    """``(class path, model, family, parts)`` of a job id."""
    if not isinstance(job_id, str) or not job_id.startswith(PREFIX):
        raise ValueError(f"not a specwire batch job id: {job_id!r:.60}")
    raw = job_id[len(PREFIX) :]
    try:
        data = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        parts = [Part(str(i), int(f), int(n)) for i, f, n in data["p"]]
        return str(data["c"]), str(data["m"]), str(data["f"]), parts
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"a damaged specwire batch job id: {exc}") from exc


def model_class_of(path: str) -> type[Any]:
    module, _, name = path.partition(":")
    target: Any = importlib.import_module(module)
    for attr in name.split("."):
        target = getattr(target, attr)
    if not isinstance(target, type):
        raise ValueError(f"{path} is not a model class")
    return target


class BatchJob(Generic[T]):
    """A submitted batch: ``id`` to persist, ``status()``, ``wait()``, ``results()``
    (in input order, one ``BatchResult`` per item) and ``cancel()``."""

    def __init__(self, engine: BatchEngine[T], parts: Sequence[Part]) -> None:
        self._engine = engine
        self.parts = tuple(parts)
        self.total = sum(p.count for p in parts)
        self._last: dict[str, ProviderBatch] = {}
        self.id = encode_id(type(engine.model), engine.model.model, engine.family, self.parts)

    def __repr__(self) -> str:
        return f"BatchJob(id={self.id[:24]}…, batches={len(self.parts)}, items={self.total})"

    async def status(self) -> BatchProgress:
        """Read every provider batch not yet finished; the job's progress."""
        pending = [
            p for p in self.parts if p.id not in self._last or not _terminal(self._last[p.id])
        ]
        read = await asyncio.gather(*(self._engine.format.get(p.id) for p in pending))
        for part, status in zip(pending, read, strict=True):
            self._last[part.id] = status
        return self._progress()

    def _progress(self) -> BatchProgress:
        totals: dict[ItemState, int] = dict.fromkeys(ITEM_STATES, 0)
        states: list[BatchState] = []
        for part in self.parts:
            status = self._last.get(part.id)
            if status is None:
                totals["pending"] += part.count
                states.append("pending")
                continue
            states.append(status.state)
            for key, value in _scaled(status, part.count).items():
                totals[key] += value
        return BatchProgress(_job_state(states), totals, self.total, tuple(states))

    async def wait(
        self,
        poll_interval: float | None = None,
        progress: bool | None = None,
        on_progress: Callable[[BatchProgress], None] | None = None,
    ) -> BatchProgress:
        """Poll until every provider batch is finished (``poll_interval`` seconds
        apart; default the format's), drawing a progress bar when ``progress`` is true
        or, by default, when stderr is a terminal. Bound it with ``asyncio.timeout``."""
        interval = poll_interval if poll_interval is not None else self._engine.poll_interval
        bar = (
            ProgressBar(label=f"{self._engine.model.model} batch")
            if (progress if progress is not None else ProgressBar.wanted())
            else None
        )
        try:
            while True:
                state = await self.status()
                if bar is not None:
                    bar.update(state)
                if on_progress is not None:
                    on_progress(state)
                if state.done:
                    return state
                await asyncio.sleep(interval)
        finally:
            if bar is not None:
                bar.close()

    async def cancel(self) -> BatchProgress:
        """Ask every unfinished provider batch to stop; items already done keep their
        results."""
        await self.status()
        live = [p for p in self.parts if not _terminal(self._last[p.id])]
        await asyncio.gather(*(self._engine.format.cancel(p.id) for p in live))
        for part in live:
            self._last.pop(part.id, None)
        return await self.status()

    async def results(self, **wait: Any) -> list[BatchResult[T]]:
        """Every item's outcome in input order (waits for the job first; ``wait``
        takes ``wait()``'s arguments). An item that failed, expired or was cancelled
        carries its error instead of a value."""
        await self.wait(**wait)
        out: list[BatchResult[T] | None] = [None] * self.total
        for part in self.parts:
            status = self._last[part.id]
            lines: list[LineResult] = []
            if status.state != "failed" or status.counts.get("succeeded"):
                lines = await self._engine.format.results(part.id, status)
            for position, line in enumerate(lines):
                for result in self._engine.decode(part, position, line):
                    if 0 <= result.index < self.total:
                        out[result.index] = result
            for index in range(part.first, part.first + part.count):
                if out[index] is None:
                    out[index] = self._engine.missing(index, status)
        return [r for r in out if r is not None]


def _scaled(status: ProviderBatch, items: int) -> dict[ItemState, int]:
    """A provider batch's line counts as item counts (an embedding line holds several
    inputs); items no count mentions are pending, or failed once the batch is over."""
    lines = sum(status.counts.values())
    if not lines:
        return {"failed" if _terminal(status) else "pending": items}
    scale = items / lines
    out: dict[ItemState, int] = {k: int(v * scale) for k, v in status.counts.items() if v}
    rest = items - sum(out.values())
    if rest:
        biggest = max(out, key=lambda k: out[k])
        out[biggest] += rest
    return out


def _terminal(status: ProviderBatch) -> bool:
    return status.state in TERMINAL_BATCH_STATES


def _job_state(states: Sequence[BatchState]) -> BatchState:
    """One state for the job: the least advanced live state while any batch runs;
    once all are finished, completed if any completed, else the first one's."""
    live = [s for s in states if s not in TERMINAL_BATCH_STATES]
    if live:
        order: list[BatchState] = ["pending", "running", "finalizing", "cancelling"]
        return min(live, key=order.index)
    if "completed" in states:
        return "completed"
    return states[0] if states else "completed"


class Batch:
    """Pick a job up again: ``await Batch.resume(credential, job.id)``."""

    @staticmethod
    async def resume(credential: CredentialBase, job_id: str, **model_kwargs: Any) -> BatchJob[Any]:
        """The job ``job_id`` names, read afresh from the provider (``model_kwargs``
        go to the model constructor, e.g. ``timeout``)."""
        path, model, _family, _parts = decode_id(job_id)
        cls = model_class_of(path)
        instance = cls(credential=credential, model=model, **model_kwargs)
        job: BatchJob[Any] = instance.resume_batch(job_id)
        await job.status()
        return job


__all__ = ["Batch", "BatchError", "BatchJob", "Part"]
