"""Small conversions every formatter needs for media and tool outputs."""

from __future__ import annotations

from .._core.blocks import DataBlock, TextBlock, ToolResultBlock


def data_url(block: DataBlock) -> str:
    """A URL for the block: its own URL, or an RFC 2397 data URL for inline data."""
    source = block.source
    if source.type == "url":
        return source.url
    if source.data.startswith("data:"):
        return source.data
    return f"data:{source.media_type};base64,{source.data}"


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
