"""Tool schemas and tool choice, normalised once for every dialect."""

from __future__ import annotations

from typing import Any, NamedTuple


class FunctionTool(NamedTuple):
    """A function tool in neutral form."""

    name: str
    description: str
    parameters: dict[str, Any]


def function_tools(tools: list[dict[str, Any]] | None) -> list[FunctionTool]:
    """Read tools given as OpenAI function schemas (``{"type": "function", "function":
    {...}}``) or flat (``{"name", "description", "parameters"}``)."""
    out: list[FunctionTool] = []
    for tool in tools or []:
        spec = tool.get("function", tool) if isinstance(tool, dict) else None
        if not isinstance(spec, dict) or not spec.get("name"):
            raise ValueError(f"a tool must be a function schema with a name, got {tool!r}")
        params = (
            spec.get("parameters")
            or spec.get("input_schema")
            or {"type": "object", "properties": {}}
        )
        out.append(FunctionTool(spec["name"], spec.get("description") or "", params))
    return out


def openai_function_tools(tools: list[FunctionTool]) -> list[dict[str, Any]]:
    """Tools in the OpenAI function form that Chat Completions, DashScope and Ollama take."""
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
        }
        for t in tools
    ]


class Choice(NamedTuple):
    """Tool choice in neutral form: ``mode`` is auto, none, required or function."""

    mode: str
    name: str | None = None


def tool_choice(choice: Any) -> Choice | None:
    """Read ``"auto" | "none" | "required" | "any" | <tool name> | dict | ToolChoice``."""
    if choice is None:
        return None
    mode = getattr(choice, "mode", None)
    if isinstance(mode, str):
        return tool_choice(getattr(choice, "function", None) or mode)
    if isinstance(choice, dict):
        fn = choice.get("function")
        if isinstance(fn, dict) and fn.get("name"):
            return Choice("function", fn["name"])
        if choice.get("name"):
            return Choice("function", choice["name"])
        return tool_choice(choice.get("type") or choice.get("mode"))
    if not isinstance(choice, str):
        raise ValueError(f"unsupported tool_choice {choice!r}")
    lowered = choice.lower()
    if lowered in ("auto", "none", "required"):
        return Choice(lowered)
    if lowered == "any":
        return Choice("required")
    return Choice("function", choice)
