"""Why a response ended, in one vocabulary across every dialect.

Each dialect maps its provider's own values (``finish_reason``, ``stop_reason``,
``finishReason``, ``done_reason``, a Responses status) to one of ``FINISH_REASONS``;
the provider's value is kept beside it. See docs/finish_reasons.md for every table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

FinishReason = Literal[
    "stop", "length", "tool_calls", "content_filter", "refusal", "pause", "other"
]

FINISH_REASONS: tuple[FinishReason, ...] = (
    "stop",
    "length",
    "tool_calls",
    "content_filter",
    "refusal",
    "pause",
    "other",
)


def normalize_finish_reason(value: str, table: Mapping[str, FinishReason]) -> FinishReason:
    """The normalized reason for a provider's ``value`` (looked up as given, then in
    lower case); ``other`` for a value the table does not know."""
    found = table.get(value)
    if found is None:
        found = table.get(value.lower(), "other")
    return found
