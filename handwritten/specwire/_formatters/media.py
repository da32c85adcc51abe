"""Small conversions every formatter needs for media and tool outputs.

``data_url`` is the core's, re-exported here for the formatters."""

from __future__ import annotations

from .._core.blocks import DataBlock, TextBlock, ToolResultBlock, data_url


def tool_output_text(result: ToolResultBlock) -> str:
    """The text of a tool result (media parts are reported by name, not inlined)."""
    if isinstance(result.output, str):
        return result.output
    pieces: list[str] = []
    for block in result.output:
        if isinstance(block, TextBlock):
            pieces.append(block.text)
        else:
            pieces.append(f"[{block.source.media_type} attached]")
    return "\n".join(pieces)


TOOL_MEDIA_NOTE = "Media returned by the tool calls above:"
"""Leads the user turn that carries media tools returned: tool messages take text only,
so every formatter sends such media right after the results, introduced by this line."""


def tool_media(results: list[ToolResultBlock]) -> list[DataBlock]:
    """The media blocks the tool results carry, in order."""
    return [
        block
        for result in results
        if not isinstance(result.output, str)
        for block in result.output
        if isinstance(block, DataBlock)
    ]


__all__ = ["TOOL_MEDIA_NOTE", "data_url", "tool_media", "tool_output_text"]
