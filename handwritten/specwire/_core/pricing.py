"""What a call cost in USD: the ``genai-prices`` data (``pip install 'specwire[prices]'``;
offline, its bundled snapshot, never fetched), matched by the provider's API URL, and
else the model card's ``prices``. None when neither knows the model.

Token meanings follow ``ChatUsage``: ``input_tokens`` is the whole prompt, cache reads
and writes included; ``output_tokens`` includes reasoning. genai-prices reads them the
same way, so figures go across unchanged."""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from functools import cache
from typing import Any

from .response import ChatUsage


@cache
def genai_prices_installed() -> bool:
    """Whether the optional price data is installed (checked without importing it)."""
    return importlib.util.find_spec("genai_prices") is not None


def usage_cost(
    usage: ChatUsage, model: str, base_url: str, card_prices: Mapping[str, Any] | None
) -> float | None:
    """The USD cost of ``usage`` for ``model`` served at ``base_url``, or None."""
    if genai_prices_installed():
        cost = _genai_cost(usage, model, base_url)
        if cost is not None:
            return cost
    if card_prices is None:
        return None
    return _card_cost(usage, card_prices)


def _genai_cost(usage: ChatUsage, model: str, base_url: str) -> float | None:
    # Imported on the first priced call only: its data module is large.
    from genai_prices import Usage, calc_price

    counts = Usage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_input_tokens,
        cache_write_tokens=usage.cache_creation_input_tokens,
    )
    try:
        result = calc_price(counts, model, provider_api_url=base_url)
    except LookupError:  # provider or model not in the data (a proxy, a local server)
        return None
    return float(result.total_price)


def _card_cost(usage: ChatUsage, prices: Mapping[str, Any]) -> float:
    read = usage.cache_read_input_tokens
    written = usage.cache_creation_input_tokens
    uncached = max(usage.input_tokens - read - written, 0)
    per_input = float(prices["input"])
    # a card without cache rates bills cached tokens as ordinary input
    read_rate, write_rate = prices.get("cache_read"), prices.get("cache_write")
    per_read = per_input if read_rate is None else float(read_rate)
    per_write = per_input if write_rate is None else float(write_rate)
    total = (
        uncached * per_input
        + read * per_read
        + written * per_write
        + usage.output_tokens * float(prices["output"])
    )
    return total / 1_000_000
