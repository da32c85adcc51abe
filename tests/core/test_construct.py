"""The fast constructor leaves a model exactly as pydantic's model_construct does."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from specwire._core.blocks import TextBlock, ThinkingBlock, ToolCallBlock
from specwire._core.construct import construct
from specwire._core.response import ChatResponse


@pytest.mark.parametrize(
    ("cls", "values", "extra"),
    [
        (TextBlock, {"type": "text", "text": "hi", "id": "b1"}, None),
        (
            ThinkingBlock,
            {"type": "thinking", "thinking": "t", "signature": None, "redacted": None, "id": "b"},
            {"origin": "anthropic"},
        ),
        (ToolCallBlock, {"type": "tool_call", "id": "c", "name": "f", "input": "{}"}, {}),
        (
            ChatResponse,
            {
                "content": [],
                "is_last": False,
                "usage": None,
                "id": "r",
                "created_at": "t",
                "metadata": None,
                "type": "chat",
            },
            None,
        ),
    ],
)
def test_same_as_model_construct(
    cls: type[BaseModel], values: dict[str, Any], extra: dict[str, Any] | None
) -> None:
    ours = construct(cls, dict(values), extra)
    theirs = cls.model_construct(**values, **(extra or {}))
    assert ours == theirs
    assert ours.model_fields_set == theirs.model_fields_set
    assert ours.model_dump() == theirs.model_dump()
    assert not cls.__pydantic_post_init__


def test_fields_not_given_get_their_defaults_and_required_ones_are_refused() -> None:
    class Later(BaseModel):
        text: str
        finish_reason: str | None = None
        tags: list[str] = []

    made = construct(Later, {"text": "x"})
    assert made.finish_reason is None and made.tags == [] and made.text == "x"
    with pytest.raises(TypeError, match=r"Later\.text is required"):
        construct(Later, {"finish_reason": "stop"})
