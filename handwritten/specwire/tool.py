"""Tools: ``ToolChoice``, and ``tool_schema`` turning a Python function (or a pydantic
model) into the JSON schema entry ``tools=`` takes."""

from typing import TYPE_CHECKING, Literal, TypeAlias

from ._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:
    from ._core.tool_schema import tool_schema as tool_schema

ToolChoice: TypeAlias = Literal["auto", "none", "required"] | str
"""``"auto"``, ``"none"``, ``"required"``, or the name of one tool to force."""

__all__ = ["ToolChoice", "tool_schema"]
__getattr__ = lazy_getattr(__name__, {"tool_schema": "specwire._core.tool_schema"})
__dir__ = lazy_dir(__name__)
