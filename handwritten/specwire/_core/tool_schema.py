"""Tool JSON schemas from Python: a function (name, docstring, type hints) or a pydantic
model becomes the ``{"type": "function", "function": {...}}`` entry ``tools=`` takes.
Structured output builds its forced tool here too."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model

# Google style "Args:" (also "Arguments:", "Parameters:") and Sphinx ":param name:".
_SECTION = re.compile(r"^\s*(Args|Arguments|Parameters|Params)\s*:\s*$", re.IGNORECASE)
_OTHER_SECTION = re.compile(
    r"^\s*(Returns?|Yields?|Raises?|Examples?|Notes?|See Also|Attributes|Warnings?)\s*:\s*$",
    re.IGNORECASE,
)
_ARG_LINE = re.compile(r"^\s*\*{0,2}(\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")
_SPHINX_PARAM = re.compile(r"^\s*:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")


def tool_schema(
    tool: Callable[..., Any] | type[BaseModel] | Mapping[str, Any],
    *,
    name: str | None = None,
    description: str | None = None,
    include_long_description: bool = True,
    preset_kwargs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The tool entry for ``tools=``: ``{"type": "function", "function": {"name",
    "description", "parameters"}}``.

    ``tool`` is a function (sync or async; its parameters from the type hints, their
    descriptions from the docstring's ``Args:`` section or ``:param x:`` lines, the
    description from the docstring's text), a pydantic model (its JSON schema, its
    docstring as the description), or a JSON schema given as a mapping. Parameters named
    in ``preset_kwargs`` are left out (the application supplies them), as are ``self``,
    ``cls``, ``*args`` and ``**kwargs``."""
    if isinstance(tool, Mapping):  # a JSON schema: sent as given
        return {
            "type": "function",
            "function": {
                "name": name or str(tool.get("title") or "tool"),
                "description": description or str(tool.get("description") or ""),
                "parameters": dict(tool),
            },
        }
    if isinstance(tool, type) and issubclass(tool, BaseModel):
        parameters = tool.model_json_schema()
        if description is None:
            parameters.pop("description", None)  # it becomes the tool's description
        tool_name = name or tool.__name__
        text = (
            description if description is not None else _description(tool, include_long_description)
        )
    elif callable(tool):
        parameters = _function_parameters(tool, set(preset_kwargs or ()))
        tool_name = name or str(getattr(tool, "__name__", "tool"))
        text = (
            description if description is not None else _description(tool, include_long_description)
        )
    else:
        raise TypeError(f"a tool is a function, a pydantic model or a JSON schema, not {tool!r}")
    return {
        "type": "function",
        "function": {
            "name": tool_name,
            "description": text,
            "parameters": _without_titles(parameters),
        },
    }


def _description(obj: Any, include_long: bool) -> str:
    """The docstring's text before its first section (the summary line alone when
    ``include_long`` is false)."""
    doc = inspect.getdoc(obj) or ""
    if isinstance(obj, type) and issubclass(obj, BaseModel) and doc == inspect.getdoc(BaseModel):
        return ""  # pydantic's own docstring, not the model's
    kept: list[str] = []
    for line in doc.splitlines():
        if _SECTION.match(line) or _OTHER_SECTION.match(line) or line.lstrip().startswith(":"):
            break
        kept.append(line)
    text = "\n".join(kept).strip()
    if not include_long:
        text = text.split("\n\n", 1)[0]
    return " ".join(text.split()) if not include_long else re.sub(r"[ \t]+\n", "\n", text)


def _argument_docs(doc: str) -> dict[str, str]:
    """Per-argument descriptions from a Google style ``Args:`` section (an entry per
    ``name (type): text`` line, deeper-indented lines continuing it) or Sphinx
    ``:param name: text`` fields."""
    found: dict[str, str] = {}
    current: str | None = None
    section_indent: int | None = None  # indent of the entries, inside an Args section
    in_args = False
    for line in doc.splitlines():
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        sphinx = _SPHINX_PARAM.match(line)
        if sphinx:
            current, in_args = sphinx.group(1), False
            found[current] = sphinx.group(2).strip()
        elif _SECTION.match(line):
            in_args, current, section_indent = True, None, None
        elif _OTHER_SECTION.match(line) or (in_args and depth == 0):
            in_args, current = False, None
        elif in_args and (section_indent is None or depth <= section_indent):
            entry = _ARG_LINE.match(line)
            if entry is None:
                in_args, current = False, None
                continue
            section_indent, current = depth, entry.group(1)
            found[current] = entry.group(3).strip()
        elif current is not None and depth > 0:
            found[current] = f"{found[current]} {line.strip()}".strip()  # a continuation
    return found


def _function_parameters(func: Callable[..., Any], preset: set[str]) -> dict[str, Any]:
    signature = inspect.signature(func)
    try:
        hints = get_type_hints(func, include_extras=True)
    except (NameError, TypeError):
        hints = {}
    docs = _argument_docs(inspect.getdoc(func) or "")
    fields: dict[str, Any] = {}
    for param in signature.parameters.values():
        if param.name in ("self", "cls") or param.name in preset:
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = hints.get(param.name, Any)
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (annotation, Field(default, description=docs.get(param.name)))
    model = create_model(
        getattr(func, "__name__", "tool"),
        __config__=ConfigDict(arbitrary_types_allowed=True),
        **fields,
    )
    schema: dict[str, Any] = model.model_json_schema()
    schema.setdefault("properties", {})
    return schema


def _without_titles(schema: Any) -> Any:
    """The schema without pydantic's generated ``title`` keys (noise to a model); a
    property that is itself called ``title`` stays."""
    if isinstance(schema, dict):
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "title" and isinstance(value, str):
                continue
            if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
                out[key] = {k: _without_titles(v) for k, v in value.items()}
            else:
                out[key] = _without_titles(value)
        return out
    if isinstance(schema, list):
        return [_without_titles(v) for v in schema]
    return schema
