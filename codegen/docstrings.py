"""Docstrings for generated classes, written from the spec: what the class talks to and
what each parameter means, so ``help()`` and IDEs show the spec's own words."""

from __future__ import annotations

from typing import Any

from .spec_model import Model, ProviderSpec

_FAMILY_CALL = {
    "chat": "``await model(messages, tools=None, tool_choice=None, stream=..., **kwargs)``",
    "embedding": "``await model(inputs, **kwargs)``",
    "tts": "``await model.synthesize(text, ...)``",
}


def _kind(prop: dict[str, Any]) -> str:
    kind = prop.get("type", "any")
    if isinstance(kind, list):
        kind = " | ".join(str(k) for k in kind)
    if kind == "array" and isinstance(prop.get("items"), dict):
        kind = f"array of {_kind(prop['items'])}"
    return str(kind)


def describe_range(prop: dict[str, Any]) -> str:
    """The constraints of one JSON Schema property in words (``0.0 to 2.0``, ``> 0``,
    ``one of 'low', 'high'``, ``at most 4 items``); empty when it has none."""
    parts: list[str] = []
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None and high is not None:
        parts.append(f"{low} to {high}")
    elif low is not None:
        parts.append(f">= {low}")
    elif high is not None:
        parts.append(f"<= {high}")
    if prop.get("exclusiveMinimum") is not None:
        parts.append(f"> {prop['exclusiveMinimum']}")
    if prop.get("exclusiveMaximum") is not None:
        parts.append(f"< {prop['exclusiveMaximum']}")
    if prop.get("enum"):
        parts.append("one of " + ", ".join(repr(v) for v in prop["enum"]))
    if prop.get("minItems") is not None:
        parts.append(f"at least {prop['minItems']} items")
    if prop.get("maxItems") is not None:
        parts.append(f"at most {prop['maxItems']} items")
    if prop.get("minLength") is not None:
        parts.append(f"at least {prop['minLength']} characters")
    if prop.get("maxLength") is not None:
        parts.append(f"at most {prop['maxLength']} characters")
    if "default" in prop and prop["default"] is not None:
        parts.append(f"default {prop['default']!r}")
    return ", ".join(parts)


def parameter_lines(properties: dict[str, dict[str, Any]]) -> list[str]:
    """One entry per parameter: name, type and range, then title and description."""
    lines: list[str] = []
    for name, prop in sorted(properties.items()):
        head = ", ".join(p for p in (_kind(prop), describe_range(prop)) if p)
        words = ". ".join(
            str(p).rstrip(".") for p in (prop.get("title"), prop.get("description")) if p
        )
        lines.append(f"    {name} ({head}): {words}." if words else f"    {name} ({head}).")
    return lines


def parameters_docstring(owner: str, properties: dict[str, dict[str, Any]]) -> str:
    """The ``Parameters`` class docstring."""
    if not properties:
        return f"{owner} takes no parameters."
    lines = [
        f"The parameters {owner} accepts (all optional; None leaves the provider default).",
        "",
    ]
    lines += parameter_lines(properties)
    return "\n".join(lines)


def model_docstring(
    spec: ProviderSpec, model: Model, endpoint: dict[str, Any], properties: dict[str, Any]
) -> str:
    """A model class docstring: summary, provider, endpoint, call, parameters."""
    family = model.family.value
    summary = model.description or f"{spec.label} {family} model."
    stream = endpoint["stream_format"]
    lines = [
        summary,
        "",
        f"Provider: {spec.label} (``{spec.provider}``), {family} family, "
        f"wire dialect ``{endpoint['dialect']}``.",
        f"Endpoint: POST ``{{base_url}}{endpoint['path']}``"
        + (f", streamed as {stream}" if stream else "")
        + ".",
    ]
    if spec.docs:
        lines.append(f"Documented at {spec.docs}")
    if family in _FAMILY_CALL:
        lines.append(f"Call: {_FAMILY_CALL[family]}.")
    lines.append("")
    if properties:
        lines.append(f"Parameters (``{model.class_name.root}.Parameters``):")
        lines += parameter_lines(properties)
    else:
        lines.append("Parameters: none.")
    return "\n".join(lines)
