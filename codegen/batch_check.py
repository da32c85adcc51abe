"""Spec ``batch:`` sections checked against the batch formats that read them: a known
format that carries the model's family, an input mode it supports, every path it calls,
a ``line_url`` where its lines name one, a base-URL rewrite whose endpoint speaks the
model's family, and states that reach a terminal one. Each problem names the file and
the path inside it."""

from __future__ import annotations

from pathlib import Path

from specwire._batch.formats import all_formats
from specwire._core.binding import TERMINAL_BATCH_STATES

from .spec_model import Model, ProviderSpec


def batch_problems(i: int, model: Model) -> list[str]:
    """What is wrong with ``models[i].batch``."""
    batch = model.batch
    if batch is None:
        return []
    where = f"models[{i}].batch"
    formats = all_formats()
    cls = formats.get(batch.format)
    if cls is None:
        return [f"{where}.format: expected one of {sorted(formats)}, got {batch.format!r}"]
    problems: list[str] = []
    family = model.family.value
    if family not in cls.families:
        problems.append(
            f"{where}.format: {batch.format!r} carries {sorted(cls.families)} requests, "
            f"not {family}"
        )
    if batch.input.value not in cls.inputs:
        problems.append(f"{where}.input: expected one of {sorted(cls.inputs)} for {batch.format!r}")
    given = {k for k, v in batch.paths.model_dump().items() if v}
    for missing in sorted(cls.paths - given):
        problems.append(f"{where}.paths.{missing}: expected a path ({batch.format!r} calls it)")
    if cls.needs_line_url and not batch.line_url:
        problems.append(f"{where}.line_url: expected the endpoint {batch.format!r} lines name")
    states = {s.value for s in batch.states.values()}
    if not states & TERMINAL_BATCH_STATES:
        problems.append(f"{where}.states: expected at least one terminal state")
    return problems


def check_batches(path: Path, spec: ProviderSpec) -> list[str]:
    """Every batch-section problem of ``spec``, each line naming the file."""
    return [f"{path}: {p}" for i, m in enumerate(spec.models) for p in batch_problems(i, m)]
