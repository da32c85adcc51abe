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
    """An instance of ``cls`` holding ``values`` (trusted) and, for ``extra="allow"``
    models, ``extra`` fields. ``cls`` has no ``model_post_init``. Fields ``values`` does
    not name get their defaults (a field added to a model later is never left unset)."""
    named = set(values)  # as model_construct: defaults filled in are not "set"
    if len(values) != len(cls.__pydantic_fields__):
        values = _with_defaults(cls, values)
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", named)
    _set(model, "__pydantic_extra__", extra)
    _set(model, "__pydantic_private__", None)
    return model


def _with_defaults(cls: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in cls.__pydantic_fields__.items():
        if name in values:
            out[name] = values[name]
        elif field.is_required():
            raise TypeError(f"{cls.__name__}.{name} is required")
        else:
            out[name] = field.get_default(call_default_factory=True, validated_data=out)
    return out
