"""Splitting inputs into requests under a model's per-request limits.

Text models have one limit, inputs per request. Multimodal models also cap the images
and videos one request may carry, so inputs are packed greedily in input order: a
batch closes when the next input would break any limit. Every input is one content
element, so a card's ``elements`` cap is an inputs-per-request cap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .._core.blocks import DataBlock

InputKind = Literal["text", "image", "video", "audio", "document"]

DEFAULT_BATCH_SIZE = 10
"""Inputs per request for a model whose spec, card and constructor name no limit."""


def kind_of(item: object) -> InputKind:
    """What an input is: text, or the media family of a ``DataBlock``."""
    if isinstance(item, str):
        return "text"
    if isinstance(item, DataBlock):
        major = item.source.media_type.partition("/")[0].lower()
        if major in ("image", "video", "audio"):
            return major  # type: ignore[return-value]
        return "document"
    raise TypeError(f"an embedding input is a str or a DataBlock, got {type(item).__name__}")


@dataclass(frozen=True)
class BatchLimits:
    """Per-request caps: ``items`` inputs, at most ``images`` images and ``videos``
    videos (None: no cap of that kind)."""

    items: int
    images: int | None = None
    videos: int | None = None

    @classmethod
    def resolve(
        cls,
        spec: Mapping[str, int],
        card: Mapping[str, int],
        batch_size: int | None,
    ) -> BatchLimits:
        """The limits for one model: the card's override the spec's key by key (a card
        is about one model, the spec about the whole family); ``batch_size`` may lower
        the inputs cap but never raise it above what the provider takes."""
        merged = {**spec, **card}
        if "elements" in card or "items" in card:
            # the card's own cap replaces the family's, e.g. qwen3-vl-embedding takes 20
            # elements where DashScope text models take 10 rows
            cap: int | None = min(v for k, v in card.items() if k in ("items", "elements"))
        else:
            caps = [v for k, v in merged.items() if k in ("items", "elements")]
            cap = min(caps) if caps else None
        if batch_size is not None:
            if batch_size < 1:
                raise ValueError("batch_size must be >= 1")
            if cap is not None and batch_size > cap:
                raise ValueError(f"batch_size {batch_size} exceeds the provider's limit of {cap}")
            cap = batch_size
        return cls(
            items=cap if cap is not None else DEFAULT_BATCH_SIZE,
            images=merged.get("images"),
            videos=merged.get("videos"),
        )

    def cap_of(self, kind: InputKind) -> int | None:
        """The per-request cap for inputs of ``kind`` (None: only ``items`` applies)."""
        if kind == "image":
            return self.images
        if kind == "video":
            return self.videos
        return None


def pack(
    indices: Sequence[int], kinds: Sequence[InputKind], limits: BatchLimits
) -> list[list[int]]:
    """Greedy batches of ``indices`` (positions into ``kinds``), in order, each within
    ``limits``. Every input must fit a request on its own (checked before packing)."""
    if limits.images is None and limits.videos is None:
        step = limits.items
        return [list(indices[i : i + step]) for i in range(0, len(indices), step)]
    batches: list[list[int]] = []
    current: list[int] = []
    images = videos = 0
    for index in indices:
        kind = kinds[index]
        image, video = kind == "image", kind == "video"
        full = (
            len(current) >= limits.items
            or (image and limits.images is not None and images >= limits.images)
            or (video and limits.videos is not None and videos >= limits.videos)
        )
        if full and current:
            batches.append(current)
            current, images, videos = [], 0, 0
        current.append(index)
        images += image
        videos += video
    if current:
        batches.append(current)
    return batches
