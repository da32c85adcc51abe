"""Content-aware packing and limit resolution."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from specwire._embedding.batching import BatchLimits, InputKind, pack


def test_card_limits_replace_the_family_cap() -> None:
    limits = BatchLimits.resolve({"items": 10}, {"elements": 20, "images": 5, "videos": 1}, None)
    assert limits == BatchLimits(items=20, images=5, videos=1)
    assert BatchLimits.resolve({"items": 10}, {"elements": 10}, None).items == 10
    assert BatchLimits.resolve({"items": 100}, {"images": 6}, None) == BatchLimits(100, 6, None)
    assert BatchLimits.resolve({}, {}, None).items == 10  # nothing said: a small default


def test_batch_size_may_lower_but_not_raise_the_cap() -> None:
    assert BatchLimits.resolve({"items": 2048}, {}, 100).items == 100
    with pytest.raises(ValueError, match="exceeds"):
        BatchLimits.resolve({"items": 10}, {}, 11)
    assert BatchLimits.resolve({}, {}, 5000).items == 5000


def test_greedy_packing_in_input_order() -> None:
    kinds: list[InputKind] = ["text", "video", "video", "image", "image", "image", "text"]
    limits = BatchLimits(items=3, images=2, videos=1)
    assert pack(range(7), kinds, limits) == [[0, 1], [2, 3, 4], [5, 6]]  # type: ignore[arg-type]


kinds_strategy = st.lists(st.sampled_from(["text", "image", "video", "audio"]), max_size=60)


@given(
    kinds=kinds_strategy,
    items=st.integers(1, 8),
    images=st.one_of(st.none(), st.integers(1, 4)),
    videos=st.one_of(st.none(), st.integers(1, 3)),
)
def test_packing_keeps_order_covers_everything_and_respects_limits(
    kinds: list[InputKind], items: int, images: int | None, videos: int | None
) -> None:
    limits = BatchLimits(items=items, images=images, videos=videos)
    batches = pack(list(range(len(kinds))), kinds, limits)
    assert [i for b in batches for i in b] == list(range(len(kinds)))
    for batch in batches:
        assert 1 <= len(batch) <= items
        if images is not None:
            assert sum(kinds[i] == "image" for i in batch) <= images
        if videos is not None:
            assert sum(kinds[i] == "video" for i in batch) <= videos
    # greedy: the next batch's first input would not have fitted in the previous one
    for before, after in itertools.pairwise(batches):
        grown = [*before, after[0]]
        fits = len(grown) <= items
        fits = fits and (images is None or sum(kinds[i] == "image" for i in grown) <= images)
        fits = fits and (videos is None or sum(kinds[i] == "video" for i in grown) <= videos)
        assert not fits
