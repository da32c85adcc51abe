"""Tool choice."""

from typing import Literal, TypeAlias

ToolChoice: TypeAlias = Literal["auto", "none", "required"] | str
"""``"auto"``, ``"none"``, ``"required"``, or the name of one tool to force."""

__all__ = ["ToolChoice"]
