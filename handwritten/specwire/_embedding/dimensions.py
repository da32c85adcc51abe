"""The ``dimensions`` a model may be asked for, read from its card.

A card pins per-model facts through ``parameter_overrides``: an ``enum`` of sizes, a
range, a default, or ``null`` when the model's size is fixed and the parameter must
not be sent. Once cards carry the merged ``parameter_schema`` that is read instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._cards import EmbeddingModelCard


@dataclass(frozen=True)
class DimensionRule:
    """What one model allows for ``dimensions``."""

    removed: bool = False
    enum: tuple[int, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: int | None = None

    @classmethod
    def from_card(cls, card: EmbeddingModelCard | None) -> DimensionRule:
        """The rule a card states (no card: no rule)."""
        if card is None:
            return cls()
        schema = card.parameter_schema.get("properties") if card.parameter_schema else None
        if isinstance(schema, Mapping):
            prop = schema.get("dimensions")
            if prop is None:
                return cls(removed=True)
            return cls._from_property(prop)
        overrides = card.parameters_overrides
        if "dimensions" in overrides and overrides["dimensions"] is None:
            return cls(removed=True)
        return cls._from_property(overrides.get("dimensions") or {})

    @classmethod
    def _from_property(cls, prop: Mapping[str, Any]) -> DimensionRule:
        facts: dict[str, Any] = {}
        # a merged schema may spell an optional integer as anyOf [integer, null]
        for part in [prop, *prop.get("anyOf", [])]:
            for key in ("enum", "minimum", "maximum", "default"):
                if key in part and key not in facts and part[key] is not None:
                    facts[key] = part[key]
        enum = facts.get("enum")
        return cls(
            enum=tuple(v for v in enum if v is not None) if enum else None,
            minimum=facts.get("minimum"),
            maximum=facts.get("maximum"),
            default=facts.get("default"),
        )

    def check(self, model: str, value: int) -> None:
        """Raise ``ValueError`` naming what ``model`` allows when ``value`` is not it."""
        if self.enum is not None and value not in self.enum:
            allowed = ", ".join(map(str, self.enum))
            raise ValueError(
                f"dimensions={value} is not offered by {model}; choose one of {allowed}"
            )
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"dimensions={value} is below {model}'s minimum of {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"dimensions={value} is above {model}'s maximum of {self.maximum}")

    def resolve(self, model: str, value: int | None, explicit: bool) -> int | None:
        """The size to request: an explicit value (checked), else the card's default,
        else ``value`` (the ``Parameters`` default); None means "send nothing"."""
        if self.removed:
            # a value given for it was refused by the card check (UnsupportedParameterError)
            return None
        if not explicit and self.default is not None:
            value = self.default
        if value is not None:
            self.check(model, value)
        return value
