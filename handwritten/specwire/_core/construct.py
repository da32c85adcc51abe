"""Building response models from values specwire made itself, at stream speed.

pydantic's ``model_construct`` walks every field (aliases, defaults) on each call: about
a third of specwire's per-event time on a one-event-per-read stream. The deltas and
blocks a stream hands out are built from values the accumulator already typed, with
every field given, so they are set directly, exactly as ``model_construct`` would leave
them (tests compare the two).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__


def construct(cls: type[M], values: dict[str, Any], extra: dict[str, Any] | None = None) -> M:
    """An instance of ``cls`` holding ``values`` (every field of ``cls``, trusted) and,
    for ``extra="allow"`` models, ``extra`` fields. ``cls`` has no ``model_post_init``."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(values))
    _set(model, "__pydantic_extra__", extra)
    _set(model, "__pydantic_private__", None)
    return model
